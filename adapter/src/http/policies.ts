/**
 * Patch policies of a project: /patching/api/v1/projects/{project_name}/policies[/{policy_id}[/enable|/disable]].
 * Read: anyone who can read the project. Create, update, delete, enable, disable: project admin.
 */
import express, { type Request, type Response, type Router } from 'express';
import { nextRunTimes } from '@harbor-patching/shared/policy/cron';
import type { PatchPolicy, PolicySpec } from '@harbor-patching/shared/policy/model';
import { labelNamesOf, validatePolicy, type FieldError } from '@harbor-patching/shared/policy/validate';
import { callerOf, projectAccessOf, credentialsFromLocals } from '../auth/middleware';
import { API_BASE, type AdapterModule, type AppContext } from '../context';
import { missingLabelNames } from '../harbor/labels';
import { policyMigrations, PolicyNameTakenError, type PolicySort } from '../store/policies';
import { badRequest, conflict, notFound } from './errors';
import { pagingOf, setPagingHeaders } from './paging';
import { positiveId } from './params';

/** The API form of a policy: the stored one plus its next scheduled run. */
export function policyView(p: PatchPolicy, now = new Date()): PatchPolicy & { next_run_time: string | null } {
  let next: string | null = null;
  if (p.enabled && p.trigger.type === 'scheduled' && p.trigger.cron) {
    try {
      next = nextRunTimes(p.trigger.cron, now, 1)[0].toISOString();
    } catch {
      next = null;
    }
  }
  return { ...p, next_run_time: next };
}

const policyIdOf = (req: Request): number => positiveId(req, 'policy_id', 'path');

/** Validates a body into a spec, including that its label names exist in Harbor (for the caller). */
async function specFromBody(ctx: AppContext, req: Request, res: Response): Promise<PolicySpec> {
  const { errors, policy } = validatePolicy(req.body);
  if (!policy) throw badRequest(errors);
  const labels = labelNamesOf(policy);
  if (labels.length > 0) {
    const access = projectAccessOf(res);
    const missing = new Set(
      await missingLabelNames(ctx.harbor, access.project.id, labels, credentialsFromLocals(res)?.auth),
    );
    if (missing.size > 0) {
      const problems: FieldError[] = [];
      policy.filters.forEach((f, i) => {
        if (f.type !== 'label') return;
        f.value.forEach((name, j) => {
          if (missing.has(name)) {
            problems.push({
              field: `filters[${i}].value[${j}]`,
              message: `label "${name}" does not exist in Harbor (neither a global label nor one of project "${access.project.name}")`,
            });
          }
        });
      });
      throw badRequest(problems);
    }
  }
  return policy;
}

function nameTaken(err: unknown): never {
  if (err instanceof PolicyNameTakenError) throw conflict(err.message, 'name');
  throw err;
}

export function policiesRouter(ctx: AppContext): Router {
  const router = express.Router();
  const { auth, policies, events } = ctx;
  const base = '/projects/:project_name/policies';

  router.get(base, auth.requireProjectRead(), (req, res) => {
    const paging = pagingOf(req);
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    const sort = typeof req.query.sort === 'string' ? (req.query.sort as PolicySort) : undefined;
    const { items, total } = policies.list(projectAccessOf(res).project.name, { ...paging, name, sort });
    setPagingHeaders(req, res, paging, total);
    const now = new Date();
    res.json(items.map((p) => policyView(p, now)));
  });

  router.post(base, auth.requireProjectAdmin(), async (req, res) => {
    const spec = await specFromBody(ctx, req, res);
    const { project } = projectAccessOf(res);
    let created: PatchPolicy;
    try {
      created = policies.create(project.name, project.id, spec, callerOf(res).username);
    } catch (err) {
      nameTaken(err);
    }
    events.emit('policy.changed', { change: 'created', policy: created });
    res.status(201).location(`${API_BASE}/projects/${encodeURIComponent(project.name)}/policies/${created.id}`);
    res.json(policyView(created));
  });

  router.get(`${base}/:policy_id`, auth.requireProjectRead(), (req, res) => {
    const policy = policies.get(projectAccessOf(res).project.name, policyIdOf(req));
    if (!policy) throw notFound(`policy ${req.params.policy_id} not found in project "${req.params.project_name}"`);
    res.json(policyView(policy));
  });

  router.put(`${base}/:policy_id`, auth.requireProjectAdmin(), async (req, res) => {
    const id = policyIdOf(req);
    const project = projectAccessOf(res).project;
    if (!policies.get(project.name, id)) throw notFound(`policy ${id} not found in project "${project.name}"`);
    const spec = await specFromBody(ctx, req, res);
    let updated: PatchPolicy | undefined;
    try {
      updated = policies.update(project.name, id, spec, callerOf(res).username);
    } catch (err) {
      nameTaken(err);
    }
    if (!updated) throw notFound(`policy ${id} not found in project "${project.name}"`);
    events.emit('policy.changed', { change: 'updated', policy: updated });
    res.json(policyView(updated));
  });

  router.delete(`${base}/:policy_id`, auth.requireProjectAdmin(), (req, res) => {
    const id = policyIdOf(req);
    const project = projectAccessOf(res).project;
    const existing = policies.get(project.name, id);
    if (!existing || !policies.delete(project.name, id))
      throw notFound(`policy ${id} not found in project "${project.name}"`);
    events.emit('policy.changed', { change: 'deleted', policy: existing });
    res.status(200).end();
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`${base}/:policy_id/${action}`, auth.requireProjectAdmin(), (req, res) => {
      const id = policyIdOf(req);
      const project = projectAccessOf(res).project;
      const updated = policies.setEnabled(project.name, id, enabled, callerOf(res).username);
      if (!updated) throw notFound(`policy ${id} not found in project "${project.name}"`);
      events.emit('policy.changed', { change: 'updated', policy: updated });
      res.json(policyView(updated));
    });
  }
  return router;
}

export const policiesModule: AdapterModule = {
  name: 'policies',
  migrations: policyMigrations,
  routes: (ctx) => [{ path: API_BASE, router: policiesRouter(ctx) }],
};
