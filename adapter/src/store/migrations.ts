/**
 * Every schema step of the service, once, in the order they are applied. The (module, version) ids are
 * recorded in each database: never rename or edit a step, add a new one at the end of its store's list.
 */
import type { Migration } from './db';
import { executionMigrations } from './executions';
import { insightsMigrations } from './insights';
import { jobserviceMigrations } from './jobs';
import { policyMigrations } from './policies';
import { policyRunMigrations } from './policy-runs';
import { schedulerMigrations } from './schedules';
import { taskLogMigrations } from './task-logs';
import { webhookMigrations } from './webhook-events';

export const MIGRATIONS: readonly Migration[] = [
  ...policyMigrations,
  ...executionMigrations,
  ...jobserviceMigrations,
  ...policyRunMigrations,
  ...schedulerMigrations,
  ...webhookMigrations,
  ...insightsMigrations,
  ...taskLogMigrations,
];
