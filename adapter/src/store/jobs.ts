/**
 * Harbor-jobservice-compatible jobs (table `jobservice_jobs`): job id -> patch task, its launch
 * parameters, status hook and the status last posted to it.
 */
import type { Selectable } from 'kysely';
import type { Migration } from './db';
import type { JobTable, Sql } from './schema';

export const jobserviceMigrations: Migration[] = [
  {
    module: 'jobservice',
    version: 1,
    description: 'jobservice-compatible jobs mapped to patch tasks',
    sql: `
      CREATE TABLE jobservice_jobs (
        id TEXT PRIMARY KEY,
        task_id INTEGER NOT NULL REFERENCES patch_tasks (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        is_unique INTEGER NOT NULL DEFAULT 0,
        parameters TEXT NOT NULL,
        status_hook TEXT,
        enqueue_time INTEGER NOT NULL,
        run_at INTEGER,
        last_hook_status TEXT
      );
      CREATE INDEX jobservice_jobs_task ON jobservice_jobs (task_id);
    `,
  },
];

/** A jobservice job as stored (the row of `jobservice_jobs`). */
export type JobRow = Selectable<JobTable>;

export type NewJob = Omit<JobRow, 'last_hook_status'>;

export interface JobStore {
  get(id: string): Promise<JobRow | undefined>;
  /** The job that runs this patch task, if any. */
  byTask(taskId: number): Promise<JobRow | undefined>;
  insert(job: NewJob): Promise<void>;
  setLastHookStatus(id: string, status: string): Promise<void>;
}

/** JobStore over the query layer (SQLite or PostgreSQL). */
export class SqlJobStore implements JobStore {
  constructor(private readonly q: Sql) {}

  async get(id: string): Promise<JobRow | undefined> {
    return this.q.db.selectFrom('jobservice_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byTask(taskId: number): Promise<JobRow | undefined> {
    return this.q.db.selectFrom('jobservice_jobs').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }

  async insert(j: NewJob): Promise<void> {
    await this.q.db.insertInto('jobservice_jobs').values(j).execute();
  }

  async setLastHookStatus(id: string, status: string): Promise<void> {
    await this.q.db.updateTable('jobservice_jobs').set({ last_hook_status: status }).where('id', '=', id).execute();
  }
}
