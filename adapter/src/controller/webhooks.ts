/**
 * Harbor webhook events and their registration.
 *  - receive: an event delivery must carry the credential of the event's project (webhooks/credential.ts),
 *    and Harbor must confirm that project is the credential's; otherwise it is refused and nothing is
 *    stored. Each artifact of the event is stored, then handled off the request path (WebhookProcessor).
 *  - status / register: whether Harbor's webhook policy for this service exists in a project and carries
 *    the project's current credential; creating or updating it (events SCANNING_COMPLETED, SCANNING_FAILED,
 *    SCANNING_STOPPED, PUSH_ARTIFACT).
 *  - scan events (completed, failed, stopped) also end the wait of tasks for that scan (webhooks/scan-events.ts);
 *    failed and stopped ones are not stored.
 */
import type { Logger } from 'pino';
import { HarborError, type HarborClient } from '../harbor/client';
import { getProjectByName } from '../harbor/projects';
import { robotCheckError, robotPermissions, type ServiceRobot } from '../harbor/robot';
import { findOurTarget, findPatchingWebhook, publicView, upsertPatchingWebhook } from '../harbor/webhooks';
import { ConflictError, UnauthorizedError, UnavailableError, UpstreamError, ValidationError } from '../model/errors';
import { parseHarborEvent } from '../model/webhook-event';
import { checkWebhookCredential, isCurrentAuthHeader, webhookAuthHeader } from '../webhooks/credential';
import type { WebhookProcessor } from '../webhooks/processor';
import type { ScanEvents } from '../webhooks/scan-events';
import type { ProjectRef } from './policies';

const REREGISTER =
  'Re-register the webhook: POST /patching/api/v1/projects/{project}/webhook as a project admin, or "Re-register webhook" on the project\'s Patch policies page.';

export type WebhookReceipt =
  { accepted: false; message: string } | { accepted: true; event_id: number; event_ids: number[] };

export interface WebhookControllerDeps {
  /** PATCHING_WEBHOOK_SECRET: every project's credential derives from it; unset, webhooks are off. */
  secret: string | undefined;
  processor: WebhookProcessor;
  /** Harbor as the service robot: confirms that the event's project is the credential's. */
  harbor: HarborClient;
  /** Tells what to grant when Harbor refuses the robot. */
  robot?: ServiceRobot;
  logger?: Pick<Logger, 'warn'>;
  /** Told of every confirmed scan event, so that tasks waiting for that scan stop waiting. */
  scanEvents?: Pick<ScanEvents, 'scanEnded' | 'forget'>;
}

export class WebhookController {
  constructor(private readonly deps: WebhookControllerDeps) {}

  /** One delivery from Harbor, with its Authorization header. Refusals throw (401, 400, 503). */
  async receive(authorization: string | undefined, body: unknown): Promise<WebhookReceipt> {
    const { secret, logger } = this.deps;
    if (!secret) throw new UnavailableError('webhooks are off: set PATCHING_WEBHOOK_SECRET on the patching service');
    const credential = checkWebhookCredential(authorization, secret);
    if (!credential.ok) {
      const parsed = parseHarborEvent(body);
      const project = parsed.ok ? parsed.delivery.project : undefined;
      if (credential.problem === 'shared-secret') {
        logger?.warn(
          { project },
          'refused a webhook event: its webhook policy still carries the service-wide secret of an older version; re-register the webhook in that project',
        );
        throw new UnauthorizedError(
          `this webhook was registered with the service-wide secret, which is no longer accepted (each project now has its own credential). ${REREGISTER}`,
        );
      }
      if (credential.problem === 'invalid') logger?.warn({ project }, 'refused a webhook event: invalid credential');
      throw new UnauthorizedError(
        "the Authorization header does not carry this service's webhook credential for a project",
      );
    }

    const parsed = parseHarborEvent(body);
    if (!parsed.ok) {
      if ('invalid' in parsed) {
        throw new ValidationError([{ message: parsed.invalid, ...(parsed.field ? { field: parsed.field } : {}) }]);
      }
      return { accepted: false, message: parsed.ignored };
    }
    const { project, events } = parsed.delivery;
    let projectId: number | undefined;
    let lookupStatus: number | undefined;
    try {
      projectId = (await getProjectByName(this.deps.harbor, project)).project_id;
    } catch (err) {
      lookupStatus = err instanceof HarborError ? err.status : undefined;
      if (!(err instanceof HarborError) || (err.status !== 404 && err.status !== 403)) {
        throw new UnavailableError(
          `could not confirm project ${project} in Harbor (${err instanceof Error ? err.message : String(err)}); deliver again later`,
        );
      }
    }
    if (projectId === undefined) {
      // The caller gets the same 401 as for another project's credential (it must not learn whether the project
      // exists or what the robot may see); the operator learns from the log what to fix.
      logger?.warn(
        { project, credential_project_id: credential.projectId },
        lookupStatus === 404
          ? `refused a webhook event: project ${project} does not exist in Harbor (any more)`
          : `refused a webhook event: the service robot cannot read project ${project} in Harbor, so the event's project cannot be confirmed; give the robot access to that project`,
      );
      throw new UnauthorizedError(`this webhook credential could not be confirmed for project ${project}`);
    }
    if (projectId !== credential.projectId) {
      logger?.warn(
        { project, project_id: projectId ?? null, credential_project_id: credential.projectId },
        "refused a webhook event: the credential is another project's",
      );
      throw new UnauthorizedError(
        `this webhook credential speaks for project id ${credential.projectId}, not for project ${project}`,
      );
    }
    const { type } = parsed.delivery;
    if (type !== 'PUSH_ARTIFACT') {
      for (const e of events) {
        if (e.scan_type === undefined || e.scan_type === 'vulnerability') {
          this.deps.scanEvents?.scanEnded(e.project, e.repository, e.digest);
        }
      }
    }
    if (type === 'SCANNING_FAILED' || type === 'SCANNING_STOPPED') {
      return { accepted: false, message: `${type} only ends waits for that scan; nothing is stored` };
    }
    const ids = await this.deps.processor.accept(events.map((e) => ({ ...e, project_id: credential.projectId })));
    return { accepted: true, event_id: ids[0], event_ids: ids };
  }

  /** The project's webhook policy for `address` (where Harbor should deliver), and the recent events. */
  async status(project: ProjectRef, address: string) {
    const { harbor, secret, processor } = this.deps;
    const policy = await findPatchingWebhook(harbor, project.name).catch((err) =>
      this.harborFailure(err, 'reading webhook policies', project.name),
    );
    return {
      ...publicView(policy, address),
      credential_current: isCurrentAuthHeader(
        policy && findOurTarget(policy, address)?.auth_header,
        secret,
        project.id,
      ),
      secret_configured: Boolean(secret),
      recent_events: (await processor.store.recent(project.name, 10)).map((e) => ({
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
    };
  }

  /** Creates or updates the project's webhook policy so that Harbor delivers to `address`. */
  async register(project: ProjectRef, address: string) {
    const { harbor, secret } = this.deps;
    if (!secret) {
      throw new ConflictError(
        "Set PATCHING_WEBHOOK_SECRET on the patching service first; the project's webhook credential is derived from it.",
      );
    }
    const { policy, created } = await upsertPatchingWebhook(harbor, project.name, {
      address,
      authHeader: webhookAuthHeader(secret, project.id),
    }).catch((err) => this.harborFailure(err, 'registering the webhook policy', project.name));
    this.deps.scanEvents?.forget(project.name);
    return {
      created,
      view: {
        ...publicView(policy, address),
        credential_current: isCurrentAuthHeader(findOurTarget(policy, address)?.auth_header, secret, project.id),
        secret_configured: true,
      },
    };
  }

  private async harborFailure(err: unknown, what: string, project: string): Promise<never> {
    const refusal = await this.deps.robot?.explainRefusal(project, err, robotPermissions('webhook'));
    if (refusal) throw robotCheckError(refusal);
    if (err instanceof HarborError && (err.status === 401 || err.status === 403)) {
      throw new UpstreamError(
        `Harbor refused the service robot while ${what} (HTTP ${err.status}). Give the robot the notification-policy (webhook) list, create and update permissions in this project.`,
      );
    }
    throw err;
  }
}
