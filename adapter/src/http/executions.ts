/**
 * Executions and tasks API (under /patching/api/v1):
 *   GET  /projects/{p}/executions                      ?policy_id&status&trigger&sort&page&page_size
 *   GET  /projects/{p}/executions/{id}
 *   GET  /projects/{p}/tasks                           ?patched_digest (repeated)&repository
 *   POST /projects/{p}/executions/{id}/stop            (see assertMayStop)
 *   GET  /projects/{p}/executions/{id}/tasks           ?status&page&page_size
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}
 *   POST /projects/{p}/executions/{id}/tasks/{task_id}/stop   (see assertMayStop)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/log   (text/plain, readable while running)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/vex   (copa's OpenVEX document)
 */
import { Router, type Request, type Response } from 'express';
import { PATCH_PERMISSION, PROJECT_ADMIN_PERMISSION, projectAccessOf, type AuthMiddleware } from '../auth/middleware';
import type { PatchEngine } from '../jobs/engine';
import type {
  Execution,
  ExecutionSort,
  ExecutionStatus,
  ExecutionTrigger,
  Task,
  TaskStatus,
} from '../store/executions';
import { badRequest, forbidden, notFound } from './errors';
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

/** The task as the API shows it (no process ids; the VEX document has its own endpoint). */
export function taskView(t: Task): Omit<Task, 'copa_pid'> {
  const { copa_pid: _pid, ...rest } = t;
  return rest;
}

/**
 * Stopping needs what starting needed: an ad-hoc patch, push in the project; a policy run (MANUAL,
 * SCHEDULE, EVENT) or a job Harbor started (JOBSERVICE), project admin. Checked after the project
 * check (`res.locals.projectAccess`) and after the execution was found, since the trigger decides.
 */
function assertMayStop(res: Response, e: Execution): void {
  const access = projectAccessOf(res);
  if (e.trigger === 'ADHOC') {
    if (!access.can(PATCH_PERMISSION.resource, PATCH_PERMISSION.action)) {
      throw forbidden(`stopping a patch needs the repository:push permission in project "${e.project}"`);
    }
    return;
  }
  if (!access.can(PROJECT_ADMIN_PERMISSION.resource, PROJECT_ADMIN_PERMISSION.action)) {
    throw forbidden(
      `execution ${e.id} is a ${e.trigger === 'JOBSERVICE' ? 'job started by Harbor' : 'policy run'} (${e.trigger}); ` +
        `only a project admin of "${e.project}" (or a system admin) may stop it`,
    );
  }
}

export function executionsRouter(engine: PatchEngine, auth: AuthMiddleware): Router {
  const r = Router({ mergeParams: true });
  const store = engine.store;
  const read = auth.requireProjectRead();

  const findExecution = (req: Request): Execution => {
    const id = positiveId(req, 'execution_id', 'path');
    const e = store.getExecution(id);
    if (!e || e.project !== req.params.project_name) {
      throw notFound(`execution ${id} does not exist in project ${req.params.project_name}`);
    }
    return e;
  };
  const findTask = (req: Request): Task => {
    const id = positiveId(req, 'task_id', 'path');
    const e = findExecution(req);
    const t = store.getTask(id);
    if (!t || t.execution_id !== e.id) throw notFound(`task ${id} does not exist in execution ${e.id}`);
    return t;
  };

  r.get('/projects/:project_name/executions', read, (req, res) => {
    const paging = pagingOf(req);
    const page = store.listExecutions({
      project: String(req.params.project_name),
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

  r.get('/projects/:project_name/tasks', read, (req, res) => {
    // The OpenAPI validator checks the digests and the repository; one digest may come as a plain string.
    const digests = ([] as unknown[]).concat(req.query.patched_digest ?? []).map(String);
    if (digests.length === 0) {
      throw badRequest([{ field: 'query.patched_digest', message: 'query.patched_digest: give at least one digest' }]);
    }
    const repository = typeof req.query.repository === 'string' ? req.query.repository : undefined;
    res.json(store.tasksByPatchedDigest(String(req.params.project_name), digests, repository).map(taskView));
  });

  r.get('/projects/:project_name/executions/:execution_id', read, (req, res) => {
    res.json(findExecution(req));
  });

  r.post('/projects/:project_name/executions/:execution_id/stop', read, (req, res) => {
    const e = findExecution(req);
    assertMayStop(res, e);
    res.json(engine.stopExecution(e.id)!);
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks', read, (req, res) => {
    const paging = pagingOf(req);
    const e = findExecution(req);
    const status = oneOf(req, 'status', TASK_STATUSES) as TaskStatus | undefined;
    const page = store.listTasks({ execution_id: e.id, status, page: paging.page, page_size: paging.pageSize });
    setPagingHeaders(req, res, paging, page.total);
    res.json(page.items.map(taskView));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id', read, (req, res) => {
    res.json(taskView(findTask(req)));
  });

  r.post('/projects/:project_name/executions/:execution_id/tasks/:task_id/stop', read, (req, res) => {
    const t = findTask(req);
    assertMayStop(res, store.getExecution(t.execution_id)!);
    res.json(taskView(engine.stopTask(t.id)!));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/log', read, (req, res) => {
    const t = findTask(req);
    res.type('text/plain; charset=utf-8').send(engine.logs.read(t.id));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/vex', read, (req, res) => {
    const t = findTask(req);
    const vex = store.getTaskVex(t.id);
    if (!vex)
      throw notFound(`task ${t.id} has no VEX document (copa writes one only when it applied updates from a report)`);
    res.json(vex);
  });

  return r;
}
