/**
 * Ad-hoc patching of one artifact (needs repository:push in the project):
 *   POST /projects/{project}/repositories/{repository}/artifacts/{reference}/patch
 * `repository` excludes the project and is URL-encoded twice when it contains '/', as in Harbor; every name
 * is checked against Harbor's grammar before Harbor is asked anything.
 * Optional JSON body: {mode?, tag_scheme?, severity_threshold?}. Answers 202 with the execution
 * (the existing one when the same artifact is already being patched); 503 when Harbor rejects the
 * service robot, 409 when the robot has no access or lacks a permission in the project.
 */
import { Router, type RequestHandler } from 'express';
import type { components } from '@harbor-patching/shared/api/generated';
import type { ArtifactName, PatchController } from '../controller/patch';
import type { PatchOptions } from '../model/execution';
import { PATCH_PERMISSION } from '../auth/access';
import type { AuthMiddleware } from './auth';
import { badRequest } from './errors';
import { nameParam, repositoryParam } from './params';

/** The artifact's names, checked before anything asks Harbor (the permission check included). */
const checkArtifactName: RequestHandler = (req, res, next) => {
  const project = nameParam(req, 'project_name', 'project');
  const name: ArtifactName = {
    project,
    repository: repositoryParam(req, project),
    reference: nameParam(req, 'reference', 'reference'),
  };
  res.locals.artifactName = name;
  next();
};

export function patchRouter(patch: PatchController, auth: AuthMiddleware): Router {
  const r = Router({ mergeParams: true });

  r.post(
    '/projects/:project_name/repositories/:repository_name/artifacts/:reference/patch',
    checkArtifactName,
    auth.requireProjectPermission(PATCH_PERMISSION.resource, PATCH_PERMISSION.action),
    async (req, res) => {
      const { project, repository, reference } = res.locals.artifactName as ArtifactName;
      const body: unknown = req.body ?? {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw badRequest([{ field: '', message: 'the body must be a JSON object' }]);
      }
      // The OpenAPI validator has checked the body against PatchRequest (known fields, allowed values).
      const request = body as components['schemas']['PatchRequest'];
      const options: Partial<PatchOptions> = { delete_original: false };
      if (request.mode !== undefined) options.mode = request.mode;
      if (request.tag_scheme !== undefined) options.tag_scheme = request.tag_scheme;
      if (request.severity_threshold !== undefined) options.severity_threshold = request.severity_threshold;
      if (request.sign !== undefined) options.sign = request.sign;
      if (request.require_signed_source !== undefined) options.require_signed_source = request.require_signed_source;
      const { execution, task, joined } = await patch.patch({ project, repository, reference }, options);
      res
        .status(202)
        .setHeader('Location', `${req.baseUrl}/projects/${encodeURIComponent(project)}/executions/${execution.id}`)
        .setHeader('X-Patch-Task-Id', String(task.id))
        .setHeader('X-Patch-Joined', String(joined))
        .json(execution);
    },
  );

  return r;
}
