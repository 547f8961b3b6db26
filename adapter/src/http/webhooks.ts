/**
 * Harbor webhook events and their registration.
 *   POST /patching/webhooks/harbor              Harbor delivers events here; `Authorization` must carry
 *                                               the shared secret (PATCHING_WEBHOOK_SECRET). The event is
 *                                               stored, then handled off the request path: the answer is fast.
 * Under /patching/api/v1 (project admin):
 *   GET  /projects/{p}/webhook                  whether Harbor's webhook policy for this service exists
 *   POST /projects/{p}/webhook                  creates or updates it (events SCANNING_COMPLETED, PUSH_ARTIFACT)
 */
import express, { Router, type Request } from 'express';
import type { AuthMiddleware } from '../auth/middleware';
import type { HarborClient } from '../harbor/client';
import { HarborError } from '../harbor/client';
import { findPatchingWebhook, publicView, upsertPatchingWebhook } from '../harbor/webhooks';
import { parseHarborEvent, webhookAuthHeader, webhookAuthorized } from '../webhooks/events';
import type { WebhookProcessor } from '../webhooks/processor';
import { ApiError, fromRobotCheck } from './errors';
import { robotPermissions, type ServiceRobot } from '../harbor/robot';

export const WEBHOOK_PATH = '/patching/webhooks/harbor';

/** The receiver, mounted at the server's root. */
export function webhookReceiverRouter(deps: { secret: string | undefined; processor: WebhookProcessor }): Router {
  const r = Router();
  r.post(
    WEBHOOK_PATH,
    (req, res, next) => {
      if (!deps.secret) {
        res.status(503).json({
          errors: [
            {
              code: 'SERVICE_UNAVAILABLE',
              message: 'webhooks are off: set PATCHING_WEBHOOK_SECRET on the patching service',
            },
          ],
        });
        return;
      }
      if (!webhookAuthorized(req.headers.authorization, deps.secret)) {
        res.status(401).json({
          errors: [{ code: 'UNAUTHORIZED', message: 'the Authorization header does not carry the webhook secret' }],
        });
        return;
      }
      next();
    },
    express.json({ limit: '1mb', type: ['application/json', 'application/cloudevents+json'] }),
    (req, res) => {
      const parsed = parseHarborEvent(req.body);
      if (!parsed.ok) {
        if ('invalid' in parsed) {
          res.status(400).json({ errors: [{ code: 'BAD_REQUEST', message: parsed.invalid }] });
        } else {
          res.status(200).json({ accepted: false, message: parsed.ignored });
        }
        return;
      }
      const id = deps.processor.accept(parsed.event);
      res.status(200).json({ accepted: true, event_id: id });
    },
  );
  return r;
}

/** Where Harbor should deliver: the configured external URL, else the origin this request came to. */
export function webhookAddress(externalUrl: string | undefined, req: Request): string {
  const origin = externalUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${origin.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
}

export function webhookAdminRouter(deps: {
  auth: AuthMiddleware;
  harbor: HarborClient;
  secret: string | undefined;
  externalUrl: string | undefined;
  processor: WebhookProcessor;
  /** Tells what to grant when Harbor refuses the robot. */
  robot?: ServiceRobot;
}): Router {
  const { auth, harbor } = deps;
  const r = Router({ mergeParams: true });

  const harborFailure = async (err: unknown, what: string, project: string): Promise<never> => {
    const refusal = await deps.robot?.explainRefusal(project, err, robotPermissions('webhook'));
    if (refusal) throw fromRobotCheck(refusal);
    if (err instanceof HarborError && (err.status === 401 || err.status === 403)) {
      throw new ApiError(
        502,
        `Harbor refused the service robot while ${what} (HTTP ${err.status}). Give the robot the notification-policy (webhook) list, create and update permissions in this project.`,
      );
    }
    throw err;
  };

  r.get('/projects/:project_name/webhook', auth.requireProjectAdmin(), async (req, res) => {
    const project = String(req.params.project_name);
    const policy = await findPatchingWebhook(harbor, project).catch((err) =>
      harborFailure(err, 'reading webhook policies', project),
    );
    res.json({
      ...publicView(policy, webhookAddress(deps.externalUrl, req)),
      secret_configured: Boolean(deps.secret),
      recent_events: deps.processor.store.recent(project, 10).map((e) => ({
        id: e.id,
        received_at: e.received_at,
        type: e.event.type,
        repository: e.event.repository,
        tag: e.event.tag ?? null,
        digest: e.event.digest ?? null,
        status: e.status,
        message: e.message,
        execution_ids: e.execution_ids,
      })),
    });
  });

  r.post('/projects/:project_name/webhook', auth.requireProjectAdmin(), async (req, res) => {
    const project = String(req.params.project_name);
    if (!deps.secret) {
      throw new ApiError(
        409,
        'Set PATCHING_WEBHOOK_SECRET on the patching service first; Harbor sends it with every event.',
      );
    }
    const address = webhookAddress(deps.externalUrl, req);
    const { policy, created } = await upsertPatchingWebhook(harbor, project, {
      address,
      authHeader: webhookAuthHeader(deps.secret),
    }).catch((err) => harborFailure(err, 'registering the webhook policy', project));
    res.status(created ? 201 : 200).json({ ...publicView(policy, address), secret_configured: true });
  });

  return r;
}
