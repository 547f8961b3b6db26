/**
 * The durable queue of tasks waiting for a worker (table `patch_queue`, created with the executions' tables).
 * A claim takes the oldest due task whose source artifact is not being patched and marks it Running.
 */
import type { Task } from '../model/execution';
import type { Db } from './db';
import { now, toTask, type TaskRow } from './executions';

export interface TaskQueue {
  /** Queues (or re-queues) a task, due at `availableAt` (ms since the epoch; default now). */
  enqueue(taskId: number, availableAt?: number): Promise<void>;
  dequeue(taskId: number): Promise<void>;
  /**
   * Takes the oldest queued task that is due and whose source artifact is not already being patched,
   * marks it Running and removes it from the queue, atomically.
   */
  claimNext(nowMs?: number): Promise<Task | undefined>;
  /** Milliseconds until the next queued task becomes due (undefined when the queue is empty). */
  nextDueInMs(nowMs?: number): Promise<number | undefined>;
  queuedTaskIds(): Promise<number[]>;
}

/** TaskQueue over SQLite. */
export class SqliteTaskQueue implements TaskQueue {
  constructor(private readonly db: Db) {}

  async enqueue(taskId: number, availableAt = Date.now()): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO patch_queue (task_id, enqueued_at, available_at) VALUES (?, ?, ?)')
      .run(taskId, now(), availableAt);
  }

  async dequeue(taskId: number): Promise<void> {
    this.db.prepare('DELETE FROM patch_queue WHERE task_id = ?').run(taskId);
  }

  /**
   * Takes the oldest queued task that is due and whose source artifact is not already being patched,
   * marks it Running and removes it from the queue, atomically.
   */
  async claimNext(nowMs = Date.now()): Promise<Task | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(
          `SELECT q.task_id FROM patch_queue q JOIN patch_tasks t ON t.id = q.task_id
           WHERE q.available_at <= ? AND t.status = 'Pending'
             AND NOT EXISTS (SELECT 1 FROM patch_tasks r WHERE r.status = 'Running'
                             AND r.source_digest = t.source_digest AND r.repository = t.repository AND r.project = t.project)
           ORDER BY q.available_at, q.task_id LIMIT 1`,
        )
        .get(nowMs) as { task_id: number } | undefined;
      if (!row) return undefined;
      this.db.prepare('DELETE FROM patch_queue WHERE task_id = ?').run(row.task_id);
      const ts = now();
      this.db
        .prepare(
          `UPDATE patch_tasks SET status = 'Running', attempt = attempt + 1, start_time = COALESCE(start_time, ?),
           progress_stage = 'Queued', progress_percent = 0, update_time = ? WHERE id = ?`,
        )
        .run(ts, ts, row.task_id);
      const claimed = this.db.prepare('SELECT * FROM patch_tasks WHERE id = ?').get(row.task_id) as TaskRow | undefined;
      return claimed && toTask(claimed);
    })();
  }

  /** Milliseconds until the next queued task becomes due (undefined when the queue is empty). */
  async nextDueInMs(nowMs = Date.now()): Promise<number | undefined> {
    const r = this.db.prepare('SELECT MIN(available_at) AS a FROM patch_queue').get() as { a: number | null };
    return r.a === null ? undefined : Math.max(0, r.a - nowMs);
  }

  async queuedTaskIds(): Promise<number[]> {
    return (this.db.prepare('SELECT task_id FROM patch_queue ORDER BY task_id').all() as { task_id: number }[]).map(
      (r) => r.task_id,
    );
  }
}
