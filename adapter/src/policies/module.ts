/**
 * Wires policy runs, the dry-run preview, schedules and scan events: tables, background loops and
 * routers. The app registers `apiRouters` under /patching/api/v1 and `rootRouters` at the root,
 * calls `start()` after the patch engine started and `stop()` before it closes.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { AuthMiddleware } from '../auth/middleware';
import type { HarborClient } from '../harbor/client';
import type { ServiceRobot } from '../harbor/robot';
import type { PatchEngine } from '../jobs/engine';
import { migrate, type Db } from '../store/db';
import type { PolicyStore } from '../store/policies';
import { schedulerMigrations } from '../scheduler/store';
import { PolicyScheduler } from '../scheduler/scheduler';
import { webhookMigrations } from '../webhooks/store';
import { WebhookProcessor } from '../webhooks/processor';
import { runsRouter } from '../http/runs';
import { previewRouter } from '../http/preview';
import { webhookAdminRouter, webhookReceiverRouter } from '../http/webhooks';
import { PolicyRunner, policyRunMigrations } from './run';

export interface PolicyRunsSettings {
  webhookSecret?: string;
  externalUrl?: string;
  /** Injected clock for the scheduler (tests). */
  now?: () => Date;
  /** Real-timer period of the scheduler (default 10 s). */
  schedulerIntervalMs?: number;
  onError?: (err: unknown, context: string) => void;
  /** Where refused and dropped webhook events are reported (warnings). */
  logger?: Pick<Logger, 'warn'>;
}

export interface PolicyRunsModule {
  runner: PolicyRunner;
  scheduler: PolicyScheduler;
  webhooks: WebhookProcessor;
  apiRouters(auth: AuthMiddleware): Router[];
  rootRouters(): Router[];
  start(): void;
  stop(): Promise<void>;
}

/** The scheduler over the policy store and the runner (exported so tests can drive it with their own clock). */
export function createPolicyScheduler(
  db: Db,
  policies: Pick<PolicyStore, 'listAll' | 'getById'>,
  runner: PolicyRunner,
  opts: { now?: () => Date; intervalMs?: number; onError?: (err: unknown) => void } = {},
): PolicyScheduler {
  return new PolicyScheduler({
    db,
    now: opts.now,
    intervalMs: opts.intervalMs,
    // Polled at each tick: a disabled, deleted or re-scheduled policy is noticed without hooks.
    listScheduledPolicies: () => policies.listAll({ triggerType: 'scheduled' }),
    hasActiveRun: (policyId) => {
      const p = policies.getById(policyId);
      return p ? runner.activeRun(p) !== undefined : false;
    },
    startRun: async (policyId) => {
      const p = policies.getById(policyId);
      if (!p) throw new Error(`policy ${policyId} no longer exists`);
      return runner.start(p, 'SCHEDULE');
    },
    onError: opts.onError,
  });
}

export function createPolicyRunsModule(
  db: Db,
  deps: { harbor: HarborClient; engine: PatchEngine; policies: PolicyStore; robot?: ServiceRobot },
  s: PolicyRunsSettings = {},
): PolicyRunsModule {
  migrate(db, [...policyRunMigrations, ...schedulerMigrations, ...webhookMigrations]);
  const { harbor, engine, policies, robot } = deps;
  const report = (context: string) => (err: unknown) => s.onError?.(err, context);
  const runner = new PolicyRunner({ db, harbor, engine, robot, onError: report('policy run') });
  const scheduler = createPolicyScheduler(db, policies, runner, {
    now: s.now,
    intervalMs: s.schedulerIntervalMs,
    onError: report('scheduler'),
  });
  const webhooks = new WebhookProcessor({
    db,
    harbor,
    engine,
    runner,
    eventPolicies: (project) => policies.listAll({ enabled: true, triggerType: 'event_based', projectName: project }),
    onError: report('webhook event'),
    onDropped: (event, reason, eventId) =>
      s.logger?.warn(
        {
          event_id: eventId,
          type: event.type,
          project: event.project,
          repository: event.repository,
          digest: event.digest,
          tag: event.tag ?? null,
          reason,
        },
        'dropped a webhook event: Harbor does not confirm it',
      ),
  });
  return {
    runner,
    scheduler,
    webhooks,
    apiRouters: (auth) => [
      previewRouter({ auth, policies, harbor, robot }),
      runsRouter({ auth, policies, runner, scheduler }),
      webhookAdminRouter({
        auth,
        harbor,
        secret: s.webhookSecret,
        externalUrl: s.externalUrl,
        processor: webhooks,
        robot,
      }),
    ],
    rootRouters: () => [
      webhookReceiverRouter({ secret: s.webhookSecret, processor: webhooks, harbor, logger: s.logger }),
    ],
    start() {
      runner.recover();
      scheduler.start();
      webhooks.start();
    },
    async stop() {
      await scheduler.stop();
      await webhooks.stop();
      await runner.idle();
    },
  };
}
