/**
 * Ad-hoc patching of one artifact (needs repository:push in the project):
 *   POST /projects/{project}/repositories/{repository}/artifacts/{reference}/patch
 * `repository` excludes the project and is URL-encoded twice when it contains '/', as in Harbor.
 * Optional JSON body: {mode?, tag_scheme?, severity_threshold?}. Answers 202 with the execution
 * (the existing one when the same artifact is already being patched).
 */
import { Router } from 'express';
import { HarborError, type HarborClient } from '../harbor/client';
import { getArtifact } from '../harbor/repositories';
import type { PatchEngine } from '../jobs/engine';
import type { PatchOptions } from '../store/executions';
import { badRequest, executionView, notFound, type ProjectGuard } from './executions';

const MODES = ['targeted', 'comprehensive'];
const SCHEMES = ['floating', 'incremental'];
const THRESHOLDS = ['Critical', 'High', 'Medium', 'Low', 'None'];

export function patchRouter(engine: PatchEngine, harbor: HarborClient, guard: ProjectGuard): Router {
  const r = Router({ mergeParams: true });

  r.post(
    '/projects/:project_name/repositories/:repository_name/artifacts/:reference/patch',
    guard('repository', 'push'),
    async (req, res, next) => {
      const project = String(req.params.project_name);
      let repository: string;
      try {
        repository = decodeURIComponent(String(req.params.repository_name));
      } catch {
        return badRequest(res, 'repository_name is not validly URL-encoded', 'repository_name');
      }
      const reference = String(req.params.reference);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) return badRequest(res, 'the body must be a JSON object');
      const options: Partial<PatchOptions> = { delete_original: false };
      for (const [field, allowed] of [
        ['mode', MODES],
        ['tag_scheme', SCHEMES],
        ['severity_threshold', THRESHOLDS],
      ] as const) {
        const v = body[field];
        if (v === undefined) continue;
        if (typeof v !== 'string' || !allowed.includes(v)) return badRequest(res, `${field} must be one of ${allowed.join(', ')}`, field);
        (options as Record<string, unknown>)[field] = v;
      }
      try {
        const artifact = await getArtifact(harbor, `${project}/${repository}`, reference);
        const isDigest = reference.startsWith('sha256:');
        const { execution, task, joined } = engine.patchArtifact({
          project,
          artifact: { repository, tag: isDigest ? null : reference, digest: artifact.digest },
          trigger: 'ADHOC',
          options,
        });
        res
          .status(202)
          .setHeader('Location', `${req.baseUrl}/projects/${encodeURIComponent(project)}/executions/${execution.id}`)
          .setHeader('X-Patch-Task-Id', String(task.id))
          .setHeader('X-Patch-Joined', String(joined))
          .json(executionView(execution));
      } catch (err) {
        if (err instanceof HarborError && err.status === 404) {
          return notFound(res, `artifact ${project}/${repository}:${reference} does not exist`);
        }
        if (err instanceof HarborError && err.transient) {
          return res.status(502).json({ errors: [{ code: 'HARBOR_UNREACHABLE', message: `Harbor could not be reached to resolve the artifact: ${err.message}` }] });
        }
        next(err);
      }
    },
  );

  return r;
}
