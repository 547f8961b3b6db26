/**
 * Executions and tasks API (under /patching/api/v1):
 *   GET  /projects/{p}/executions                      ?policy_id&status&trigger&page&page_size
 *   GET  /projects/{p}/executions/{id}
 *   POST /projects/{p}/executions/{id}/stop            (see assertMayStop)
 *   GET  /projects/{p}/executions/{id}/tasks           ?status&page&page_size
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}
 *   POST /projects/{p}/executions/{id}/tasks/{task_id}/stop   (see assertMayStop)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/log   (text/plain, readable while running)
 *   GET  /projects/{p}/executions/{id}/tasks/{task_id}/vex   (copa's OpenVEX document)
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { PATCH_PERMISSION, PROJECT_ADMIN_PERMISSION, projectAccessOf } from '../auth/middleware';
import type { PatchEngine } from '../jobs/engine';
import type { Execution, Task } from '../store/executions';
import { forbidden } from './errors';

/** Builds a middleware that lets the request through only with `action` on `resource` in the path's project. */
export type ProjectGuard = (resource: string, action: string) => RequestHandler;

const TASK_STATUSES = ['Pending', 'Running', 'Success', 'Skipped', 'Error', 'Stopped'];
const EXECUTION_STATUSES = ['Running', 'Success', 'Error', 'Stopped'];
const TRIGGERS = ['MANUAL', 'SCHEDULE', 'EVENT', 'ADHOC', 'JOBSERVICE'];

export function badRequest(res: Response, message: string, field?: string): void {
  res.status(400).json({ errors: [{ code: 'BAD_REQUEST', message, ...(field ? { field } : {}) }] });
}

export function notFound(res: Response, message: string): void {
  res.status(404).json({ errors: [{ code: 'NOT_FOUND', message }] });
}

/** Harbor's paging: page >= 1, page_size 1..100 (default 10); answers X-Total-Count and Link. */
export function paging(req: Request, res: Response): { page: number; page_size: number } | undefined {
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  const pageSize = req.query.page_size === undefined ? 10 : Number(req.query.page_size);
  if (!Number.isInteger(page) || page < 1) {
    badRequest(res, 'page must be an integer of at least 1', 'page');
    return undefined;
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    badRequest(res, 'page_size must be an integer from 1 to 100', 'page_size');
    return undefined;
  }
  return { page, page_size: pageSize };
}

export function setPageHeaders(req: Request, res: Response, total: number, page: number, pageSize: number): void {
  res.setHeader('X-Total-Count', String(total));
  const links: string[] = [];
  const link = (p: number, rel: string) => {
    const url = new URL(req.originalUrl, 'http://x');
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(pageSize));
    links.push(`<${url.pathname}${url.search}>; rel="${rel}"`);
  };
  if (page > 1) link(page - 1, 'prev');
  if (page * pageSize < total) link(page + 1, 'next');
  if (links.length) res.setHeader('Link', links.join(' , '));
}

function oneOf(res: Response, value: unknown, allowed: string[], field: string): string | undefined | false {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    badRequest(res, `${field} must be one of ${allowed.join(', ')}`, field);
    return false;
  }
  return value;
}

/** The task as the API shows it (no process ids; the VEX document has its own endpoint). */
export function taskView(t: Task): Omit<Task, 'copa_pid'> {
  const { copa_pid: _pid, ...rest } = t;
  return rest;
}

export function executionView(e: Execution): Execution {
  return e;
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
      `execution ${e.id} is a policy run (${e.trigger}); only a project admin of "${e.project}" (or a system admin) may stop it`,
    );
  }
}

export function executionsRouter(engine: PatchEngine, guard: ProjectGuard): Router {
  const r = Router({ mergeParams: true });
  const store = engine.store;
  const read = guard('project', 'read');

  const findExecution = (req: Request, res: Response): Execution | undefined => {
    const id = Number(req.params.execution_id);
    const e = Number.isInteger(id) ? store.getExecution(id) : undefined;
    if (!e || e.project !== req.params.project_name) {
      notFound(res, `execution ${req.params.execution_id} does not exist in project ${req.params.project_name}`);
      return undefined;
    }
    return e;
  };
  const findTask = (req: Request, res: Response): Task | undefined => {
    const e = findExecution(req, res);
    if (!e) return undefined;
    const id = Number(req.params.task_id);
    const t = Number.isInteger(id) ? store.getTask(id) : undefined;
    if (!t || t.execution_id !== e.id) {
      notFound(res, `task ${req.params.task_id} does not exist in execution ${e.id}`);
      return undefined;
    }
    return t;
  };

  r.get('/projects/:project_name/executions', read, (req, res) => {
    const p = paging(req, res);
    if (!p) return;
    let policyId: number | undefined;
    if (req.query.policy_id !== undefined && req.query.policy_id !== '') {
      policyId = Number(req.query.policy_id);
      if (!Number.isInteger(policyId) || policyId < 1) return badRequest(res, 'policy_id must be a positive integer', 'policy_id');
    }
    const status = oneOf(res, req.query.status, EXECUTION_STATUSES, 'status');
    if (status === false) return;
    const trigger = oneOf(res, req.query.trigger, TRIGGERS, 'trigger');
    if (trigger === false) return;
    const page = store.listExecutions({ project: String(req.params.project_name), policy_id: policyId, status, trigger, ...p });
    setPageHeaders(req, res, page.total, p.page, p.page_size);
    res.json(page.items.map(executionView));
  });

  r.get('/projects/:project_name/executions/:execution_id', read, (req, res) => {
    const e = findExecution(req, res);
    if (e) res.json(executionView(e));
  });

  r.post('/projects/:project_name/executions/:execution_id/stop', read, (req, res) => {
    const e = findExecution(req, res);
    if (!e) return;
    assertMayStop(res, e);
    res.json(executionView(engine.stopExecution(e.id)!));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks', read, (req, res) => {
    const e = findExecution(req, res);
    if (!e) return;
    const p = paging(req, res);
    if (!p) return;
    const status = oneOf(res, req.query.status, TASK_STATUSES, 'status');
    if (status === false) return;
    const page = store.listTasks({ execution_id: e.id, status, ...p });
    setPageHeaders(req, res, page.total, p.page, p.page_size);
    res.json(page.items.map(taskView));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id', read, (req, res) => {
    const t = findTask(req, res);
    if (t) res.json(taskView(t));
  });

  r.post('/projects/:project_name/executions/:execution_id/tasks/:task_id/stop', read, (req, res) => {
    const t = findTask(req, res);
    if (!t) return;
    assertMayStop(res, store.getExecution(t.execution_id)!);
    res.json(taskView(engine.stopTask(t.id)!));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/log', read, (req, res) => {
    const t = findTask(req, res);
    if (!t) return;
    res.type('text/plain; charset=utf-8').send(engine.logs.read(t.id));
  });

  r.get('/projects/:project_name/executions/:execution_id/tasks/:task_id/vex', read, (req, res) => {
    const t = findTask(req, res);
    if (!t) return;
    const vex = store.getTaskVex(t.id);
    if (!vex) return notFound(res, `task ${t.id} has no VEX document (copa writes one only when it applied updates from a report)`);
    res.json(vex);
  });

  return r;
}
