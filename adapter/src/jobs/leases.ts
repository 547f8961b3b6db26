/**
 * A replica's claims on the tasks it runs, for several adapter processes sharing one PostgreSQL store. Every
 * claim is a lease (owner = this replica, until now + lease). Three timers keep them:
 *  - the heartbeat renews this replica's leases every third of the lease, and notices tasks it lost (another
 *    replica took them over after a renewal failed);
 *  - the watcher (same period, jittered, and once right at start) takes over Running tasks whose lease lapsed
 *    (their replica died or hangs) and hands each to the engine, which ends or re-queues it;
 *  - the stop check (about once a second, only while tasks run here) finds this replica's tasks that another
 *    replica was asked to stop.
 * A lapsed lease is seen within lease + lease/3 of the last renewal.
 */
import type { Task } from '../model/execution';
import type { Lease, TaskQueue } from '../store/queue';

export interface LeaseSettings {
  /** This replica's name: the owner of its leases. */
  replicaId: string;
  /** How long a claim lasts without renewal. */
  leaseMs: number;
}

/** Why the keeper asks the engine to abort one of its running tasks. */
export type LeaseAbort = 'stopped' | 'lease-lost';

export interface LeaseHooks {
  /** The tasks this replica runs now. */
  activeTaskIds(): number[];
  /** A Running task whose lease `lapsedOwner` let lapse, now leased to this replica: end or re-queue it. */
  takenOver(task: Task, lapsedOwner: string | null): Promise<void>;
  /** Stop a task running here: a stop was asked for on another replica, or its lease went to another replica. */
  abort(taskId: number, reason: LeaseAbort): void;
  /** A heartbeat, watch or stop check failed (the database); the next one tries again. */
  error(err: unknown): void;
}

const STOP_CHECK_MS = 1000;

export class LeaseKeeper {
  private heartbeat: NodeJS.Timeout | undefined;
  private stopCheck: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  /** Set by stopWatching: no more take-overs (the engine is shutting down). */
  private closing = false;
  private checkingStops = false;
  /** Tasks taken over whose handling failed, to try again. */
  private readonly takenOver = new Map<number, { task: Task; lapsedOwner: string | null }>();

  constructor(
    private readonly queue: TaskQueue,
    readonly settings: LeaseSettings,
    private readonly hooks: LeaseHooks,
  ) {}

  /** A fresh lease for a claim or take-over. */
  lease(nowMs = Date.now()): Lease {
    return { owner: this.settings.replicaId, expiresAt: nowMs + this.settings.leaseMs };
  }

  get period(): number {
    return Math.max(1, Math.floor(this.settings.leaseMs / 3));
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.beat(), this.period);
    this.heartbeat.unref();
    this.stopCheck = setInterval(() => void this.checkStops(), STOP_CHECK_MS);
    this.stopCheck.unref();
    this.closing = false;
    this.scheduleWatch(0);
  }

  /** Stops taking over tasks and checking for stops; the heartbeat goes on (running tasks are being put back). */
  stopWatching(): void {
    this.closing = true;
    clearTimeout(this.watcher);
    clearInterval(this.stopCheck);
  }

  stop(): void {
    this.stopWatching();
    clearInterval(this.heartbeat);
  }

  /** Renews this replica's leases; aborts the tasks another replica took over meanwhile. */
  async beat(): Promise<void> {
    try {
      const held = await this.queue.renewLeases(this.settings.replicaId, Date.now() + this.settings.leaseMs);
      const active = this.hooks.activeTaskIds();
      if (held < active.length)
        for (const id of await this.queue.leasesLost(this.settings.replicaId, active))
          this.hooks.abort(id, 'lease-lost');
    } catch (err) {
      this.hooks.error(err);
    }
  }

  /**
   * Takes over the Running tasks whose leases lapsed; of several replicas trying, one gets each. A task taken over
   * whose handling failed (the database) is this replica's now, and its heartbeat keeps the lease: it is tried
   * again at the next watch.
   */
  async watch(): Promise<void> {
    for (const [id, { task, lapsedOwner }] of this.takenOver) {
      if (this.closing) return;
      if (await this.handOver(task, lapsedOwner)) this.takenOver.delete(id);
    }
    try {
      const active = new Set(this.hooks.activeTaskIds());
      for (const t of await this.queue.expiredLeases()) {
        // Running here: its renewal is only late (a busy event loop); the next heartbeat renews it.
        if (active.has(t.id) || this.closing) continue;
        const before = await this.queue.leaseOf(t.id);
        if (!(await this.queue.takeOverLease(t.id, this.lease()))) continue;
        const lapsedOwner = before?.owner ?? null;
        if (!(await this.handOver(t, lapsedOwner))) this.takenOver.set(t.id, { task: t, lapsedOwner });
      }
    } catch (err) {
      this.hooks.error(err);
    }
  }

  private async handOver(task: Task, lapsedOwner: string | null): Promise<boolean> {
    try {
      await this.hooks.takenOver(task, lapsedOwner);
      return true;
    } catch (err) {
      this.hooks.error(err);
      return false;
    }
  }

  /** Aborts this replica's tasks that another replica was asked to stop. */
  async checkStops(): Promise<void> {
    const active = this.hooks.activeTaskIds();
    if (active.length === 0 || this.checkingStops) return;
    this.checkingStops = true;
    try {
      const asked = new Set(await this.queue.stopRequests(this.settings.replicaId));
      for (const id of active) if (asked.has(id)) this.hooks.abort(id, 'stopped');
    } catch (err) {
      this.hooks.error(err);
    } finally {
      this.checkingStops = false;
    }
  }

  private scheduleWatch(delayMs: number): void {
    if (this.closing) return;
    this.watcher = setTimeout(() => {
      void this.watch().finally(() => {
        // Jittered below the period, so replicas started together do not query in step.
        this.scheduleWatch(Math.floor(this.period * (0.85 + 0.15 * Math.random())));
      });
    }, delayMs);
    this.watcher.unref();
  }
}
