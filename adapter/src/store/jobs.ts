/**
 * Harbor-jobservice-compatible jobs (table `jobservice_jobs`): job id -> patch task, its launch
 * parameters, status hook and the status last posted to it.
 */
import type { Db, Migration } from './db';

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

export interface JobRow {
  id: string;
  task_id: number;
  name: string;
  kind: string;
  is_unique: number;
  parameters: string;
  status_hook: string | null;
  enqueue_time: number;
  run_at: number | null;
  last_hook_status: string | null;
}

export type NewJob = Omit<JobRow, 'last_hook_status'>;

export interface JobStore {
  get(id: string): Promise<JobRow | undefined>;
  /** The job that runs this patch task, if any. */
  byTask(taskId: number): Promise<JobRow | undefined>;
  insert(job: NewJob): Promise<void>;
  setLastHookStatus(id: string, status: string): Promise<void>;
}

/** JobStore over SQLite. */
export class SqliteJobStore implements JobStore {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.prepare('SELECT * FROM jobservice_jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  async byTask(taskId: number): Promise<JobRow | undefined> {
    return this.db.prepare('SELECT * FROM jobservice_jobs WHERE task_id = ?').get(taskId) as JobRow | undefined;
  }

  async insert(j: NewJob): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO jobservice_jobs (id, task_id, name, kind, is_unique, parameters, status_hook, enqueue_time, run_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(j.id, j.task_id, j.name, j.kind, j.is_unique, j.parameters, j.status_hook, j.enqueue_time, j.run_at);
  }

  async setLastHookStatus(id: string, status: string): Promise<void> {
    this.db.prepare('UPDATE jobservice_jobs SET last_hook_status = ? WHERE id = ?').run(status, id);
  }
}
