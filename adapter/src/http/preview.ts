/**
 * Dry-run preview (project admin, like policy editing):
 *   POST /projects/{p}/policies/preview[?limit=N]
 * Body: `{"policy_id": N}` for a stored policy, or a draft policy (the same body as create; the
 * name may be left out). Answers which artifacts would be patched now and why the others would
 * not: the first `limit` (default 50, at most 500) of each, with complete counts per reason. When Harbor
 * refuses the service robot the listing, the answer says what to grant it (503 or 409, as for a patch).
 */
import { Router } from 'express';
import { validatePolicy } from '@harbor-patching/shared/policy/validate';
import type { AuthMiddleware } from '../auth/middleware';
import type { HarborClient } from '../harbor/client';
import { robotPermissions, type ServiceRobot } from '../harbor/robot';
import { previewPolicy } from '../policies/preview';
import type { EvaluablePolicy } from '../policies/filters';
import { badRequest, fromRobotCheck, notFound } from './errors';
import type { PolicyLookup } from './runs';

const DRAFT_NAME = 'preview';

export function previewRouter(deps: {
  auth: AuthMiddleware;
  policies: PolicyLookup;
  harbor: HarborClient;
  /** Tells what to grant when Harbor refuses the robot the listing. */
  robot?: ServiceRobot;
}): Router {
  const { auth, policies, harbor, robot } = deps;
  const r = Router({ mergeParams: true });

  r.post('/projects/:project_name/policies/preview', auth.requireProjectAdmin(), async (req, res) => {
    const project = String(req.params.project_name);
    let limit = 50;
    if (req.query.limit !== undefined) {
      limit = Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 500) {
        throw badRequest([{ field: 'query.limit', message: 'query.limit: must be an integer from 0 to 500' }]);
      }
    }
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest([{ field: '', message: 'send {"policy_id": N} or a draft policy as a JSON object' }]);
    }
    let policy: EvaluablePolicy;
    let source: { policy_id: number } | { draft: true };
    if ('policy_id' in body) {
      const id = (body as { policy_id: unknown }).policy_id;
      if (!Number.isInteger(id) || (id as number) < 1) {
        throw badRequest([{ field: 'policy_id', message: 'policy_id must be a positive integer' }]);
      }
      if (Object.keys(body).length > 1) {
        throw badRequest([{ field: '', message: 'send either {"policy_id": N} or a draft policy, not both' }]);
      }
      const stored = policies.get(project, id as number);
      if (!stored) throw notFound(`policy ${id} does not exist in project "${project}"`);
      policy = stored;
      source = { policy_id: stored.id };
    } else {
      const draft = { ...(body as Record<string, unknown>) };
      // A draft being edited may have no (valid) name yet; the name does not change what is selected.
      draft.name = DRAFT_NAME;
      const v = validatePolicy(draft);
      if (v.errors.length > 0 || !v.policy) throw badRequest(v.errors.filter((e) => e.field !== 'name'));
      policy = v.policy;
      source = { draft: true };
    }
    const preview = await previewPolicy(harbor, project, policy, { limit }).catch(async (err: unknown) => {
      const refusal = await robot?.explainRefusal(project, err, robotPermissions('patch'));
      throw refusal ? fromRobotCheck(refusal) : err;
    });
    res.json({ project_name: project, ...source, ...preview });
  });

  return r;
}
