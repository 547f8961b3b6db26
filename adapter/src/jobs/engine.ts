/**
 * The patch job engine: executions and tasks over the durable SQLite queue, a worker pool (tasks in
 * progress at once, one task per source artifact at a time), stop and per-task timeout (killing copa's
 * process group), retries with backoff for transient failures, and recovery after a crash. The copa run
 * inside a task takes its own slot on a buildkitd endpoint (jobs/buildkit-pool.ts): the worker pool
 * bounds the work on Harbor and the registry, the copa slots bound the work on buildkitd.
 *
 * Other modules (policy runs, ad-hoc patch, jobservice) use: createExecution, addTask, enqueue,
 * completeExecution, patchArtifact, stopExecution, stopTask, and the 'task'/'execution' events.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PATCH_OPTIONS,
  type Execution,
  type ExecutionTrigger,
  type PatchOptions,
  type Task,
  type TaskProgress,
} from '../model/execution';
import type { ExecutionStore } from '../store/executions';
import type { TaskQueue } from '../store/queue';
import { runPatchTask, classifyError, abortedOutcome, type PatchDeps } from '../patch/task';
import { PatchOutcome } from '../patch/reasons';
import { killProcessGroup } from '../patch/copa';
import { explainRefusal, robotPreflight } from '../patch/robot';
import type { ServiceRobot } from '../harbor/robot';
import { TaskLogs } from './logs';

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
  /** Holds per-task work dirs (wiped at start) and task logs. */
  dataDir: string;
}

/** taskConcurrency has no default here: it follows the copa slots (wiring.ts). */
export const DEFAULT_ENGINE_CONFIG: Omit<EngineConfig, 'dataDir' | 'taskConcurrency'> = {
  taskTimeoutMs: 30 * 60_000,
  maxAttempts: 3,
  retryBaseMs: 15_000,
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
}

export class PatchEngine extends EventEmitter<EngineEvents> {
  private readonly active = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly lastProgressWrite = new Map<number, number>();
  readonly logs: TaskLogs;
  readonly workRoot: string;

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
  }

  // ---- lifecycle ----

  /** Recovers from a previous crash, then starts taking tasks from the queue. */
  async start(): Promise<void> {
    await this.recover();
    this.running = true;
    this.timer = setInterval(() => this.pump(), 1000);
    this.timer.unref();
    this.pump();
  }

  /** Stops taking tasks; running tasks are stopped and put back in the queue for the next start. */
  async close(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
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
  }

  /**
   * Tasks left Running by a crash end as Error INTERRUPTED; copa processes they started and that still
   * run are killed; per-task work dirs (with credentials) are removed.
   */
  async recover(): Promise<void> {
    for (const t of this.store.tasksWithStatus('Running')) {
      if (t.copa_pid && isCopaProcess(t.copa_pid, this.deps.copaPath)) {
        this.logs.append(t.id, `killing copa process group ${t.copa_pid} left from before the restart`);
        await killProcessGroup(t.copa_pid, 2000);
      }
      this.logs.append(t.id, 'the adapter stopped while this task was running');
      this.finish(
        t.id,
        'Error',
        'INTERRUPTED',
        'The patching service restarted while this task was running. Run the patch again.',
      );
    }
    if (existsSync(this.workRoot)) {
      for (const entry of readdirSync(this.workRoot))
        rmSync(join(this.workRoot, entry), { recursive: true, force: true });
    }
    mkdirSync(this.workRoot, { recursive: true, mode: 0o700 });
  }

  // ---- executions and tasks ----

  createExecution(input: {
    project: string;
    policy_id?: number | null;
    trigger: ExecutionTrigger;
    options?: Partial<PatchOptions>;
    status_message?: string;
  }): Execution {
    return this.store.insertExecution({
      project: input.project,
      policy_id: input.policy_id ?? null,
      trigger: input.trigger,
      options: { ...DEFAULT_PATCH_OPTIONS, ...input.options },
      status_message: input.status_message,
    });
  }

  /** Adds one artifact to an execution and (by default) queues it. */
  addTask(executionId: number, artifact: ArtifactRef, opts: { enqueue?: boolean } = {}): Task {
    const e = this.store.getExecution(executionId);
    if (!e) throw new Error(`execution ${executionId} does not exist`);
    const task = this.store.insertTask({
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
    if (opts.enqueue !== false) this.enqueue(task.id);
    return task;
  }

  /** Queues the task, due now or at `availableAt` (ms since the epoch). */
  enqueue(taskId: number, availableAt?: number): void {
    this.queue.enqueue(taskId, availableAt);
    setImmediate(() => this.pump());
  }

  /** For an execution that got no tasks: ends it Success with a message (e.g. "no artifact matched"). */
  completeExecution(executionId: number, message: string): Execution | undefined {
    const e = this.store.getExecution(executionId);
    if (!e) return undefined;
    if (e.metrics.total === 0) this.store.setExecutionFinal(executionId, 'Success', message);
    else this.store.setExecutionMessage(executionId, message);
    const after = this.store.refreshExecution(executionId);
    if (after) this.emit('execution', after);
    return after;
  }

  /** Ad-hoc patch of one artifact; joins a Pending/Running task of the same artifact if there is one. */
  patchArtifact(input: {
    project: string;
    artifact: ArtifactRef;
    trigger?: ExecutionTrigger;
    options?: Partial<PatchOptions>;
  }): { execution: Execution; task: Task; joined: boolean } {
    const existing = this.store.activeTaskForDigest(input.project, input.artifact.repository, input.artifact.digest);
    if (existing) return { execution: this.store.getExecution(existing.execution_id)!, task: existing, joined: true };
    const execution = this.createExecution({
      project: input.project,
      trigger: input.trigger ?? 'ADHOC',
      options: input.options,
    });
    const task = this.addTask(execution.id, input.artifact);
    return { execution: this.store.getExecution(execution.id)!, task, joined: false };
  }

  stopTask(taskId: number): Task | undefined {
    const t = this.store.getTask(taskId);
    if (!t) return undefined;
    if (t.status === 'Pending') {
      this.queue.dequeue(taskId);
      this.finish(taskId, 'Stopped', 'STOPPED', 'Stopped on request before it started.');
    } else if (t.status === 'Running') {
      const ac = this.active.get(taskId);
      if (ac) ac.abort('stopped');
      else this.finish(taskId, 'Stopped', 'STOPPED', 'Stopped on request.');
    }
    return this.store.getTask(taskId);
  }

  stopExecution(executionId: number): Execution | undefined {
    const e = this.store.getExecution(executionId);
    if (!e) return undefined;
    for (const t of this.store.tasksOfExecution(executionId, ['Pending', 'Running'])) this.stopTask(t.id);
    if (e.metrics.total === 0 && e.status === 'Running')
      this.store.setExecutionFinal(executionId, 'Stopped', 'Stopped on request.');
    return this.store.refreshExecution(executionId);
  }

  /** Resolves when the task is final (for tests and the jobservice API). */
  async waitForTask(taskId: number, timeoutMs = 600_000): Promise<Task> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const t = this.store.getTask(taskId);
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

  private pump(): void {
    if (!this.running) return;
    while (this.active.size < this.config.taskConcurrency) {
      const task = this.queue.claimNext();
      if (!task) break;
      this.emitTask(task.id);
      void this.execute(task);
    }
  }

  private async execute(task: Task): Promise<void> {
    const ac = new AbortController();
    this.active.set(task.id, ac);
    const timeout = setTimeout(() => ac.abort('timeout'), this.config.taskTimeoutMs);
    const execution = this.store.getExecution(task.execution_id)!;
    this.logs.append(task.id, `attempt ${task.attempt} of ${this.config.maxAttempts} started`);
    try {
      const refused = this.robot && (await robotPreflight(this.robot, task.project));
      if (refused) throw refused;
      const result = await runPatchTask(
        { ...this.deps, workRoot: this.workRoot },
        {
          task,
          options: execution.options,
          signal: ac.signal,
          log: (line) => this.logs.append(task.id, line),
          progress: (p) => this.setProgress(task.id, p),
          sourceTagsPatchedInto: (digest) => this.store.sourceTagsPatchedInto(task.project, task.repository, digest),
          record: (fields) => {
            const { copa_seconds, ...rest } = fields;
            const prev = this.store.getTask(task.id)?.copa_seconds ?? 0;
            this.store.updateTask(task.id, {
              ...rest,
              ...(copa_seconds !== undefined ? { copa_seconds: prev + copa_seconds } : {}),
            });
          },
        },
      );
      this.logs.append(task.id, result.message);
      this.finish(task.id, result.status, result.reason ?? null, result.message);
    } catch (err) {
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
        this.store.updateTask(task.id, {
          status: 'Pending',
          progress: null,
          copa_pid: null,
          attempt: task.attempt - 1,
        });
        this.queue.enqueue(task.id);
      } else if (outcome.transient && task.attempt < this.config.maxAttempts && !ac.signal.aborted) {
        const delay = this.config.retryBaseMs * 2 ** (task.attempt - 1);
        this.logs.append(task.id, `${outcome.code}: ${outcome.message}`);
        this.logs.append(task.id, `transient failure: retrying in ${Math.round(delay / 1000)} s`);
        this.store.updateTask(task.id, {
          status: 'Pending',
          reason: outcome.code,
          status_message: this.logs.scrub(
            `Attempt ${task.attempt} failed (${outcome.message}); retrying in ${Math.round(delay / 1000)} s.`,
          ),
          progress: null,
          copa_pid: null,
        });
        this.queue.enqueue(task.id, Date.now() + delay);
        this.emitTask(task.id);
      } else {
        this.logs.append(task.id, `${outcome.code}: ${outcome.message}`);
        this.finish(task.id, outcome.status, outcome.code, outcome.message);
      }
    } finally {
      clearTimeout(timeout);
      this.active.delete(task.id);
      this.lastProgressWrite.delete(task.id);
      setImmediate(() => this.pump());
    }
  }

  private setProgress(taskId: number, p: TaskProgress): void {
    const now = Date.now();
    const last = this.lastProgressWrite.get(taskId) ?? 0;
    const current = this.store.getTask(taskId)?.progress;
    if (current?.stage === p.stage && now - last < 500 && p.percent !== 100) return;
    this.lastProgressWrite.set(taskId, now);
    this.store.updateTask(taskId, { progress: p });
    this.emit('progress', taskId, p);
  }

  private finish(taskId: number, status: Task['status'], reason: Task['reason'], message: string): void {
    const t = this.store.getTask(taskId);
    if (!t) return;
    this.store.updateTask(taskId, {
      status,
      reason,
      // Messages quote Harbor, the registry and copa: they pass the same scrubber as the log.
      status_message: this.logs.scrub(message),
      end_time: new Date().toISOString(),
      copa_pid: null,
      progress: status === 'Success' ? { stage: 'Done', percent: 100 } : t.progress,
    });
    this.emitTask(taskId);
  }

  private emitTask(taskId: number): void {
    const t = this.store.getTask(taskId);
    if (!t) return;
    const before = this.store.getExecution(t.execution_id)?.status;
    const e = this.store.refreshExecution(t.execution_id);
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
