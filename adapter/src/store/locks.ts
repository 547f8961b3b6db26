/**
 * Named locks that hold across every process sharing the database. On PostgreSQL a session advisory lock on a
 * connection kept for the whole of the locked work; on SQLite one process owns the file, so the callers'
 * in-process ordering is already enough and the work just runs.
 */
import { sql } from 'kysely';
import type { Sql } from './schema';

export interface DatabaseLocks {
  /** Runs `fn` while holding the lock `key` (waiting for whoever holds it, in this or another process). */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class SqlLocks implements DatabaseLocks {
  private held = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxHeld: number;

  /**
   * A held lock keeps one connection of the pool, and the locked work needs others: at most half of the pool's
   * connections hold (or wait for) a lock at a time, so the work always finds one.
   */
  constructor(private readonly q: Sql) {
    this.maxHeld = Math.max(1, Math.floor((q.poolSize ?? 10) / 2));
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // A pool of one connection cannot hold a lock and do the work: such a process is alone (a tiny install).
    if (this.q.engine !== 'postgres' || (this.q.poolSize ?? 10) < 2) return fn();
    await this.slot();
    try {
      return await this.q.db.connection().execute(async (conn) => {
        await sql`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn);
        }
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    }
  }

  private async slot(): Promise<void> {
    if (this.held < this.maxHeld) {
      this.held++;
      return;
    }
    // The one who frees a slot hands it over (held stays counted).
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}
