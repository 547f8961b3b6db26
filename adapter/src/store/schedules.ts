/**
 * The scheduler's own tables: per-policy schedule state (which slot ran last) and a log of
 * schedule decisions (started, skipped because a run was still going, failed to start).
 */
import type { Db, Migration } from './db';

export const schedulerMigrations: Migration[] = [
  {
    module: 'scheduler',
    version: 1,
    description: 'policy schedule state and schedule log',
    sql: `
      CREATE TABLE policy_schedule_state (
        policy_id INTEGER PRIMARY KEY,
        project TEXT NOT NULL,
        cron TEXT NOT NULL,
        -- Slots at or before this time are not due (when the schedule was first seen, or the cron changed).
        baseline_time TEXT NOT NULL,
        -- The scheduled slot handled last (run or skipped).
        last_run_time TEXT,
        last_execution_id INTEGER
      );
      CREATE TABLE policy_schedule_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        policy_id INTEGER NOT NULL,
        project TEXT NOT NULL,
        scheduled_time TEXT NOT NULL,
        fired_time TEXT NOT NULL,
        outcome TEXT NOT NULL,
        execution_id INTEGER,
        message TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX policy_schedule_log_policy ON policy_schedule_log (policy_id, id);
    `,
  },
];

export interface ScheduleState {
  policy_id: number;
  project: string;
  cron: string;
  baseline_time: string;
  last_run_time: string | null;
  last_execution_id: number | null;
}

/** STARTED: an execution was created. SKIPPED: the previous run was still going. FAILED: it could not start. */
export type ScheduleOutcome = 'STARTED' | 'SKIPPED' | 'FAILED';

export interface ScheduleLogEntry {
  id: number;
  policy_id: number;
  project: string;
  scheduled_time: string;
  fired_time: string;
  outcome: ScheduleOutcome;
  execution_id: number | null;
  message: string;
}

/** How many log rows are kept per policy. */
const LOG_KEEP = 50;

export interface ScheduleStore {
  get(policyId: number): Promise<ScheduleState | undefined>;
  all(): Promise<ScheduleState[]>;
  /** A new schedule (or a changed cron): only slots after `baseline` count. */
  reset(policyId: number, project: string, cron: string, baseline: Date): Promise<void>;
  markHandled(policyId: number, slot: Date, executionId: number | null): Promise<void>;
  remove(policyId: number): Promise<void>;
  /** Logs a schedule decision (keeps the newest per policy). */
  log(entry: Omit<ScheduleLogEntry, 'id'>): Promise<void>;
  recent(policyId: number, limit?: number): Promise<ScheduleLogEntry[]>;
}

/** ScheduleStore over SQLite. */
export class SqliteScheduleStore implements ScheduleStore {
  constructor(private readonly db: Db) {}

  async get(policyId: number): Promise<ScheduleState | undefined> {
    return this.db.prepare('SELECT * FROM policy_schedule_state WHERE policy_id = ?').get(policyId) as
      ScheduleState | undefined;
  }

  async all(): Promise<ScheduleState[]> {
    return this.db.prepare('SELECT * FROM policy_schedule_state ORDER BY policy_id').all() as ScheduleState[];
  }

  /** A new schedule (or a changed cron): only slots after `baseline` count. */
  async reset(policyId: number, project: string, cron: string, baseline: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO policy_schedule_state (policy_id, project, cron, baseline_time, last_run_time, last_execution_id)
         VALUES (?, ?, ?, ?, NULL, NULL)
         ON CONFLICT (policy_id) DO UPDATE SET project = excluded.project, cron = excluded.cron,
           baseline_time = excluded.baseline_time, last_run_time = NULL, last_execution_id = NULL`,
      )
      .run(policyId, project, cron, baseline.toISOString());
  }

  async markHandled(policyId: number, slot: Date, executionId: number | null): Promise<void> {
    this.db
      .prepare(
        `UPDATE policy_schedule_state SET last_run_time = ?, last_execution_id = COALESCE(?, last_execution_id)
         WHERE policy_id = ?`,
      )
      .run(slot.toISOString(), executionId, policyId);
  }

  async remove(policyId: number): Promise<void> {
    this.db.prepare('DELETE FROM policy_schedule_state WHERE policy_id = ?').run(policyId);
  }

  async log(entry: Omit<ScheduleLogEntry, 'id'>): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO policy_schedule_log (policy_id, project, scheduled_time, fired_time, outcome, execution_id, message)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.policy_id,
        entry.project,
        entry.scheduled_time,
        entry.fired_time,
        entry.outcome,
        entry.execution_id,
        entry.message,
      );
    this.db
      .prepare(
        `DELETE FROM policy_schedule_log WHERE policy_id = ? AND id NOT IN
           (SELECT id FROM policy_schedule_log WHERE policy_id = ? ORDER BY id DESC LIMIT ?)`,
      )
      .run(entry.policy_id, entry.policy_id, LOG_KEEP);
  }

  async recent(policyId: number, limit = 10): Promise<ScheduleLogEntry[]> {
    return this.db
      .prepare('SELECT * FROM policy_schedule_log WHERE policy_id = ? ORDER BY id DESC LIMIT ?')
      .all(policyId, limit) as ScheduleLogEntry[];
  }
}
