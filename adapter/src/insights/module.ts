/**
 * Insights as an adapter module: its tables (the daily rollup and the snapshots, after the executions'
 * tables), the controller over the store, and the insights routes.
 */
import { API_BASE, type AdapterModule } from '../context';
import { InsightsController } from '../controller/insights';
import { insightsRouter } from '../http/insights';
import { ExecutionStore } from '../store/executions';
import { insightsMigrations, SqliteInsightsStore } from '../store/insights';
import { ProjectScans } from './backlog';

/** How long a project's scan overviews are kept before the backlog reads Harbor again. */
export const BACKLOG_CACHE_SECONDS = 300;

export const insightsModule: AdapterModule = {
  name: 'insights',
  migrations: insightsMigrations,
  routes(ctx) {
    const executions = new ExecutionStore(ctx.db);
    const controller = new InsightsController({
      store: new SqliteInsightsStore(ctx.db),
      policies: ctx.policies,
      scans: new ProjectScans(BACKLOG_CACHE_SECONDS),
      slots: ctx.config.concurrency,
      execution: (id) => executions.getExecution(id),
    });
    return [{ path: API_BASE, router: insightsRouter(controller, ctx.auth, ctx.harbor) }];
  },
};
