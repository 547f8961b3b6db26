/**
 * Every module of the adapter, in start order (stopped in reverse). To plug a module in, add it here:
 * its migrations run at start, its routes are mounted, its health checks and start/stop hooks are used.
 * Modules share run-time objects through `ctx.services` (set in `init`).
 */
import { API_BASE, type AdapterModule, type AppContext } from './context';
import { policiesModule } from './http/policies';
import type { PatchModule } from './jobs/module';
import { patchAdapterModule } from './jobs/adapter-module';
import { insightsModule } from './insights/module';
import { createPolicyRunsModule, type PolicyRunsModule } from './policies/module';
import { policyRunMigrations } from './policies/run';
import { schedulerMigrations } from './scheduler/store';
import { webhookMigrations } from './webhooks/store';

const patch = (ctx: AppContext) => ctx.services.patch as PatchModule | undefined;
const policyRuns = (ctx: AppContext) => ctx.services.policyRuns as PolicyRunsModule | undefined;

/** The patch engine: executions, tasks, ad-hoc patch, jobservice API, the worker pool. Needs the service robot. */
const patchEngineModule: AdapterModule = patchAdapterModule;

/** Policy runs, the dry-run preview, schedules and scan events. Needs the patch engine. */
const policyRunsModule: AdapterModule = {
  name: 'policy-runs',
  migrations: [...policyRunMigrations, ...schedulerMigrations, ...webhookMigrations],
  init(ctx) {
    const p = patch(ctx);
    if (!p) return;
    ctx.services.policyRuns = createPolicyRunsModule(
      ctx.db,
      { harbor: p.harbor, engine: p.engine, policies: ctx.policies, robot: p.robot },
      {
        webhookSecret: ctx.config.webhookSecret,
        externalUrl: ctx.config.externalUrl,
        onError: (err, context) => ctx.logger.error({ err, context }, 'policy runs error'),
        logger: ctx.logger,
      },
    );
  },
  routes: (ctx) => {
    const m = policyRuns(ctx);
    if (!m) return [];
    return [
      ...m.apiRouters(ctx.auth).map((router) => ({ path: API_BASE, router })),
      ...m.rootRouters().map((router) => ({ path: '/', router })),
    ];
  },
  start: (ctx) => policyRuns(ctx)?.start(),
  stop: (ctx) => policyRuns(ctx)?.stop(),
};

export const MODULES: AdapterModule[] = [policiesModule, patchEngineModule, policyRunsModule, insightsModule];
