// The adapter as other packages of the repository use it (the browser tests, deployment tests and benchmarks in
// e2e; the browser tests seed history through the executions store, bench:replicas seeds PostgreSQL).
export { startAdapter, type RunningAdapter } from './src/app';
export { loadConfig, type Config } from './src/config/config';
export { HarborClient } from './src/harbor/client';
export { previewPolicy } from './src/policies/preview';
export { decideFromSummary, scanFacts } from './src/policies/threshold';
export { DEFAULT_PATCH_OPTIONS } from './src/model/execution';
export { SqlExecutionStore } from './src/store/executions';
export { migrate, openDatabase, sqliteSql } from './src/store/db';
export { MIGRATIONS } from './src/store/migrations';
export { SqlInsightsStore, type InsightsRange } from './src/store/insights';
export { migratePostgres, postgresSql } from './src/store/db';
