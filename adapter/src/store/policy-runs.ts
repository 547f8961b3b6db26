/**
 * Policy runs whose artifact selection is still going (table `policy_run_selection`): a selection cut short
 * by a restart is found at start and its execution ended.
 */
import type { Migration } from './db';
import type { Sql } from './schema';

export const policyRunMigrations: Migration[] = [
  {
    module: 'policy-runs',
    version: 1,
    description: 'executions whose artifact selection is in progress',
    sql: `
      CREATE TABLE policy_run_selection (
        execution_id INTEGER PRIMARY KEY,
        policy_id INTEGER NOT NULL,
        started_at TEXT NOT NULL
      );
    `,
  },
];

export interface PolicyRunStore {
  /** Marks the execution's selection as started. */
  selectionStarted(executionId: number, policyId: number, at?: Date): Promise<void>;
  /** The selection ended (or was given up). */
  selectionEnded(executionId: number): Promise<void>;
  /** Executions whose selection was started and never ended. */
  selectionsInProgress(): Promise<number[]>;
}

/** PolicyRunStore over the query layer (SQLite or PostgreSQL). */
export class SqlPolicyRunStore implements PolicyRunStore {
  constructor(private readonly q: Sql) {}

  async selectionStarted(executionId: number, policyId: number, at = new Date()): Promise<void> {
    await this.q.db
      .insertInto('policy_run_selection')
      .values({ execution_id: executionId, policy_id: policyId, started_at: at.toISOString() })
      .execute();
  }

  async selectionEnded(executionId: number): Promise<void> {
    await this.q.db.deleteFrom('policy_run_selection').where('execution_id', '=', executionId).execute();
  }

  async selectionsInProgress(): Promise<number[]> {
    const rows = await this.q.db.selectFrom('policy_run_selection').select('execution_id').execute();
    return rows.map((r) => r.execution_id);
  }
}
