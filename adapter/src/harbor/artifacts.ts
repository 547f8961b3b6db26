/** Artifact-level calls the patch task makes as the service robot: classify, label, delete. */
import { classifyArtifact } from '@harbor-patching/shared/harbor/artifacts';
import { HarborClient, HarborError, repositoryPathSegment } from './client';
import type { HarborArtifact } from './repositories';

/**
 * Harbor answered a lookup in one repository with an artifact of another (its `repository_name` differs).
 * A 404 to every caller: whatever name trick led there, another project's artifact is never used.
 */
export class ForeignArtifactError extends HarborError {
  constructor(asked: string, answered: string | undefined, method: string, path: string) {
    super(
      404,
      'NOT_FOUND',
      `Harbor answered a lookup in ${asked} with an artifact of ${answered ?? 'an unnamed repository'}; it is not used`,
      method,
      path,
    );
    this.name = 'ForeignArtifactError';
  }
}

/** Throws ForeignArtifactError unless `artifact` is in `fullRepositoryName` (`project/repo`) exactly. */
export function assertArtifactIn<T extends Pick<HarborArtifact, 'repository_name'>>(
  artifact: T,
  fullRepositoryName: string,
  method: string,
  path: string,
): T {
  if (artifact?.repository_name !== fullRepositoryName) {
    throw new ForeignArtifactError(fullRepositoryName, artifact?.repository_name, method, path);
  }
  return artifact;
}

export function artifactPath(project: string, repository: string, reference: string): string {
  return `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${encodeURIComponent(reference)}`;
}

/** What kind of thing an artifact is, as far as patching cares (shared with the portal's Patch button). */
export { classifyArtifact };

/** Known OCI artifact types of things that are not images, in plain words. */
const ARTIFACT_KINDS: [RegExp, string][] = [
  [/cosign/, 'a cosign signature'],
  [/notary|notation/, 'a Notation signature'],
  [/sbom|spdx|cyclonedx/, 'an SBOM'],
  [/in-toto|attestation/, 'an attestation'],
  [/helm/, 'a Helm chart'],
  [/cnab/, 'a CNAB bundle'],
  [/wasm/, 'a WebAssembly module'],
];

/** What an artifact is, in plain words for messages ("a Helm chart", "an artifact of an unknown type"). */
export function describeArtifactKind(a: HarborArtifact): string {
  const type = (a.type ?? '').toUpperCase();
  if (type === 'CHART') return 'a Helm chart';
  if (type === 'CNAB') return 'a CNAB bundle';
  if (type === 'WASM') return 'a WebAssembly module';
  const media = `${a.artifact_type ?? ''} ${a.media_type ?? ''}`.toLowerCase();
  const known = ARTIFACT_KINDS.find(([pattern]) => pattern.test(media));
  if (known) return known[1];
  if (classifyArtifact(a) === 'index') return 'an image index';
  if (type === 'IMAGE' && classifyArtifact(a) === 'image') return 'a container image';
  if (type && type !== 'IMAGE' && type !== 'UNKNOWN') return `an artifact of type ${type.toLowerCase()}`;
  const mediaType = a.artifact_type || a.media_type;
  return mediaType ? `an artifact of an unknown type (${mediaType})` : 'an artifact of an unknown type';
}

export async function addLabel(
  client: HarborClient,
  project: string,
  repository: string,
  reference: string,
  labelId: number,
): Promise<void> {
  try {
    await client.request('POST', `${artifactPath(project, repository, reference)}/labels`, { body: { id: labelId } });
  } catch (err) {
    // Already attached: nothing to do.
    if (err instanceof HarborError && err.status === 409) return;
    throw err;
  }
}

/** Deletes the artifact with all its tags. */
export async function deleteArtifact(
  client: HarborClient,
  project: string,
  repository: string,
  digest: string,
): Promise<void> {
  await client.request('DELETE', artifactPath(project, repository, digest));
}

/** Removes one tag of an artifact; the artifact stays. */
export async function deleteTag(
  client: HarborClient,
  project: string,
  repository: string,
  reference: string,
  tag: string,
): Promise<void> {
  await client.request('DELETE', `${artifactPath(project, repository, reference)}/tags/${encodeURIComponent(tag)}`);
}
