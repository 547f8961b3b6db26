/**
 * Task logs: lines per task in the database (store/task-logs.ts), so every replica reads every log, readable
 * while the task runs. Every line passes through the scrubber first, so secrets never reach a log. Appending
 * stays synchronous for the callers: lines are buffered and written in batches (at most FLUSH_MS later; the
 * engine awaits `flush` before it records a task's end and at shutdown). Logs of tasks from releases that
 * kept them as files under <data dir>/task-logs are still read from there.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskLogLine, TaskLogStore } from '../store/task-logs';

export class Scrubber {
  private readonly secrets: string[];

  constructor(secrets: readonly (string | undefined)[]) {
    this.secrets = secrets.filter((s): s is string => !!s && s.length >= 4);
  }

  /** Adds the Basic-auth forms of a username/password pair. */
  static forCredentials(username: string, password: string, extra: readonly (string | undefined)[] = []): Scrubber {
    const basic = Buffer.from(`${username}:${password}`).toString('base64');
    return new Scrubber([password, basic, ...extra]);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out
      .replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer|harbor-secret)\s+[^\s"',]+/gi, '$1$2 ***')
      .replace(/("auth"\s*:\s*")[^"]+(")/g, '$1***$2')
      .replace(/([?&](?:token|access_token|password|secret)=)[^&\s"]+/gi, '$1***');
  }
}

/** The longest a line waits in the buffer. */
const FLUSH_MS = 250;
/** Lines kept per task (by this process); later ones are left out, with one note saying so. */
export const MAX_TASK_LOG_LINES = 20_000;
/** Failed writes of a batch before its lines are given up. */
const MAX_WRITE_ATTEMPTS = 3;

interface Pending extends TaskLogLine {
  attempts: number;
}

export class TaskLogs {
  private buffer: Pending[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Lines appended per task, for the cap (forgotten at flush(taskId)). */
  private readonly counts = new Map<number, number>();

  constructor(
    /** Where earlier releases kept the logs as files (<data dir>/task-logs). */
    private readonly legacyDir: string,
    private readonly scrubber: Scrubber,
    private readonly store: TaskLogStore,
    /** Told when lines could not be written (after the attempts, they are left out). */
    private readonly onError?: (err: unknown) => void,
  ) {}

  /** The scrubber's view of any text about a task (status messages too, not only log lines). */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  append(taskId: number, line: string): void {
    const time = new Date().toISOString();
    for (const l of this.scrubber.scrub(line).split('\n')) {
      const n = (this.counts.get(taskId) ?? 0) + 1;
      if (this.counts.size > 10_000 && !this.counts.has(taskId)) this.counts.clear();
      this.counts.set(taskId, n);
      if (n > MAX_TASK_LOG_LINES + 1) continue;
      const text =
        n === MAX_TASK_LOG_LINES + 1
          ? `(the log keeps the first ${MAX_TASK_LOG_LINES} lines of a task; later lines are left out)`
          : l;
      this.buffer.push({ task_id: taskId, time, line: text, attempts: 0 });
    }
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_MS).unref();
  }

  /**
   * Writes the buffered lines (all of them, in order: a task's lines are never written out of order). With
   * `taskId`, the task is done: its line count for the cap is forgotten. Never rejects.
   */
  flush(taskId?: number): Promise<void> {
    if (taskId !== undefined) this.counts.delete(taskId);
    this.flushing = this.flushing.then(() => this.writeBuffer());
    return this.flushing;
  }

  private async writeBuffer(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      await this.store.append(batch);
    } catch {
      // One task's lines may be the cause (its task is gone): write the others task by task.
      for (const lines of groupByTask(batch)) {
        try {
          await this.store.append(lines);
        } catch (err) {
          const again = lines.filter((l) => ++l.attempts < MAX_WRITE_ATTEMPTS);
          this.buffer.unshift(...again);
          if (again.length < lines.length) this.onError?.(err);
        }
      }
      if (this.buffer.length > 0) this.schedule();
    }
  }

  /** The task's log: its file from an earlier release if there is one, then its lines in the store and buffer. */
  async read(taskId: number): Promise<string> {
    // This process's lines not yet written are written first, so the store has them all, once and in order.
    await this.flush();
    const stored = await this.store.lines(taskId);
    const legacy = join(this.legacyDir, `${taskId}.log`);
    const before = existsSync(legacy) ? await readFile(legacy, 'utf8') : '';
    return before + stored.map((l) => `${l.time} ${l.line}\n`).join('');
  }
}

function groupByTask(lines: Pending[]): Pending[][] {
  const by = new Map<number, Pending[]>();
  for (const l of lines) by.set(l.task_id, [...(by.get(l.task_id) ?? []), l]);
  return [...by.values()];
}
