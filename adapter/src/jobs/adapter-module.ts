/**
 * The patch engine as an adapter module: its tables, the engine in `ctx.services.patch` (other modules
 * create executions and tasks through `patch.engine`), the executions/tasks and ad-hoc patch routes,
 * the jobservice-compatible /api/v1 routes, recovery at start and a clean stop.
 */
import type { AdapterModule, AppContext, HealthCheck } from '../context';
import { API_BASE } from '../context';
import { executionMigrations } from '../store/executions';
import { jobserviceMigrations, JobService } from '../jobservice/service';
import { jobserviceRouter } from '../http/jobservice';
import { getArtifact } from '../harbor/repositories';
import { createPatchModule, type PatchModule, type PatchModuleSettings } from './module';

const NOT_CONFIGURED = 'patching is off: set PATCHING_ROBOT_NAME and PATCHING_ROBOT_SECRET (a Harbor robot account)';

const patchOf = (ctx: AppContext) => ctx.services.patch as PatchModule | undefined;
const jobserviceOf = (ctx: AppContext) => ctx.services.jobservice as JobService | undefined;

/** `tuning` is for tests: retry timing and the like that the configuration does not expose. */
export function createPatchAdapterModule(tuning: Partial<PatchModuleSettings> = {}): AdapterModule {
  return {
    name: 'patch',
    migrations: [...executionMigrations, ...jobserviceMigrations],
    init(ctx: AppContext) {
      const c = ctx.config;
      if (!c.robotName || !c.robotSecret) {
        ctx.logger.warn(NOT_CONFIGURED);
        return;
      }
      const patch = createPatchModule(ctx.db, {
        harborUrl: c.harborUrl,
        registryHost: c.registryHost,
        registryInsecure: c.registryInsecure,
        fetch: ctx.outbound.fetch,
        robotName: c.robotName,
        robotSecret: c.robotSecret,
        dataDir: c.dataDir,
        buildkitAddr: c.buildkitAddr,
        copaPath: c.copaPath,
        copaEolApiUrl: c.copaEolApiUrl,
        concurrency: c.concurrency,
        taskTimeoutSeconds: c.taskTimeoutSeconds,
        scanTimeoutSeconds: c.scanTimeoutSeconds,
        harborTimeoutMs: c.harborTimeoutMs,
        robotCacheSeconds: c.authCacheSeconds,
        extraSecrets: [c.webhookSecret, c.jobserviceSecret],
        ...tuning,
      });
      ctx.services.patch = patch;
      ctx.services.jobservice = new JobService(ctx.db, patch.engine, async (project, repository, reference) => {
        try {
          return (await getArtifact(patch.harbor, `${project}/${repository}`, reference)).digest;
        } catch (err) {
          if ((err as { status?: number }).status === 404) return undefined;
          throw err;
        }
      });
      patch.engine.on('task', (t) => {
        if (!['Pending', 'Running'].includes(t.status)) {
          ctx.logger.info(
            { task: t.id, execution: t.execution_id, status: t.status, reason: t.reason },
            'patch task finished',
          );
        }
      });
    },
    routes(ctx: AppContext) {
      const patch = patchOf(ctx);
      const jobservice = jobserviceOf(ctx);
      if (!patch || !jobservice) return [];
      return [
        ...patch.routers(ctx.auth).map((router) => ({ path: API_BASE, router })),
        { path: '/', router: jobserviceRouter(jobservice, ctx.config.jobserviceSecret) },
      ];
    },
    healthChecks(ctx: AppContext): HealthCheck[] {
      const patch = patchOf(ctx);
      return [
        {
          name: 'robot',
          check: async () => {
            if (!patch) return { ok: false, error: NOT_CONFIGURED };
            const r = await patch.robot.checkCredentials();
            return r.ok
              ? { ok: true, detail: patch.robot.name }
              : { ok: false, detail: patch.robot.name, error: r.message };
          },
        },
      ];
    },
    async start(ctx: AppContext) {
      const patch = patchOf(ctx);
      if (!patch) return;
      // Checked in the background, so an unreachable Harbor does not hold up the start. A rejected robot
      // does not stop the service either: policies, history and the portal keep working, health says
      // unhealthy, every patch is refused saying why, and fixing the robot in Harbor needs no restart.
      void patch.robot.checkCredentials().then((r) => {
        if (r.ok) ctx.logger.info({ robot: patch.robot.name }, 'Harbor accepts the service robot');
        else if (r.problem === 'rejected') ctx.logger.error({ robot: patch.robot.name }, r.message);
        else ctx.logger.warn({ robot: patch.robot.name }, `the service robot could not be checked: ${r.message}`);
      });
      await patch.engine.start();
    },
    async stop(ctx: AppContext) {
      await patchOf(ctx)?.engine.close();
    },
  };
}

export const patchAdapterModule = createPatchAdapterModule();
