/**
 * Harbor webhook events and their registration (controller/webhooks.ts).
 *   POST /patching/webhooks/harbor              Harbor delivers events here. `Authorization` must carry the
 *                                               credential of the event's project; anything else is 401
 *                                               and nothing is stored.
 * Under /patching/api/v1 (project admin):
 *   GET  /projects/{p}/webhook                  whether Harbor's webhook policy for this service exists and
 *                                               carries the project's current credential
 *   POST /projects/{p}/webhook                  creates or updates it (events SCANNING_COMPLETED, PUSH_ARTIFACT)
 */
import { Router, type Request } from 'express';
import type { WebhookController } from '../controller/webhooks';
import { projectAccessOf, type AuthMiddleware } from './auth';

export const WEBHOOK_PATH = '/patching/webhooks/harbor';

/** The receiver, mounted at the server's root. */
export function webhookReceiverRouter(webhooks: WebhookController): Router {
  const r = Router();
  r.post(WEBHOOK_PATH, async (req, res) => {
    res.status(200).json(await webhooks.receive(req.headers.authorization, req.body));
  });
  return r;
}

/** Where Harbor should deliver: the configured external URL, else the origin this request came to. */
export function webhookAddress(externalUrl: string | undefined, req: Request): string {
  const origin = externalUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${origin.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
}

export function webhookAdminRouter(
  webhooks: WebhookController,
  auth: AuthMiddleware,
  externalUrl: string | undefined,
): Router {
  const r = Router({ mergeParams: true });

  r.get('/projects/:project_name/webhook', auth.requireProjectAdmin(), async (req, res) => {
    const { id } = projectAccessOf(res).project;
    const project = { id, name: String(req.params.project_name) };
    res.json(await webhooks.status(project, webhookAddress(externalUrl, req)));
  });

  r.post('/projects/:project_name/webhook', auth.requireProjectAdmin(), async (req, res) => {
    const { id } = projectAccessOf(res).project;
    const project = { id, name: String(req.params.project_name) };
    const { created, view } = await webhooks.register(project, webhookAddress(externalUrl, req));
    res.status(created ? 201 : 200).json(view);
  });

  return r;
}
