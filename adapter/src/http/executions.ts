/**
 * Executions and tasks API (under /patching/api/v1):
 *   GET  /projects/{p}/executions                      ?policy_id&status&trigger&sort&page&page_size
 *   GET  /projects/{p}/executions/{id}
 *   GET  /projects/{p}/tasks                           ?patched_digest (repeated)&repository
 *   POST /projects/{p}/executions/{id}/stop            (see controller/executions.ts)
 *   GET  /projects/{p}/executions/{id}/tasks           ?status&page&page_size
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}
 *   POST /projects/{p}/executions/{id}/tasks/{task_id}/stop   (see controller/executions.ts)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/log   (text/plain, readable while running)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/vex   (copa's OpenVEX document)
 */
import { Router, type Request } from 'express';
import type { ExecutionController, TaskRef } from '../controller/executions';
import type { ExecutionStatus, ExecutionTrigger, TaskStatus } from '../model/execution';
import type { ExecutionSort } from '../store/executions';
import { projectAccessOf, type AuthMiddleware } from './auth';
import { badRequest } from './errors';
import { pagingOf, setPagingHeaders } from './paging';
import { positiveId } from './params';

const TASK_STATUSES = ['Pending', 'Running', 'Success', 'Skipped', 'Error', 'Stopped'];
const EXECUTION_STATUSES = ['Running', 'Success', 'Error', 'Stopped'];
const TRIGGERS = ['MANUAL', 'SCHEDULE', 'EVENT', 'ADHOC', 'JOBSERVICE'];
const EXECUTION_SORTS = ['id', '-id', 'start_time', '-start_time'];

/** An optional enum query parameter (the OpenAPI validator checks it first; this keeps the types honest). */
function oneOf(req: Request, name: string, allowed: string[]): string | undefined {
  const value = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw badRequest([{ field: `query.${name}`, message: `query.${name}: must be one of ${allowed.join(', ')}` }]);
  }
  return value;
}

const projectOf = (req: Request): string => String(req.params.project_name);
const executionIdOf = (req: Request): number => positiveId(req, 'execution_id', 'path');
const taskOf = (req: Request): TaskRef => {
  const taskId = positiveId(req, 'task_id', 'path');
  return { project: projectOf(req), executionId: executionIdOf(req), taskId };
};

export function executionsRouter(executions: ExecutionController, auth: AuthMiddleware): Router {
  const r = Router({ mergeParams: true });
  const read = auth.requireProjectRead();

  r.get('/projects/:project_name/executions', read, async (req, res) => {
    const paging = pagingOf(req);
    const page = await executions.list({
      project: projectOf(req),
      policy_id: positiveId(req, 'policy_id', 'query'),
      status: oneOf(req, 'status', EXECUTION_STATUSES) as ExecutionStatus | undefined,
      trigger: oneOf(req, 'trigger', TRIGGERS) as ExecutionTrigger | undefined,
      sort: oneOf(req, 'sort', EXECUTION_SORTS) as ExecutionSort | undefined,
      page: paging.page,
      page_size: paging.pageSize,
    });
    setPagingHeaders(req, res, paging, page.total);
    res.json(page.items);
  });

  r.get('/projects/:project_name/tasks', read, async (req, res) => {
    // The OpenAPI validator checks the digests and the repository; one digest may come as a plain string.
    const digests = ([] as unknown[]).concat(req.query.patched_digest ?? []).map(String);
    if (digests.length === 0) {
      throw badRequest([{ field: 'query.patched_digest', message: 'query.patched_digest: give at least one digest' }]);
    }
    const repository = typeof req.query.repository === 'string' ? req.query.repository : undefined;
    res.json(await executions.tasksByPatchedDigest(projectOf(req), digests, repository));
  });

  r.get('/projects/:project_name/executions/:execution_id', read, async (req, res) => {
    res.json(await executions.execution(projectOf(req), executionIdOf(req)));
  });

  r.post('/projects/:project_name/executions/:execution_id/stop', read, async (req, res) => {
    res.json(await executions.stopExecution(projectAccessOf(res), projectOf(req), executionIdOf(req)));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks', read, async (req, res) => {
    const paging = pagingOf(req);
    const executionId = executionIdOf(req);
    const status = oneOf(req, 'status', TASK_STATUSES) as TaskStatus | undefined;
    const page = await executions.tasks(projectOf(req), executionId, {
      status,
      page: paging.page,
      page_size: paging.pageSize,
    });
    setPagingHeaders(req, res, paging, page.total);
    res.json(page.items);
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id', read, async (req, res) => {
    res.json(await executions.task(taskOf(req)));
  });

  r.post('/projects/:project_name/executions/:execution_id/tasks/:task_id/stop', read, async (req, res) => {
    res.json(await executions.stopTask(projectAccessOf(res), taskOf(req)));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/log', read, async (req, res) => {
    res.type('text/plain; charset=utf-8').send(await executions.log(taskOf(req)));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/vex', read, async (req, res) => {
    const platform = typeof req.query.platform === 'string' && req.query.platform ? req.query.platform : undefined;
    res.json(await executions.vex(taskOf(req), platform));
  });

  return r;
}
