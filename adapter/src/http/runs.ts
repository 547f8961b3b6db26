/**
 * Policy runs and schedules (under /patching/api/v1):
 *   POST /projects/{p}/policies/{id}/executions   run now (project admin) -> 201 with the execution (trigger MANUAL);
 *                                                 409 while the policy is disabled or one of its runs is still going
 *   GET  /projects/{p}/policies/{id}/schedule     cron, next_run_time, last_run_time, recent schedule decisions
 * Stopping a run is the executions API's `POST /projects/{p}/executions/{id}/stop`.
 */
import { Router } from 'express';
import type { RunController } from '../controller/runs';
import type { AuthMiddleware } from './auth';
import { positiveId } from './params';

export function runsRouter(runs: RunController, auth: AuthMiddleware): Router {
  const r = Router({ mergeParams: true });

  r.post('/projects/:project_name/policies/:policy_id/executions', auth.requireProjectAdmin(), async (req, res) => {
    const execution = await runs.run(String(req.params.project_name), positiveId(req, 'policy_id', 'path'));
    res
      .status(201)
      .setHeader(
        'Location',
        `${req.baseUrl}/projects/${encodeURIComponent(execution.project)}/executions/${execution.id}`,
      )
      .json(execution);
  });

  r.get('/projects/:project_name/policies/:policy_id/schedule', auth.requireProjectRead(), async (req, res) => {
    res.json(await runs.schedule(String(req.params.project_name), positiveId(req, 'policy_id', 'path')));
  });

  return r;
}
