/**
 * Policy runs and schedules (under /patching/api/v1):
 *   POST /projects/{p}/policies/{id}/executions   run now (project admin) -> 201 with the execution (trigger MANUAL);
 *                                                 409 while the policy is disabled or one of its runs is still going
 *   GET  /projects/{p}/policies/{id}/schedule     cron, next_run_time, last_run_time, recent schedule decisions
 * Stopping a run is the executions API's `POST /projects/{p}/executions/{id}/stop`.
 */
import { Router, type Request } from 'express';
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import type { AuthMiddleware } from '../auth/middleware';
import { PolicyBusyError, PolicyDisabledError, type PolicyRunner } from '../policies/run';
import type { PolicyScheduler } from '../scheduler/scheduler';
import { ApiError, notFound } from './errors';
import { positiveId } from './params';

export interface PolicyLookup {
  get(projectName: string, id: number): PatchPolicy | undefined;
}

export function findPolicy(policies: PolicyLookup, req: Request): PatchPolicy {
  const project = String(req.params.project_name);
  const id = positiveId(req, 'policy_id', 'path');
  const policy = policies.get(project, id);
  if (!policy) throw notFound(`policy ${id} not found in project "${project}"`);
  return policy;
}

export function runsRouter(deps: {
  auth: AuthMiddleware;
  policies: PolicyLookup;
  runner: PolicyRunner;
  scheduler: PolicyScheduler;
}): Router {
  const { auth, policies, runner, scheduler } = deps;
  const r = Router({ mergeParams: true });

  r.post('/projects/:project_name/policies/:policy_id/executions', auth.requireProjectAdmin(), (req, res) => {
    const policy = findPolicy(policies, req);
    try {
      const execution = runner.start(policy, 'MANUAL');
      res
        .status(201)
        .setHeader(
          'Location',
          `${req.baseUrl}/projects/${encodeURIComponent(policy.project_name)}/executions/${execution.id}`,
        )
        .json(execution);
    } catch (err) {
      if (err instanceof PolicyDisabledError) {
        throw new ApiError(
          409,
          `Policy "${policy.name}" is disabled, so it cannot run. Enable it first, then run it again.`,
        );
      }
      if (err instanceof PolicyBusyError) {
        throw new ApiError(
          409,
          `Policy "${policy.name}" is already running as execution ${err.runningExecutionId}. ` +
            'Wait for it to finish, or stop it, then run the policy again.',
        );
      }
      throw err;
    }
  });

  r.get('/projects/:project_name/policies/:policy_id/schedule', auth.requireProjectRead(), (req, res) => {
    const policy = findPolicy(policies, req);
    res.json({ policy_id: policy.id, trigger: policy.trigger.type, ...scheduler.info(policy) });
  });

  return r;
}
