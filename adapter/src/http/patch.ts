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
import { HarborError, type HarborClient } from '../harbor/client';
import { getArtifact } from '../harbor/repositories';
import { robotPermissions, type ServiceRobot } from '../harbor/robot';
import type { PatchEngine } from '../jobs/engine';
import type { PatchOptions } from '../store/executions';
import { ApiError, badRequest, fromRobotCheck, notFound } from './errors';
import { PATCH_PERMISSION, type AuthMiddleware } from '../auth/middleware';
import { nameParam, repositoryParam } from './params';

interface ArtifactName {
  project: string;
  repository: string;
  reference: string;
}

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

export function patchRouter(
  engine: PatchEngine,
  harbor: HarborClient,
  auth: AuthMiddleware,
  robot: ServiceRobot,
): Router {
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
      // Refused at once when the service robot cannot patch here, rather than failing the task later.
      const check = await robot.checkProject(project, robotPermissions('patch'));
      if (!check.ok) throw fromRobotCheck(check);
      let digest: string;
      try {
        digest = (await getArtifact(harbor, `${project}/${repository}`, reference)).digest;
      } catch (err) {
        if (err instanceof HarborError && err.status === 404) {
          throw notFound(`artifact ${project}/${repository}:${reference} does not exist`);
        }
        if (err instanceof HarborError && err.transient) {
          throw new ApiError(502, `Harbor could not be reached to resolve the artifact: ${err.message}`, {
            code: 'HARBOR_UNREACHABLE',
          });
        }
        throw err;
      }
      const isDigest = reference.startsWith('sha256:');
      const { execution, task, joined } = engine.patchArtifact({
        project,
        artifact: { repository, tag: isDigest ? null : reference, digest },
        trigger: 'ADHOC',
        options,
      });
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
