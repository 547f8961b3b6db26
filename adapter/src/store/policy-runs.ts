/**
 * Policy runs whose artifact selection is still going (table `policy_run_selection`): a selection cut short
 * by a restart is found at start and its execution ended.
 */
import type { Db, Migration } from './db';

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

/** PolicyRunStore over SQLite. */
export class SqlitePolicyRunStore implements PolicyRunStore {
  constructor(private readonly db: Db) {}

  async selectionStarted(executionId: number, policyId: number, at = new Date()): Promise<void> {
    this.db
      .prepare('INSERT INTO policy_run_selection (execution_id, policy_id, started_at) VALUES (?, ?, ?)')
      .run(executionId, policyId, at.toISOString());
  }

  async selectionEnded(executionId: number): Promise<void> {
    this.db.prepare('DELETE FROM policy_run_selection WHERE execution_id = ?').run(executionId);
  }

  async selectionsInProgress(): Promise<number[]> {
    return (this.db.prepare('SELECT execution_id FROM policy_run_selection').all() as { execution_id: number }[]).map(
      (r) => r.execution_id,
    );
  }
}
