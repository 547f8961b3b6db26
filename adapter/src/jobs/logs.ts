/**
 * Task logs: one append-only text file per task under <data dir>/task-logs, readable while the task
 * runs. Every line passes through the scrubber first, so secrets never reach a log.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

export class TaskLogs {
  constructor(
    private readonly dir: string,
    private readonly scrubber: Scrubber,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The scrubber's view of any text about a task (status messages too, not only log lines). */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  path(taskId: number): string {
    return join(this.dir, `${taskId}.log`);
  }

  append(taskId: number, line: string): void {
    const stamp = new Date().toISOString();
    const text = this.scrubber
      .scrub(line)
      .split('\n')
      .map((l) => `${stamp} ${l}`)
      .join('\n');
    appendFileSync(this.path(taskId), `${text}\n`);
  }

  read(taskId: number): string {
    const p = this.path(taskId);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }
}
