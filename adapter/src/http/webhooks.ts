/**
 * Harbor webhook events and their registration.
 *   POST /patching/webhooks/harbor              Harbor delivers events here. `Authorization` must carry the
 *                                               credential of the event's project (webhooks/credential.ts);
 *                                               anything else is 401 and nothing is stored. Each artifact of
 *                                               the event is stored, then handled off the request path.
 * Under /patching/api/v1 (project admin):
 *   GET  /projects/{p}/webhook                  whether Harbor's webhook policy for this service exists and
 *                                               carries the project's current credential
 *   POST /projects/{p}/webhook                  creates or updates it (events SCANNING_COMPLETED, PUSH_ARTIFACT)
 */
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AuthMiddleware } from '../auth/middleware';
import { projectAccessOf } from '../auth/middleware';
import type { HarborClient } from '../harbor/client';
import { HarborError } from '../harbor/client';
import { getProjectByName } from '../harbor/projects';
import { findOurTarget, findPatchingWebhook, publicView, upsertPatchingWebhook } from '../harbor/webhooks';
import { checkWebhookCredential, isCurrentAuthHeader, webhookAuthHeader } from '../webhooks/credential';
import { parseHarborEvent } from '../webhooks/events';
import type { WebhookProcessor } from '../webhooks/processor';
import { ApiError, fromRobotCheck, sendError } from './errors';
import { robotPermissions, type ServiceRobot } from '../harbor/robot';

export const WEBHOOK_PATH = '/patching/webhooks/harbor';

const REREGISTER =
  'Re-register the webhook: POST /patching/api/v1/projects/{project}/webhook as a project admin, or "Re-register webhook" on the project\'s Patch policies page.';

export interface WebhookReceiverDeps {
  secret: string | undefined;
  processor: WebhookProcessor;
  /** Harbor as the service robot: confirms that the event's project is the credential's. */
  harbor: HarborClient;
  logger?: Pick<Logger, 'warn'>;
}

/** The receiver, mounted at the server's root. */
export function webhookReceiverRouter(deps: WebhookReceiverDeps): Router {
  const r = Router();
  const refuse = (res: Response, message: string) => sendError(res, 401, [{ code: 'UNAUTHORIZED', message }]);

  r.post(WEBHOOK_PATH, async (req, res) => {
    if (!deps.secret) {
      return sendError(res, 503, [
        {
          code: 'SERVICE_UNAVAILABLE',
          message: 'webhooks are off: set PATCHING_WEBHOOK_SECRET on the patching service',
        },
      ]);
    }
    const credential = checkWebhookCredential(req.headers.authorization, deps.secret);
    if (!credential.ok) {
      const parsed = parseHarborEvent(req.body);
      const project = parsed.ok ? parsed.delivery.project : undefined;
      if (credential.problem === 'shared-secret') {
        deps.logger?.warn(
          { project },
          'refused a webhook event: its webhook policy still carries the service-wide secret of an older version; re-register the webhook in that project',
        );
        return refuse(
          res,
          `this webhook was registered with the service-wide secret, which is no longer accepted (each project now has its own credential). ${REREGISTER}`,
        );
      }
      if (credential.problem === 'invalid')
        deps.logger?.warn({ project }, 'refused a webhook event: invalid credential');
      return refuse(res, "the Authorization header does not carry this service's webhook credential for a project");
    }

    const parsed = parseHarborEvent(req.body);
    if (!parsed.ok) {
      if ('invalid' in parsed) {
        return sendError(res, 400, [
          { code: 'BAD_REQUEST', message: parsed.invalid, ...(parsed.field ? { field: parsed.field } : {}) },
        ]);
      }
      res.status(200).json({ accepted: false, message: parsed.ignored });
      return;
    }
    const { project, events } = parsed.delivery;
    let projectId: number | undefined;
    let lookupStatus: number | undefined;
    try {
      projectId = (await getProjectByName(deps.harbor, project)).project_id;
    } catch (err) {
      lookupStatus = err instanceof HarborError ? err.status : undefined;
      if (!(err instanceof HarborError) || (err.status !== 404 && err.status !== 403)) {
        return sendError(res, 503, [
          {
            code: 'SERVICE_UNAVAILABLE',
            message: `could not confirm project ${project} in Harbor (${err instanceof Error ? err.message : String(err)}); deliver again later`,
          },
        ]);
      }
    }
    if (projectId === undefined) {
      // The caller gets the same 401 as for another project's credential (it must not learn whether the project
      // exists or what the robot may see); the operator learns from the log what to fix.
      deps.logger?.warn(
        { project, credential_project_id: credential.projectId },
        lookupStatus === 404
          ? `refused a webhook event: project ${project} does not exist in Harbor (any more)`
          : `refused a webhook event: the service robot cannot read project ${project} in Harbor, so the event's project cannot be confirmed; give the robot access to that project`,
      );
      return refuse(res, `this webhook credential could not be confirmed for project ${project}`);
    }
    if (projectId !== credential.projectId) {
      deps.logger?.warn(
        { project, project_id: projectId ?? null, credential_project_id: credential.projectId },
        "refused a webhook event: the credential is another project's",
      );
      return refuse(
        res,
        `this webhook credential speaks for project id ${credential.projectId}, not for project ${project}`,
      );
    }
    const ids = deps.processor.accept(events.map((e) => ({ ...e, project_id: credential.projectId })));
    res.status(200).json({ accepted: true, event_id: ids[0], event_ids: ids });
  });
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
    const projectId = projectAccessOf(res).project.id;
    res.json({
      ...publicView(policy, webhookAddress(deps.externalUrl, req)),
      credential_current: isCurrentAuthHeader(
        policy && findOurTarget(policy, webhookAddress(deps.externalUrl, req))?.auth_header,
        deps.secret,
        projectId,
      ),
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
        "Set PATCHING_WEBHOOK_SECRET on the patching service first; the project's webhook credential is derived from it.",
      );
    }
    const projectId = projectAccessOf(res).project.id;
    const address = webhookAddress(deps.externalUrl, req);
    const { policy, created } = await upsertPatchingWebhook(harbor, project, {
      address,
      authHeader: webhookAuthHeader(deps.secret, projectId),
    }).catch((err) => harborFailure(err, 'registering the webhook policy', project));
    res.status(created ? 201 : 200).json({
      ...publicView(policy, address),
      credential_current: isCurrentAuthHeader(findOurTarget(policy, address)?.auth_header, deps.secret, projectId),
      secret_configured: true,
    });
  });

  return r;
}
