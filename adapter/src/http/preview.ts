/**
 * Dry-run preview (project admin, like policy editing):
 *   POST /projects/{p}/policies/preview[?limit=N]
 * Body: `{"policy_id": N}` for a stored policy, or a draft policy (controller/preview.ts). Answers which
 * artifacts would be patched now and why the others would not: the first `limit` (default 50, at most 500)
 * of each, with complete counts per reason. When Harbor refuses the service robot the listing, the answer
 * says what to grant it (503 or 409, as for a patch).
 */
import { Router } from 'express';
import type { PreviewController } from '../controller/preview';
import type { AuthMiddleware } from './auth';
import { badRequest } from './errors';

export function previewRouter(previews: PreviewController, auth: AuthMiddleware): Router {
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
    res.json(await previews.preview(project, req.body, limit));
  });

  return r;
}
