/**
 * The durable queue of tasks waiting for a worker (table `patch_queue`, created with the executions' tables).
 * A claim takes the oldest due task whose source artifact is not being patched and marks it Running.
 */
import type { Task } from '../model/execution';
import { sql } from 'kysely';
import type { Sql } from './schema';
import { now, toTask, type TaskRow } from './executions';

/** A claim's lease: the claiming process and when the claim lapses unless renewed (epoch ms). */
export interface Lease {
  owner: string;
  expiresAt: number;
}

export interface LeaseState {
  owner: string | null;
  expiresAt: number | null;
  stopRequested: boolean;
}

export interface TaskQueue {
  /** Queues (or re-queues) a task, due at `availableAt` (ms since the epoch; default now). */
  enqueue(taskId: number, availableAt?: number): Promise<void>;
  dequeue(taskId: number): Promise<void>;
  /**
   * Takes the oldest queued task that is due and whose source artifact is not already being patched,
   * marks it Running and removes it from the queue, atomically.
   */
  claimNext(nowMs?: number, lease?: Lease): Promise<Task | undefined>;
  /** Extends the leases of the Running tasks `owner` holds to `expiresAt` (the heartbeat); how many it holds. */
  renewLeases(owner: string, expiresAt: number): Promise<number>;
  /** Running tasks whose lease expired before `nowMs` (their process stopped renewing: it died or hangs). */
  expiredLeases(nowMs?: number): Promise<Task[]>;
  /**
   * Takes over the expired lease of a Running task for `lease.owner`, atomically: of several processes that try,
   * one gets true. The new owner then ends or re-queues the task as the start-up recovery does.
   */
  takeOverLease(taskId: number, lease: Lease, nowMs?: number): Promise<boolean>;
  /** Who holds a task's lease, until when, and whether a stop was asked for (undefined: no such task). */
  leaseOf(taskId: number): Promise<LeaseState | undefined>;
  /** Clears a task's lease (it goes back to the queue, or ends). */
  releaseLease(taskId: number): Promise<void>;
  /**
   * The Running tasks of this replica after a restart: those whose lease `owner` holds and, when `withoutOwner`,
   * those claimed before leases existed (no owner).
   */
  ownRunning(owner: string, withoutOwner: boolean): Promise<Task[]>;
  /** Of `taskIds`, those Running under another owner's lease (taken over from `owner`). */
  leasesLost(owner: string, taskIds: readonly number[]): Promise<number[]>;
  /**
   * Asks the replica that runs the task to stop it: true when another replica than `requester` holds a lease
   * on it that has not lapsed at `nowMs` (the owner then stops it); false and unchanged otherwise.
   */
  requestStop(taskId: number, requester: string, nowMs?: number): Promise<boolean>;
  /** The Running tasks `owner` holds that were asked to stop (see requestStop). */
  stopRequests(owner: string): Promise<number[]>;
  /** Milliseconds until the next queued task becomes due (undefined when the queue is empty). */
  nextDueInMs(nowMs?: number): Promise<number | undefined>;
  queuedTaskIds(): Promise<number[]>;
}

/** TaskQueue over the query layer (SQLite or PostgreSQL). */
export class SqlTaskQueue implements TaskQueue {
  constructor(private readonly q: Sql) {}

  async enqueue(taskId: number, availableAt = Date.now()): Promise<void> {
    await this.q.db
      .insertInto('patch_queue')
      .values({ task_id: taskId, enqueued_at: now(), available_at: availableAt })
      .onConflict((oc) =>
        oc.column('task_id').doUpdateSet((eb) => ({
          enqueued_at: eb.ref('excluded.enqueued_at'),
          available_at: eb.ref('excluded.available_at'),
        })),
      )
      .execute();
  }

  async dequeue(taskId: number): Promise<void> {
    await this.q.db.deleteFrom('patch_queue').where('task_id', '=', taskId).execute();
  }

  /**
   * Takes the oldest queued task that is due and whose source artifact is not already being patched,
   * marks it Running and removes it from the queue, atomically. On PostgreSQL the queue row is locked
   * with SKIP LOCKED, so replicas claiming at the same time take different tasks.
   */
  async claimNext(nowMs = Date.now(), lease?: Lease): Promise<Task | undefined> {
    return this.q.db.transaction().execute(async (tx) => {
      let next = tx
        .selectFrom('patch_queue as q')
        .innerJoin('patch_tasks as t', 't.id', 'q.task_id')
        .select('q.task_id')
        .where('q.available_at', '<=', nowMs)
        .where('t.status', '=', 'Pending')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('patch_tasks as r')
                .select(sql`1`.as('one'))
                .where('r.status', '=', 'Running')
                .whereRef('r.source_digest', '=', 't.source_digest')
                .whereRef('r.repository', '=', 't.repository')
                .whereRef('r.project', '=', 't.project'),
            ),
          ),
        )
        .orderBy('q.available_at')
        .orderBy('q.task_id')
        .limit(1);
      if (this.q.engine === 'postgres') next = next.modifyEnd(sql`FOR UPDATE OF q SKIP LOCKED`);
      const row = await next.executeTakeFirst();
      if (!row) return undefined;
      await tx.deleteFrom('patch_queue').where('task_id', '=', row.task_id).execute();
      const ts = now();
      const claimed = await tx
        .updateTable('patch_tasks')
        .set((eb) => ({
          status: 'Running',
          attempt: eb('attempt', '+', 1),
          start_time: eb.fn.coalesce('start_time', eb.val(ts)),
          progress_stage: 'Queued',
          progress_percent: 0,
          update_time: ts,
          lease_owner: lease?.owner ?? null,
          lease_expires_at: lease?.expiresAt ?? null,
        }))
        .where('id', '=', row.task_id)
        .returningAll()
        .executeTakeFirst();
      return claimed && toTask(claimed as TaskRow);
    });
  }

  async renewLeases(owner: string, expiresAt: number): Promise<number> {
    const r = await this.q.db
      .updateTable('patch_tasks')
      .set({ lease_expires_at: expiresAt })
      .where('status', '=', 'Running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async expiredLeases(nowMs = Date.now()): Promise<Task[]> {
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('status', '=', 'Running')
      .where('lease_expires_at', '<', nowMs)
      .orderBy('id')
      .execute();
    return rows.map((r) => toTask(r as TaskRow));
  }

  async takeOverLease(taskId: number, lease: Lease, nowMs = Date.now()): Promise<boolean> {
    // One conditional UPDATE: the row is locked while it is checked and changed, on both engines.
    const r = await this.q.db
      .updateTable('patch_tasks')
      .set({ lease_owner: lease.owner, lease_expires_at: lease.expiresAt })
      .where('id', '=', taskId)
      .where('status', '=', 'Running')
      .where('lease_expires_at', '<', nowMs)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async leaseOf(taskId: number): Promise<LeaseState | undefined> {
    const r = await this.q.db
      .selectFrom('patch_tasks')
      .select(['lease_owner', 'lease_expires_at', 'stop_requested'])
      .where('id', '=', taskId)
      .executeTakeFirst();
    return (
      r && {
        owner: r.lease_owner,
        expiresAt: r.lease_expires_at === null ? null : Number(r.lease_expires_at),
        stopRequested: Number(r.stop_requested) === 1,
      }
    );
  }

  async releaseLease(taskId: number): Promise<void> {
    await this.q.db
      .updateTable('patch_tasks')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', taskId)
      .execute();
  }

  async ownRunning(owner: string, withoutOwner: boolean): Promise<Task[]> {
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('status', '=', 'Running')
      .where((eb) =>
        withoutOwner
          ? eb.or([eb('lease_owner', '=', owner), eb('lease_owner', 'is', null)])
          : eb('lease_owner', '=', owner),
      )
      .orderBy('id')
      .execute();
    return rows.map((r) => toTask(r as TaskRow));
  }

  async leasesLost(owner: string, taskIds: readonly number[]): Promise<number[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .select('id')
      .where('id', 'in', [...taskIds])
      .where('status', '=', 'Running')
      .where('lease_owner', '<>', owner)
      .execute();
    return rows.map((r) => r.id);
  }

  async requestStop(taskId: number, requester: string, nowMs = Date.now()): Promise<boolean> {
    const r = await this.q.db
      .updateTable('patch_tasks')
      .set({ stop_requested: 1 })
      .where('id', '=', taskId)
      .where('status', '=', 'Running')
      .where('lease_owner', 'is not', null)
      .where('lease_owner', '<>', requester)
      .where('lease_expires_at', '>=', nowMs)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async stopRequests(owner: string): Promise<number[]> {
    // The partial index patch_tasks_stop_requested holds only the rows asked to stop.
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .select('id')
      .where('stop_requested', '=', 1)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'Running')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Milliseconds until the next queued task becomes due (undefined when the queue is empty). */
  async nextDueInMs(nowMs = Date.now()): Promise<number | undefined> {
    const r = await this.q.db
      .selectFrom('patch_queue')
      .select((eb) => eb.fn.min('available_at').as('a'))
      .executeTakeFirst();
    return r?.a === null || r?.a === undefined ? undefined : Math.max(0, Number(r.a) - nowMs);
  }

  async queuedTaskIds(): Promise<number[]> {
    const rows = await this.q.db.selectFrom('patch_queue').select('task_id').orderBy('task_id').execute();
    return rows.map((r) => r.task_id);
  }
}
