/**
 * Ad-hoc patching of one artifact: the service robot must be able to patch in the project, the reference
 * (tag or digest) is resolved to a digest in Harbor, then an ADHOC execution with one task is created, or
 * the execution already patching the same artifact is joined. The REST API and the jobservice API both
 * resolve references here.
 */
import { HarborError, type HarborClient } from '../harbor/client';
import { getArtifact } from '../harbor/repositories';
import { robotCheckError, robotPermissions, type ServiceRobot } from '../harbor/robot';
import type { PatchEngine } from '../jobs/engine';
import type { Execution, PatchOptions, Task } from '../model/execution';
import { NotFoundError, UpstreamError, ValidationError } from '../model/errors';
import { NO_SIGNING, signingOptionProblems, type SigningCapabilities } from './policies';

export interface ArtifactName {
  project: string;
  /** Without the project, e.g. "team/app". */
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

export interface PatchStarted {
  execution: Execution;
  task: Task;
  /** The artifact was already being patched: this is that execution. */
  joined: boolean;
}

export class PatchController {
  constructor(
    private readonly engine: PatchEngine,
    /** Harbor as the service robot. */
    private readonly harbor: HarborClient,
    private readonly robot: ServiceRobot,
    private readonly signing: SigningCapabilities = NO_SIGNING,
  ) {}

  /** The artifact's digest; undefined when Harbor has no such artifact. */
  async resolveDigest(project: string, repository: string, reference: string): Promise<string | undefined> {
    try {
      return (await getArtifact(this.harbor, `${project}/${repository}`, reference)).digest;
    } catch (err) {
      if (err instanceof HarborError && err.status === 404) return undefined;
      throw err;
    }
  }

  async patch(name: ArtifactName, options: Partial<PatchOptions>): Promise<PatchStarted> {
    const { project, repository, reference } = name;
    const signing = signingOptionProblems(options, this.signing);
    if (signing.length) throw new ValidationError(signing);
    // Refused at once when the service robot cannot patch here, rather than failing the task later.
    const check = await this.robot.checkProject(project, robotPermissions('patch'));
    if (!check.ok) throw robotCheckError(check);
    let digest: string | undefined;
    try {
      digest = await this.resolveDigest(project, repository, reference);
    } catch (err) {
      if (err instanceof HarborError && err.transient) {
        throw new UpstreamError(`Harbor could not be reached to resolve the artifact: ${err.message}`, {
          code: 'HARBOR_UNREACHABLE',
        });
      }
      throw err;
    }
    if (!digest) throw new NotFoundError(`artifact ${project}/${repository}:${reference} does not exist`);
    const isDigest = reference.startsWith('sha256:');
    return this.engine.patchArtifact({
      project,
      artifact: { repository, tag: isDigest ? null : reference, digest },
      trigger: 'ADHOC',
      options,
    });
  }
}
