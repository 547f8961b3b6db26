/**
 * The scheduler's own tables: per-policy schedule state (which slot ran last) and a log of
 * schedule decisions (started, skipped because a run was still going, failed to start).
 */
import type { Migration } from './db';
import type { Sql } from './schema';

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
  {
    module: 'scheduler',
    version: 2,
    description: 'each schedule slot of a policy is claimed once, whatever the number of processes',
    sql: `
      CREATE TABLE policy_schedule_slots (
        policy_id INTEGER NOT NULL,
        slot TEXT NOT NULL,
        claimed_by TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (policy_id, slot)
      );
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

/** How long a claimed slot is kept (its key stops a second claim meanwhile). */
const SLOT_KEEP_MS = 24 * 3600_000;

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
  /**
   * Claims a slot (policy, slot time) for `owner`: true for the one process that claims it first, false for every
   * other (the unique key decides, so at most one run starts per slot).
   */
  claimSlot(policyId: number, slot: Date, owner: string): Promise<boolean>;
}

/** ScheduleStore over the query layer (SQLite or PostgreSQL). */
export class SqlScheduleStore implements ScheduleStore {
  constructor(private readonly q: Sql) {}

  async get(policyId: number): Promise<ScheduleState | undefined> {
    return this.q.db
      .selectFrom('policy_schedule_state')
      .selectAll()
      .where('policy_id', '=', policyId)
      .executeTakeFirst();
  }

  async all(): Promise<ScheduleState[]> {
    return this.q.db.selectFrom('policy_schedule_state').selectAll().orderBy('policy_id').execute();
  }

  /** A new schedule (or a changed cron): only slots after `baseline` count. */
  async reset(policyId: number, project: string, cron: string, baseline: Date): Promise<void> {
    await this.q.db
      .insertInto('policy_schedule_state')
      .values({
        policy_id: policyId,
        project,
        cron,
        baseline_time: baseline.toISOString(),
        last_run_time: null,
        last_execution_id: null,
      })
      .onConflict((oc) =>
        oc.column('policy_id').doUpdateSet((eb) => ({
          project: eb.ref('excluded.project'),
          cron: eb.ref('excluded.cron'),
          baseline_time: eb.ref('excluded.baseline_time'),
          last_run_time: null,
          last_execution_id: null,
        })),
      )
      .execute();
  }

  async markHandled(policyId: number, slot: Date, executionId: number | null): Promise<void> {
    await this.q.db
      .updateTable('policy_schedule_state')
      .set((eb) => ({
        last_run_time: slot.toISOString(),
        last_execution_id: executionId ?? eb.ref('last_execution_id'),
      }))
      .where('policy_id', '=', policyId)
      .execute();
  }

  async remove(policyId: number): Promise<void> {
    await this.q.db.deleteFrom('policy_schedule_state').where('policy_id', '=', policyId).execute();
    await this.q.db.deleteFrom('policy_schedule_slots').where('policy_id', '=', policyId).execute();
  }

  async log(entry: Omit<ScheduleLogEntry, 'id'>): Promise<void> {
    await this.q.db.transaction().execute(async (tx) => {
      await tx.insertInto('policy_schedule_log').values(entry).execute();
      const keep = tx
        .selectFrom('policy_schedule_log')
        .select('id')
        .where('policy_id', '=', entry.policy_id)
        .orderBy('id', 'desc')
        .limit(LOG_KEEP);
      await tx
        .deleteFrom('policy_schedule_log')
        .where('policy_id', '=', entry.policy_id)
        .where('id', 'not in', keep)
        .execute();
    });
  }

  async claimSlot(policyId: number, slot: Date, owner: string): Promise<boolean> {
    const r = await this.q.db
      .insertInto('policy_schedule_slots')
      .values({
        policy_id: policyId,
        slot: slot.toISOString(),
        claimed_by: owner,
        claimed_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.columns(['policy_id', 'slot']).doNothing())
      .executeTakeFirst();
    const won = Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    if (won) {
      // Claims a day older than this slot are long handled (the state's last_run_time is past them).
      await this.q.db
        .deleteFrom('policy_schedule_slots')
        .where('policy_id', '=', policyId)
        .where('slot', '<', new Date(slot.getTime() - SLOT_KEEP_MS).toISOString())
        .execute();
    }
    return won;
  }

  async recent(policyId: number, limit = 10): Promise<ScheduleLogEntry[]> {
    return (await this.q.db
      .selectFrom('policy_schedule_log')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()) as ScheduleLogEntry[];
  }
}
