/**
 * Patch policies of a project: /patching/api/v1/projects/{project_name}/policies[/{policy_id}[/enable|/disable]].
 * Read: anyone who can read the project. Create, update, delete, enable, disable: project admin.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Actor, PolicyController, ProjectRef } from '../controller/policies';
import type { PolicySort } from '../store/policies';
import { API_BASE } from './api';
import { callerOf, credentialsFromLocals, projectAccessOf, type AuthMiddleware } from './auth';
import { notFound } from './errors';
import { pagingOf, setPagingHeaders } from './paging';
import { positiveId } from './params';

const policyIdOf = (req: Request): number => positiveId(req, 'policy_id', 'path');

const projectOf = (res: Response): ProjectRef => projectAccessOf(res).project;

const actorOf = (res: Response): Actor => ({
  username: callerOf(res).username,
  auth: credentialsFromLocals(res)?.auth,
});

export function policiesRouter(policies: PolicyController, auth: AuthMiddleware): Router {
  const router = express.Router();
  const base = '/projects/:project_name/policies';

  router.get(base, auth.requireProjectRead(), async (req, res) => {
    const paging = pagingOf(req);
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    const sort = typeof req.query.sort === 'string' ? (req.query.sort as PolicySort) : undefined;
    const { items, total } = await policies.list(projectOf(res), { ...paging, name, sort });
    setPagingHeaders(req, res, paging, total);
    res.json(items);
  });

  router.post(base, auth.requireProjectAdmin(), async (req, res) => {
    const project = projectOf(res);
    const created = await policies.create(project, req.body, actorOf(res));
    res.status(201).location(`${API_BASE}/projects/${encodeURIComponent(project.name)}/policies/${created.id}`);
    res.json(created);
  });

  router.get(`${base}/:policy_id`, auth.requireProjectRead(), async (req, res) => {
    const policy = await policies.get(projectOf(res), policyIdOf(req));
    if (!policy) throw notFound(`policy ${req.params.policy_id} not found in project "${req.params.project_name}"`);
    res.json(policy);
  });

  router.put(`${base}/:policy_id`, auth.requireProjectAdmin(), async (req, res) => {
    res.json(await policies.update(projectOf(res), policyIdOf(req), req.body, actorOf(res)));
  });

  router.delete(`${base}/:policy_id`, auth.requireProjectAdmin(), async (req, res) => {
    await policies.delete(projectOf(res), policyIdOf(req));
    res.status(200).end();
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`${base}/:policy_id/${action}`, auth.requireProjectAdmin(), async (req, res) => {
      res.json(await policies.setEnabled(projectOf(res), policyIdOf(req), enabled, actorOf(res)));
    });
  }
  return router;
}
