/**
 * The patch job engine: executions and tasks over the durable queue, a worker pool (tasks in
 * progress at once, one task per source artifact at a time), stop and per-task timeout (killing copa's
 * process group), retries with backoff for transient failures, and recovery after a crash. Several
 * engines (replicas) may share one PostgreSQL store: each claims tasks with a lease it keeps renewing,
 * takes over the tasks of a replica whose leases lapsed, and stops its tasks when another replica was
 * asked to (jobs/leases.ts). The copa run
 * inside a task takes its own slot on a buildkitd endpoint (jobs/buildkit-pool.ts): the worker pool
 * bounds the work on Harbor and the registry, the copa slots bound the work on buildkitd.
 *
 * Other modules (policy runs, ad-hoc patch, jobservice) use: createExecution, addTask, enqueue,
 * completeExecution, patchArtifact, stopExecution, stopTask, and the 'task'/'execution' events.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PATCH_OPTIONS,
  type Execution,
  type ExecutionTrigger,
  type PatchOptions,
  type Task,
  type TaskProgress,
} from '../model/execution';
import type { ExecutionStore, TaskUpdate } from '../store/executions';
import type { TaskQueue } from '../store/queue';
import { runPatchTask, classifyError, abortedOutcome, type PatchDeps } from '../patch/task';
import { PatchOutcome } from '../patch/reasons';
import { killProcessGroup } from '../patch/copa';
import { explainRefusal, robotPreflight } from '../patch/robot';
import type { ServiceRobot } from '../harbor/robot';
import { copaStageReached } from '../patch/progress';
import { TaskLogs } from './logs';
import { LeaseKeeper } from './leases';

const INTERRUPTED_MESSAGE = 'The patching service restarted while this task was running. Run the patch again.';

export interface EngineConfig {
  /**
   * Tasks in progress at once across all executions (scans, registry reads, verification, labels,
   * re-scans, and waiting for or running copa).
   */
  taskConcurrency: number;
  /** A task that runs longer is stopped as TIMEOUT. */
  taskTimeoutMs: number;
  /** Attempts for transient failures (registry/Harbor 5xx or unreachable, buildkitd not ready). */
  maxAttempts: number;
  /** First retry delay; doubles with every attempt. */
  retryBaseMs: number;
  /** Holds per-task work dirs (wiped at start), the pids of running copa processes, and task logs. */
  dataDir: string;
  /** This replica's name: the owner of the leases on the tasks it runs. */
  replicaId: string;
  /** How long a claim lasts without a heartbeat (renewed every third of it). */
  leaseMs: number;
  /**
   * The store has no other replica (SQLite): every Running task found at start is this process's own, whatever
   * replica name it was claimed under.
   */
  soleReplica?: boolean;
}

/** taskConcurrency has no default here: it follows the copa slots (wiring.ts). */
export const DEFAULT_ENGINE_CONFIG: Omit<EngineConfig, 'dataDir' | 'taskConcurrency' | 'replicaId' | 'soleReplica'> = {
  taskTimeoutMs: 30 * 60_000,
  maxAttempts: 3,
  retryBaseMs: 15_000,
  leaseMs: 30_000,
};

export interface ArtifactRef {
  repository: string;
  tag?: string | null;
  digest: string;
}

export interface EngineEvents {
  task: [Task];
  execution: [Execution];
  /** A running task's stage or percent changed (as stored). */
  progress: [number, TaskProgress];
  /** The queue could not be read (the database failed). */
  error: [unknown];
}

export class PatchEngine extends EventEmitter<EngineEvents> {
  private readonly active = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly lastProgressWrite = new Map<number, number>();
  private pumping = false;
  private pumpAgain = false;
  /** Claimed tasks not yet in `active`. */
  private starting = 0;
  /** The last ad-hoc request per artifact (project/repository@digest), to handle them one at a time. */
  private readonly artifactLocks = new Map<string, Promise<void>>();
  readonly logs: TaskLogs;
  readonly workRoot: string;
  /** One file per running copa process, `<taskId>` holding its pid: killed at the next start if still there. */
  readonly copaPidDir: string;
  readonly leases: LeaseKeeper;

  constructor(
    readonly store: ExecutionStore,
    private readonly queue: TaskQueue,
    private readonly deps: Omit<PatchDeps, 'workRoot'>,
    readonly config: EngineConfig,
    logs: TaskLogs,
    /** Checked before each task, and asked which problem it has when Harbor or the registry refused it. */
    readonly robot?: ServiceRobot,
  ) {
    super();
    this.logs = logs;
    this.workRoot = join(config.dataDir, 'work');
    this.copaPidDir = join(config.dataDir, 'copa-pids');
    this.leases = new LeaseKeeper(
      queue,
      { replicaId: config.replicaId, leaseMs: config.leaseMs },
      {
        activeTaskIds: () => [...this.active.keys()],
        takenOver: async (taken, lapsedOwner) => {
          // Read again: a second try after a failure finds it handled (no longer Running under this lease).
          const task = await this.store.getTask(taken.id);
          if (task?.status !== 'Running' || (await this.queue.leaseOf(task.id))?.owner !== config.replicaId) return;
          this.logs.append(
            task.id,
            `the lease of replica ${lapsedOwner ?? '(none)'} on this task lapsed; replica ${config.replicaId} took it over`,
          );
          await this.recoverTask(task);
        },
        abort: (taskId, reason) => this.active.get(taskId)?.abort(reason),
        // Not fatal: the next heartbeat, watch or check tries again.
        error: (err) => void (this.listenerCount('error') > 0 && this.emit('error', err)),
      },
    );
  }

  // ---- lifecycle ----

  /** Recovers from a previous crash, then starts taking tasks from the queue and keeping their leases. */
  async start(): Promise<void> {
    await this.recover();
    this.running = true;
    this.leases.start();
    this.timer = setInterval(() => this.pump(), 1000);
    this.timer.unref();
    this.pump();
  }

  /** Stops taking tasks; running tasks are stopped and put back in the queue for the next start. */
  async close(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.leases.stopWatching();
    const waits: Promise<void>[] = [];
    for (const [id, ac] of this.active) {
      ac.abort('shutdown');
      waits.push(
        new Promise((resolve) => {
          const check = () => (this.active.has(id) ? setTimeout(check, 50) : resolve());
          check();
        }),
      );
    }
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.leases.stop();
    await this.logs.flush();
  }

  /**
   * This replica's tasks left Running by a crash go by `recoverTask` (another live replica's are left alone;
   * those of a dead one are the lease watcher's); copa processes this replica started and that still run are
   * killed; per-task work dirs (with credentials) are removed.
   */
  async recover(): Promise<void> {
    const own = this.config.soleReplica
      ? await this.store.tasksWithStatus('Running')
      : await this.queue.ownRunning(this.config.replicaId, true);
    for (const t of own) {
      if (t.copa_pid && isCopaProcess(t.copa_pid, this.deps.copaPath)) {
        this.logs.append(t.id, `killing copa process group ${t.copa_pid} left from before the restart`);
        await killProcessGroup(t.copa_pid, 2000);
      }
      this.logs.append(t.id, 'the adapter stopped while this task was running');
      await this.recoverTask(t);
    }
    // The database's copa_pid may be gone (another replica took the task over): the local record is not.
    await this.killRecordedCopa();
    if (existsSync(this.workRoot)) {
      for (const entry of readdirSync(this.workRoot))
        rmSync(join(this.workRoot, entry), { recursive: true, force: true });
    }
    mkdirSync(this.workRoot, { recursive: true, mode: 0o700 });
  }

  /**
   * A task left Running by a replica that stopped (this one before its restart, or another whose lease lapsed).
   * Asked to stop: it ends Stopped. copa may have started (a pid or copa time recorded, or the copa stage or
   * later reached): it ends Error INTERRUPTED, as copa may have pushed. Else it goes back to the queue, unless
   * that attempt was its last (then INTERRUPTED too, so repeated crashes end).
   */
  private async recoverTask(t: Task): Promise<void> {
    const lease = await this.queue.leaseOf(t.id);
    const copaMayHaveRun = t.copa_pid !== null || (t.copa_seconds ?? 0) > 0 || copaStageReached(t.progress?.stage);
    if (lease?.stopRequested) {
      this.logs.append(t.id, 'a stop was asked for: the task ends Stopped');
      await this.finish(t.id, 'Stopped', 'STOPPED', 'Stopped on request.');
    } else if (copaMayHaveRun || t.attempt >= this.config.maxAttempts) {
      this.logs.append(
        t.id,
        copaMayHaveRun
          ? 'copa may have started: the task ends INTERRUPTED'
          : `attempt ${t.attempt} of ${this.config.maxAttempts} was its last: the task ends INTERRUPTED`,
      );
      await this.finish(t.id, 'Error', 'INTERRUPTED', INTERRUPTED_MESSAGE);
    } else {
      this.logs.append(t.id, 'copa had not started: the task goes back to the queue');
      await this.store.updateTask(t.id, { status: 'Pending', progress: null, copa_pid: null });
      await this.queue.releaseLease(t.id);
      await this.queue.enqueue(t.id);
      await this.emitTask(t.id);
      setImmediate(() => this.pump());
    }
  }

  /** Kills the copa processes recorded in copaPidDir that still run (a pid reused by another program is left). */
  private async killRecordedCopa(): Promise<void> {
    mkdirSync(this.copaPidDir, { recursive: true, mode: 0o700 });
    for (const entry of readdirSync(this.copaPidDir)) {
      const file = join(this.copaPidDir, entry);
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1 && isCopaProcess(pid, this.deps.copaPath)) {
        if (/^\d+$/.test(entry))
          this.logs.append(Number(entry), `killing copa process group ${pid} this replica left running`);
        await killProcessGroup(pid, 2000);
      }
      rmSync(file, { force: true });
    }
  }

  private recordCopaPid(taskId: number, pid: number | null): void {
    const file = join(this.copaPidDir, String(taskId));
    if (pid === null) rmSync(file, { force: true });
    else {
      mkdirSync(this.copaPidDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${pid}\n`, { mode: 0o600 });
    }
  }

  // ---- executions and tasks ----

  createExecution(input: {
    project: string;
    policy_id?: number | null;
    trigger: ExecutionTrigger;
    options?: Partial<PatchOptions>;
    status_message?: string;
  }): Promise<Execution> {
    return this.store.insertExecution({
      project: input.project,
      policy_id: input.policy_id ?? null,
      trigger: input.trigger,
      options: { ...DEFAULT_PATCH_OPTIONS, ...input.options },
      status_message: input.status_message,
    });
  }

  /** Adds one artifact to an execution and (by default) queues it. */
  async addTask(executionId: number, artifact: ArtifactRef, opts: { enqueue?: boolean } = {}): Promise<Task> {
    const e = await this.store.getExecution(executionId);
    if (!e) throw new Error(`execution ${executionId} does not exist`);
    const task = await this.store.insertTask({
      execution_id: executionId,
      project: e.project,
      repository: artifact.repository,
      tag: artifact.tag ?? null,
      source_digest: artifact.digest,
    });
    this.logs.append(
      task.id,
      `queued ${e.project}/${artifact.repository}${artifact.tag ? `:${artifact.tag}` : ''}@${artifact.digest}`,
    );
    if (opts.enqueue !== false) await this.enqueue(task.id);
    return task;
  }

  /** Queues the task, due now or at `availableAt` (ms since the epoch). */
  async enqueue(taskId: number, availableAt?: number): Promise<void> {
    await this.queue.enqueue(taskId, availableAt);
    setImmediate(() => this.pump());
  }

  /** For an execution that got no tasks: ends it Success with a message (e.g. "no artifact matched"). */
  async completeExecution(executionId: number, message: string): Promise<Execution | undefined> {
    const e = await this.store.getExecution(executionId);
    if (!e) return undefined;
    if (e.metrics.total === 0) await this.store.setExecutionFinal(executionId, 'Success', message);
    else await this.store.setExecutionMessage(executionId, message);
    const after = await this.store.refreshExecution(executionId);
    if (after) this.emit('execution', after);
    return after;
  }

  /**
   * Ad-hoc patch of one artifact; joins a Pending/Running task of the same artifact if there is one.
   * Requests for the same artifact are handled one after the other, across processes (`forArtifact`).
   */
  patchArtifact(input: {
    project: string;
    artifact: ArtifactRef;
    trigger?: ExecutionTrigger;
    options?: Partial<PatchOptions>;
  }): Promise<{ execution: Execution; task: Task; joined: boolean }> {
    return this.forArtifact(input.project, input.artifact.repository, input.artifact.digest, () =>
      this.patchArtifactNow(input),
    );
  }

  /**
   * Runs `fn` after every earlier `fn` given for the same artifact has ended, in this process and (through the
   * store's lock) in every other process sharing the database: a look for an active task and the insert of a
   * new one are not interleaved with another request's.
   */
  forArtifact<T>(project: string, repository: string, digest: string, fn: () => Promise<T>): Promise<T> {
    const key = `${project}/${repository}@${digest}`;
    const run = (this.artifactLocks.get(key) ?? Promise.resolve()).then(() => this.store.withArtifactLock(key, fn));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.artifactLocks.set(key, tail);
    void tail.then(() => {
      if (this.artifactLocks.get(key) === tail) this.artifactLocks.delete(key);
    });
    return run;
  }

  private async patchArtifactNow(input: {
    project: string;
    artifact: ArtifactRef;
    trigger?: ExecutionTrigger;
    options?: Partial<PatchOptions>;
  }): Promise<{ execution: Execution; task: Task; joined: boolean }> {
    const existing = await this.store.activeTaskForDigest(
      input.project,
      input.artifact.repository,
      input.artifact.digest,
    );
    if (existing)
      return { execution: (await this.store.getExecution(existing.execution_id))!, task: existing, joined: true };
    const execution = await this.createExecution({
      project: input.project,
      trigger: input.trigger ?? 'ADHOC',
      options: input.options,
    });
    const task = await this.addTask(execution.id, input.artifact);
    return { execution: (await this.store.getExecution(execution.id))!, task, joined: false };
  }

  async stopTask(taskId: number): Promise<Task | undefined> {
    const t = await this.store.getTask(taskId);
    if (!t) return undefined;
    if (t.status === 'Pending') {
      await this.queue.dequeue(taskId);
      await this.finish(taskId, 'Stopped', 'STOPPED', 'Stopped on request before it started.');
    } else if (t.status === 'Running') {
      const ac = this.active.get(taskId);
      if (ac) ac.abort('stopped');
      // Another replica runs it under a live lease: that one stops it (LeaseKeeper.checkStops).
      else if (await this.queue.requestStop(taskId, this.config.replicaId)) return t;
      else await this.finish(taskId, 'Stopped', 'STOPPED', 'Stopped on request.');
    }
    return this.store.getTask(taskId);
  }

  async stopExecution(executionId: number): Promise<Execution | undefined> {
    const e = await this.store.getExecution(executionId);
    if (!e) return undefined;
    for (const t of await this.store.tasksOfExecution(executionId, ['Pending', 'Running'])) await this.stopTask(t.id);
    if (e.metrics.total === 0 && e.status === 'Running')
      await this.store.setExecutionFinal(executionId, 'Stopped', 'Stopped on request.');
    return this.store.refreshExecution(executionId);
  }

  /** Resolves when the task is final (for tests and the jobservice API). */
  async waitForTask(taskId: number, timeoutMs = 600_000): Promise<Task> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const t = await this.store.getTask(taskId);
      if (!t) throw new Error(`task ${taskId} does not exist`);
      if (!['Pending', 'Running'].includes(t.status)) return t;
      if (Date.now() > until) throw new Error(`task ${taskId} still ${t.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get activeCount(): number {
    return this.active.size;
  }

  // ---- the worker pool ----

  /**
   * Fills free worker slots from the queue. One pass at a time: a pump asked for while one runs is done
   * right after it, so no claim is missed and the slots are never over-filled.
   */
  private pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.fillSlots()
      .catch((err: unknown) => this.emit('error', err))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async fillSlots(): Promise<void> {
    while (this.running && this.active.size + this.starting < this.config.taskConcurrency) {
      const task = await this.queue.claimNext(Date.now(), this.leases.lease());
      if (!task) break;
      this.starting++;
      try {
        await this.emitTask(task.id);
      } finally {
        this.starting--;
      }
      void this.execute(task);
    }
  }

  private async execute(task: Task): Promise<void> {
    const ac = new AbortController();
    this.active.set(task.id, ac);
    const timeout = setTimeout(() => ac.abort('timeout'), this.config.taskTimeoutMs);
    this.logs.append(task.id, `attempt ${task.attempt} of ${this.config.maxAttempts} started`);
    try {
      const execution = (await this.store.getExecution(task.execution_id))!;
      const refused = this.robot && (await robotPreflight(this.robot, task.project));
      if (refused) throw refused;
      // Progress and partial results are written one after the other, in the order they were reported.
      let writes: Promise<void> = Promise.resolve();
      const serial = (write: () => Promise<void>): Promise<void> => {
        const next = writes.then(write);
        writes = next.catch(() => undefined);
        return next;
      };
      const result = await runPatchTask(
        { ...this.deps, workRoot: this.workRoot },
        {
          task,
          options: execution.options,
          signal: ac.signal,
          log: (line) => this.logs.append(task.id, line),
          progress: (p) =>
            void serial(() => this.setProgress(task.id, p)).catch((err: unknown) => {
              this.logs.append(task.id, `could not record progress: ${String(err)}`);
            }),
          sourceTagsPatchedInto: (digest) => this.store.sourceTagsPatchedInto(task.project, task.repository, digest),
          record: (fields) => {
            if (fields.copa_pid !== undefined) this.recordCopaPid(task.id, fields.copa_pid);
            return serial(async () => {
              const { copa_seconds, ...rest } = fields;
              const prev = (await this.store.getTask(task.id))?.copa_seconds ?? 0;
              await this.store.updateTask(task.id, {
                ...rest,
                ...(copa_seconds !== undefined ? { copa_seconds: prev + copa_seconds } : {}),
              });
            });
          },
        },
      );
      await writes;
      this.logs.append(task.id, result.message);
      if (!(await this.finish(task.id, result.status, result.reason ?? null, result.message, true))) {
        throw new Error('lease lost');
      }
    } catch (err) {
      if (ac.signal.reason === 'lease-lost' || !(await this.stillOwns(task.id).catch(() => true))) {
        return this.lostLease(task.id);
      }
      // A stop or timeout wins over whatever the interrupted stage threw.
      const aborted = ac.signal.aborted && ac.signal.reason !== 'shutdown';
      let outcome = aborted
        ? abortedOutcome(ac.signal)
        : err instanceof PatchOutcome
          ? err
          : classifyError(err, 'patching');
      if (this.robot && !ac.signal.aborted) outcome = await explainRefusal(this.robot, task.project, outcome);
      if (ac.signal.reason === 'shutdown') {
        // Graceful shutdown: put it back for the next start.
        this.logs.append(task.id, 'the service is shutting down; the task goes back to the queue');
        const requeued = await this.writeOwned(task.id, {
          status: 'Pending',
          progress: null,
          copa_pid: null,
          attempt: task.attempt - 1,
        });
        if (!requeued) return this.lostLease(task.id);
        await this.queue.releaseLease(task.id);
        await this.queue.enqueue(task.id);
      } else if (outcome.transient && task.attempt < this.config.maxAttempts && !ac.signal.aborted) {
        const delay = this.config.retryBaseMs * 2 ** (task.attempt - 1);
        this.logs.append(task.id, `${outcome.code}: ${outcome.message}`);
        this.logs.append(task.id, `transient failure: retrying in ${Math.round(delay / 1000)} s`);
        const requeued = await this.writeOwned(task.id, {
          status: 'Pending',
          reason: outcome.code,
          status_message: this.logs.scrub(
            `Attempt ${task.attempt} failed (${outcome.message}); retrying in ${Math.round(delay / 1000)} s.`,
          ),
          progress: null,
          copa_pid: null,
        });
        if (!requeued) return this.lostLease(task.id);
        await this.queue.releaseLease(task.id);
        await this.queue.enqueue(task.id, Date.now() + delay);
        await this.emitTask(task.id);
      } else {
        this.logs.append(task.id, `${outcome.code}: ${outcome.message}`);
        if (!(await this.finish(task.id, outcome.status, outcome.code, outcome.message, true))) this.lostLease(task.id);
      }
    } finally {
      clearTimeout(timeout);
      this.recordCopaPid(task.id, null);
      this.active.delete(task.id);
      this.lastProgressWrite.delete(task.id);
      setImmediate(() => this.pump());
    }
  }

  private async setProgress(taskId: number, p: TaskProgress): Promise<void> {
    const now = Date.now();
    const last = this.lastProgressWrite.get(taskId) ?? 0;
    const current = (await this.store.getTask(taskId))?.progress;
    if (current?.stage === p.stage && now - last < 500 && p.percent !== 100) return;
    this.lastProgressWrite.set(taskId, now);
    await this.store.updateTask(taskId, { progress: p });
    this.emit('progress', taskId, p);
  }

  /**
   * Whether this replica still holds the task's lease: one whose heartbeat was late may have lost the task to
   * another replica, which then decides its end.
   */
  private async stillOwns(taskId: number): Promise<boolean> {
    if (this.config.soleReplica) return true;
    return (await this.queue.leaseOf(taskId))?.owner === this.config.replicaId;
  }

  /**
   * A task's end, or its return to the queue, written only while this replica holds the task's lease: the lease
   * is checked in the same statement, so a replica that lost it in the meantime writes nothing.
   */
  private writeOwned(taskId: number, fields: TaskUpdate): Promise<boolean> {
    return this.store.updateTask(taskId, fields, this.config.soleReplica ? {} : { leaseOwner: this.config.replicaId });
  }

  /** The task is another replica's now: it decides what becomes of it. */
  private lostLease(taskId: number): void {
    this.logs.append(taskId, `replica ${this.config.replicaId} lost its lease on this task: it stops here`);
  }

  /**
   * Writes the task's end. A run's own end (`asLeaseHolder`) is written only while this replica holds the lease:
   * false when it no longer does (nothing written). Recovery and stops of tasks nobody runs write it in any case.
   */
  private async finish(
    taskId: number,
    status: Task['status'],
    reason: Task['reason'],
    message: string,
    asLeaseHolder = false,
  ): Promise<boolean> {
    const t = await this.store.getTask(taskId);
    if (!t) return true;
    // Whoever sees the task final reads its whole log.
    await this.logs.flush(taskId);
    const fields: TaskUpdate = {
      status,
      reason,
      // Messages quote Harbor, the registry and copa: they pass the same scrubber as the log.
      status_message: this.logs.scrub(message),
      end_time: new Date().toISOString(),
      copa_pid: null,
      progress: status === 'Success' ? { stage: 'Done', percent: 100 } : t.progress,
    };
    const written = asLeaseHolder ? await this.writeOwned(taskId, fields) : await this.store.updateTask(taskId, fields);
    if (written) await this.emitTask(taskId);
    return written;
  }

  private async emitTask(taskId: number): Promise<void> {
    const t = await this.store.getTask(taskId);
    if (!t) return;
    const before = (await this.store.getExecution(t.execution_id))?.status;
    const e = await this.store.refreshExecution(t.execution_id);
    this.emit('task', t);
    if (e && e.status !== before) this.emit('execution', e);
  }
}

/** Whether `pid` is still a copa process (so a recorded pid that was reused by something else is left alone). */
export function isCopaProcess(pid: number, copaPath: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const exe = cmdline[0] ?? '';
    return exe === copaPath || /(^|\/)(copa|copacetic)$/.test(exe);
  } catch {
    return false;
  }
}
