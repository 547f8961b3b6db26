/**
 * Harbor-jobservice-compatible IMAGE_PATCH jobs (reference: Harbor src/jobservice). A job is one patch
 * task of an execution with trigger JOBSERVICE; its job (job id -> task, status hook) is kept in the
 * JobStore, and Harbor's StatusChange is posted to the hook on every status transition.
 */
import { randomBytes } from 'node:crypto';
import { PATCH_MODES, SEVERITY_THRESHOLDS, TAG_SCHEMES } from '@harbor-patching/shared/api/enums';
import { tagSuffixProblem } from '@harbor-patching/shared/policy/tags';
import {
  isDigest,
  isProjectName,
  isReference,
  isRepositoryName,
  isTag,
  NAME_RULES,
} from '@harbor-patching/shared/harbor/names';
import type { PatchEngine } from '../jobs/engine';
import type { PatchOptions, Task } from '../model/execution';
import type { JobRow, JobStore } from '../store/jobs';

export const IMAGE_PATCH = 'IMAGE_PATCH';

export type JobStatus = 'Pending' | 'Scheduled' | 'Running' | 'Success' | 'Error' | 'Stopped';

/** Harbor's job stats (`{"job":{...}}`, src/jobservice/job/models.go). */
export interface JobStats {
  job: {
    id: string;
    status: JobStatus;
    name: string;
    kind: string;
    unique: boolean;
    ref_link: string;
    enqueue_time: number;
    update_time: number;
    run_at?: number;
    check_in?: string;
    check_in_at?: number;
    die_at?: number;
    revision: number;
    parameters: Record<string, unknown>;
    web_hook_url?: string;
  };
}

export class JobRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    /** The parameter at fault, for bad input (`parameters.repository`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

const unix = (iso: string | null | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

function jobStatusOf(t: Task, row: JobRow): JobStatus {
  switch (t.status) {
    case 'Pending':
      return row.run_at && row.run_at * 1000 > Date.now() ? 'Scheduled' : 'Pending';
    case 'Running':
      return 'Running';
    case 'Success':
    case 'Skipped':
      return 'Success';
    case 'Error':
      return 'Error';
    case 'Stopped':
      return 'Stopped';
  }
}

export interface LaunchRequest {
  job?: {
    name?: string;
    parameters?: Record<string, unknown>;
    metadata?: { kind?: string; schedule_delay?: number; cron_spec?: string; unique?: boolean };
    status_hook?: string;
  };
}

/** What is wrong with an IMAGE_PATCH job's parameters, in words, and the parameter at fault; undefined when usable. */
function launchParameterProblem(p: Record<string, unknown>): { field: string; message: string } | undefined {
  const problem = (key: string, rule: string) => ({ field: `parameters.${key}`, message: `parameters.${key} ${rule}` });
  // Every name Harbor or the registry will be asked about, whichever key carries it.
  const names: [string, (v: string) => boolean, string][] = [
    ['project_name', isProjectName, NAME_RULES.project],
    ['project', isProjectName, NAME_RULES.project],
    ['digest', isDigest, NAME_RULES.digest],
    ['reference', isReference, NAME_RULES.reference],
    ['tag', isTag, NAME_RULES.tag],
  ];
  for (const [key, valid, rule] of names) {
    if (p[key] !== undefined && (typeof p[key] !== 'string' || !valid(p[key]))) return problem(key, rule);
  }
  const project = typeof p.project_name === 'string' ? p.project_name : (p.project as string | undefined);
  if (p.repository !== undefined && (typeof p.repository !== 'string' || !isRepositoryName(p.repository, project))) {
    return problem('repository', `${NAME_RULES.repository}, without the project`);
  }
  const choices: [string, readonly string[]][] = [
    ['mode', PATCH_MODES],
    ['tag_scheme', TAG_SCHEMES],
    ['severity_threshold', SEVERITY_THRESHOLDS],
  ];
  for (const [k, allowed] of choices) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || !allowed.includes(p[k] as string))) {
      return problem(k, `must be one of ${allowed.join(', ')}`);
    }
  }
  if (p.tag_suffix !== undefined) {
    const suffixProblem =
      typeof p.tag_suffix === 'string' ? tagSuffixProblem(p.tag_suffix) : 'the tag suffix must be a string';
    if (suffixProblem) return { field: 'parameters.tag_suffix', message: `parameters.tag_suffix: ${suffixProblem}` };
  }
  for (const k of ['rescan', 'copy_labels', 'delete_original']) {
    if (p[k] !== undefined && typeof p[k] !== 'boolean') return problem(k, 'must be true or false');
  }
  return undefined;
}

export class JobService {
  private readonly startedAt = Math.floor(Date.now() / 1000);
  private readonly hookChains = new Map<string, Promise<void>>();
  private readonly taskChains = new Map<number, Promise<void>>();

  constructor(
    private readonly jobs: JobStore,
    private readonly engine: PatchEngine,
    /** Resolves a tag to a digest when the job gives no digest (undefined: no such artifact). */
    private readonly resolveDigest: (
      project: string,
      repository: string,
      reference: string,
    ) => Promise<string | undefined>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    engine.on('task', (t) => {
      // One task's changes are looked at in order, so its job's hooks go out in order.
      const next = (this.taskChains.get(t.id) ?? Promise.resolve()).then(() => this.onTask(t));
      const tail = next.catch(() => undefined);
      this.taskChains.set(t.id, tail);
      void tail.then(() => {
        if (this.taskChains.get(t.id) === tail) this.taskChains.delete(t.id);
      });
    });
  }

  private row(id: string): Promise<JobRow | undefined> {
    return this.jobs.get(id);
  }

  async stats(id: string): Promise<JobStats | undefined> {
    const row = await this.row(id);
    if (!row) return undefined;
    const t = await this.engine.store.getTask(row.task_id);
    if (!t) return undefined;
    return this.toStats(row, t);
  }

  private toStats(row: JobRow, t: Task): JobStats {
    const status = jobStatusOf(t, row);
    const checkIn =
      t.status === 'Running' && t.progress
        ? `${t.progress.stage} ${t.progress.percent}%`
        : t.reason
          ? `${t.reason}: ${t.status_message}`
          : undefined;
    return {
      job: {
        id: row.id,
        status,
        name: row.name,
        kind: row.kind,
        unique: row.is_unique === 1,
        ref_link: `/api/v1/jobs/${row.id}`,
        enqueue_time: row.enqueue_time,
        update_time: unix(t.update_time),
        ...(row.run_at ? { run_at: row.run_at } : {}),
        ...(checkIn ? { check_in: checkIn, check_in_at: unix(t.update_time) } : {}),
        revision: row.enqueue_time + Math.max(0, t.attempt - 1),
        parameters: JSON.parse(row.parameters) as Record<string, unknown>,
        ...(row.status_hook ? { web_hook_url: row.status_hook } : {}),
      },
    };
  }

  /** Validates and launches an IMAGE_PATCH job (Harbor's launch semantics); returns its stats. */
  async launch(req: LaunchRequest): Promise<JobStats> {
    const job = req?.job;
    if (!job || typeof job !== 'object') throw new JobRequestError(400, 10001, 'the body must be {"job":{...}}');
    if (!job.name) throw new JobRequestError(400, 10002, 'job.name is required');
    if (job.name !== IMAGE_PATCH)
      throw new JobRequestError(400, 10002, `job "${job.name}" is not known here; only ${IMAGE_PATCH} is`);
    const kind = job.metadata?.kind;
    if (!job.metadata || !kind) throw new JobRequestError(400, 10002, 'job.metadata.kind is required');
    if (!['Generic', 'Scheduled', 'Periodic'].includes(kind)) {
      throw new JobRequestError(400, 10002, 'job.metadata.kind must be Generic, Scheduled or Periodic');
    }
    if (kind === 'Periodic') {
      throw new JobRequestError(
        400,
        10002,
        'periodic IMAGE_PATCH jobs are not supported; use a scheduled patch policy',
      );
    }
    let runAt: number | undefined;
    if (kind === 'Scheduled') {
      const delay = job.metadata.schedule_delay;
      if (typeof delay !== 'number' || !(delay > 0))
        throw new JobRequestError(400, 10002, 'a Scheduled job needs schedule_delay > 0 (seconds)');
      runAt = Math.floor(Date.now() / 1000) + Math.floor(delay);
    }
    if (job.status_hook !== undefined) {
      try {
        const u = new URL(job.status_hook);
        if (!/^https?:$/.test(u.protocol)) throw new Error();
      } catch {
        throw new JobRequestError(400, 10002, 'status_hook must be an http(s) URL');
      }
    }
    const p = job.parameters ?? {};
    if (typeof p !== 'object' || Array.isArray(p)) {
      throw new JobRequestError(400, 10002, 'job.parameters must be an object', 'parameters');
    }
    // Before anything asks Harbor: every name is checked against Harbor's grammar, never normalised.
    const problem = launchParameterProblem(p);
    if (problem) throw new JobRequestError(400, 10002, problem.message, problem.field);
    const project =
      typeof p.project_name === 'string' ? p.project_name : typeof p.project === 'string' ? p.project : undefined;
    const repository = typeof p.repository === 'string' ? p.repository : undefined;
    const reference =
      typeof p.digest === 'string'
        ? p.digest
        : typeof p.reference === 'string'
          ? p.reference
          : typeof p.tag === 'string'
            ? p.tag
            : undefined;
    if (!project || !repository || !reference) {
      throw new JobRequestError(
        400,
        10002,
        'parameters need project_name, repository (without the project) and digest, tag or reference',
      );
    }
    const byDigest = isDigest(reference);
    const tag = typeof p.tag === 'string' ? p.tag : byDigest ? null : reference;
    let digest: string | undefined;
    try {
      digest = byDigest ? reference : await this.resolveDigest(project, repository, reference);
    } catch (err) {
      throw new JobRequestError(
        500,
        10000,
        `resolving ${project}/${repository}:${reference} failed: ${(err as Error).message}`,
      );
    }
    if (!digest) throw new JobRequestError(404, 10010, `artifact ${project}/${repository}:${reference} does not exist`);

    const options: Partial<PatchOptions> = {};
    for (const k of ['mode', 'tag_scheme', 'severity_threshold', 'tag_suffix'] as const) {
      if (typeof p[k] === 'string') (options as Record<string, unknown>)[k] = p[k];
    }
    for (const k of ['rescan', 'copy_labels', 'delete_original'] as const) {
      if (typeof p[k] === 'boolean') (options as Record<string, unknown>)[k] = p[k];
    }
    const unique = job.metadata.unique === true;
    const found: string = digest;
    return this.engine.forArtifact(project, repository, found, () =>
      this.launchTask({ project, repository, tag, digest: found, options, unique, kind, runAt, job, p }),
    );
  }

  private async launchTask(a: {
    project: string;
    repository: string;
    tag: string | null;
    digest: string;
    options: Partial<PatchOptions>;
    unique: boolean;
    kind: string;
    runAt: number | undefined;
    job: NonNullable<LaunchRequest['job']>;
    p: Record<string, unknown>;
  }): Promise<JobStats> {
    const { project, repository, tag, digest, options, unique, kind, runAt, job, p } = a;
    if (unique) {
      const active = await this.engine.store.activeTaskForDigest(project, repository, digest);
      const existing = active && (await this.jobs.byTask(active.id));
      if (existing) return this.toStats(existing, active);
    }
    const execution = await this.engine.createExecution({ project, trigger: 'JOBSERVICE', options });
    const task = await this.engine.addTask(execution.id, { repository, tag, digest }, { enqueue: false });
    const id = randomBytes(12).toString('hex');
    const now = Math.floor(Date.now() / 1000);
    await this.jobs.insert({
      id,
      task_id: task.id,
      name: IMAGE_PATCH,
      kind,
      is_unique: unique ? 1 : 0,
      parameters: JSON.stringify(p),
      status_hook: job.status_hook ?? null,
      enqueue_time: now,
      run_at: runAt ?? null,
    });
    await this.engine.enqueue(task.id, runAt ? runAt * 1000 : undefined);
    return (await this.stats(id))!;
  }

  /** `{"action":"stop"}`: 204 whether it was running, pending or already final. */
  async stop(id: string): Promise<boolean> {
    const row = await this.row(id);
    if (!row) return false;
    await this.engine.stopTask(row.task_id);
    return true;
  }

  async log(id: string): Promise<string | undefined> {
    const row = await this.row(id);
    return row ? this.engine.logs.read(row.task_id) : undefined;
  }

  workerPools(): unknown {
    return {
      worker_pools: [
        {
          worker_pool_id: 'patching',
          started_at: this.startedAt,
          heartbeat_at: Math.floor(Date.now() / 1000),
          job_names: [IMAGE_PATCH],
          concurrency: this.engine.config.taskConcurrency,
          status: 'Healthy',
        },
      ],
    };
  }

  private async onTask(t: Task): Promise<void> {
    const row = await this.jobs.byTask(t.id);
    if (!row || !row.status_hook) return;
    const stats = this.toStats(row, t);
    if (row.last_hook_status === stats.job.status) return;
    await this.jobs.setLastHookStatus(row.id, stats.job.status);
    // One job's hooks go out in order: each waits for the previous one to be delivered or given up.
    const previous = this.hookChains.get(row.id) ?? Promise.resolve();
    const next = previous.then(() =>
      this.deliver(row.status_hook!, { job_id: row.id, status: stats.job.status, metadata: stats.job }),
    );
    this.hookChains.set(row.id, next);
    void next.finally(() => {
      if (this.hookChains.get(row.id) === next) this.hookChains.delete(row.id);
    });
  }

  /** POSTs a status change; retries with backoff for up to 5 minutes until the hook answers 200. */
  private async deliver(url: string, body: unknown): Promise<void> {
    const deadline = Date.now() + 5 * 60_000;
    for (let delay = 500; ; delay = Math.min(delay * 2, 30_000)) {
      try {
        const res = await this.fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // unreachable: retry
      }
      if (Date.now() + delay > deadline) return;
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }
}
