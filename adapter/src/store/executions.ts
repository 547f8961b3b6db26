/**
 * Executions and their tasks: the tables `patch_executions` and `patch_tasks` (the queue of tasks waiting
 * for a worker, `patch_queue`, is `queue.ts`). `ExecutionStore` is what the service needs; the SQLite
 * implementation and its row mapping follow.
 */
import type {
  Execution,
  ExecutionMetrics,
  ExecutionStatus,
  ExecutionTrigger,
  ListPage,
  PatchOptions,
  PlatformResult,
  Task,
  TaskProgress,
  TaskStatus,
  VulnerabilitySummary,
} from '../model/execution';
import { DEFAULT_PATCH_OPTIONS, deriveExecutionStatus } from '../model/execution';
import { sql } from 'kysely';
import type { Migration } from './db';
import { SqlLocks } from './locks';
import type { Sql } from './schema';

export const executionMigrations: Migration[] = [
  {
    module: 'executions',
    version: 1,
    description: 'executions, tasks and the durable task queue',
    sql: `
      CREATE TABLE patch_executions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        policy_id INTEGER,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT NOT NULL DEFAULT '',
        options TEXT NOT NULL DEFAULT '{}',
        start_time TEXT NOT NULL,
        end_time TEXT,
        update_time TEXT NOT NULL
      );
      CREATE INDEX patch_executions_project ON patch_executions (project, id);
      CREATE INDEX patch_executions_policy ON patch_executions (policy_id);

      CREATE TABLE patch_tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id INTEGER NOT NULL REFERENCES patch_executions (id) ON DELETE CASCADE,
        project TEXT NOT NULL,
        repository TEXT NOT NULL,
        tag TEXT,
        source_digest TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        status_message TEXT NOT NULL DEFAULT '',
        patched_tag TEXT,
        patched_digest TEXT,
        vulnerabilities_before TEXT,
        vulnerabilities_after TEXT,
        fixed_cves TEXT,
        vex TEXT,
        progress_stage TEXT,
        progress_percent INTEGER,
        attempt INTEGER NOT NULL DEFAULT 0,
        copa_pid INTEGER,
        copa_seconds REAL,
        creation_time TEXT NOT NULL,
        start_time TEXT,
        end_time TEXT,
        update_time TEXT NOT NULL
      );
      CREATE INDEX patch_tasks_execution ON patch_tasks (execution_id, id);
      CREATE INDEX patch_tasks_digest ON patch_tasks (source_digest, status);

      CREATE TABLE patch_queue (
        task_id INTEGER PRIMARY KEY REFERENCES patch_tasks (id) ON DELETE CASCADE,
        enqueued_at TEXT NOT NULL,
        available_at INTEGER NOT NULL
      );
    `,
  },
  {
    module: 'executions',
    version: 2,
    description: "the artifacts a policy run's selection left out, per reason; tasks found by their patched image",
    sql: `
      ALTER TABLE patch_executions ADD COLUMN excluded TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX patch_tasks_patched_digest ON patch_tasks (patched_digest);
    `,
  },
  {
    module: 'executions',
    version: 3,
    description: "whether a task signed its patched image, and the referrer holding copa's OpenVEX document",
    sql: `
      ALTER TABLE patch_tasks ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE patch_tasks ADD COLUMN vex_referrer TEXT;
    `,
  },
  {
    module: 'executions',
    version: 4,
    description: "an execution's task counts per status and reason read from the index alone (execution lists)",
    sql: `
      CREATE INDEX patch_tasks_execution_status ON patch_tasks (execution_id, status, reason);
    `,
  },
  {
    module: 'executions',
    version: 5,
    description: 'per-platform results of tasks that patched an image index',
    sql: `ALTER TABLE patch_tasks ADD COLUMN platforms TEXT;`,
  },
  {
    module: 'executions',
    version: 6,
    description: 'a running task is leased by the process that claimed it, until the lease expires (epoch ms)',
    sql: `
      ALTER TABLE patch_tasks ADD COLUMN lease_owner TEXT;
      ALTER TABLE patch_tasks ADD COLUMN lease_expires_at INTEGER;
      CREATE INDEX patch_tasks_lease ON patch_tasks (status, lease_expires_at);
    `,
    postgres: `
      ALTER TABLE patch_tasks ADD COLUMN lease_owner TEXT;
      ALTER TABLE patch_tasks ADD COLUMN lease_expires_at BIGINT;
      CREATE INDEX patch_tasks_lease ON patch_tasks (status, lease_expires_at);
    `,
  },
  {
    module: 'executions',
    version: 7,
    description: 'a stop asked for on one replica reaches the replica that runs the task (it polls its own tasks)',
    sql: `
      ALTER TABLE patch_tasks ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX patch_tasks_stop_requested ON patch_tasks (lease_owner) WHERE stop_requested = 1;
    `,
  },
  {
    module: 'executions',
    version: 9,
    description: 'execution lists sorted by start time read in index order (no sort of every execution of the project)',
    sql: `CREATE INDEX patch_executions_project_start ON patch_executions (project, start_time, id);`,
  },
];

/** A platform's result as stored: the API's PlatformResult plus its OpenVEX document. */
export type StoredPlatformResult = PlatformResult & { vex?: unknown };

interface ExecutionRow {
  id: number;
  project: string;
  policy_id: number | null;
  trigger: ExecutionTrigger;
  status: ExecutionStatus;
  status_message: string;
  options: string;
  start_time: string;
  end_time: string | null;
  update_time: string;
  excluded: string;
}

export interface TaskRow {
  id: number;
  execution_id: number;
  project: string;
  repository: string;
  tag: string | null;
  source_digest: string;
  status: TaskStatus;
  reason: Task['reason'];
  status_message: string;
  patched_tag: string | null;
  patched_digest: string | null;
  vulnerabilities_before: string | null;
  vulnerabilities_after: string | null;
  fixed_cves: string | null;
  vex: string | null;
  signed: number;
  vex_referrer: string | null;
  platforms: string | null;
  progress_stage: string | null;
  progress_percent: number | null;
  attempt: number;
  copa_pid: number | null;
  copa_seconds: number | null;
  creation_time: string;
  start_time: string | null;
  end_time: string | null;
  update_time: string;
}

export const now = () => new Date().toISOString();
const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** A `patch_tasks` row as a Task (the queue claims rows of the same table). */
/** A task row without its OpenVEX document (only getTaskVex reads that, a document can be large): whether it has one. */
type TaskRowButVex = Omit<TaskRow, 'vex'> & { has_vex: number | boolean };

const TASK_COLUMNS_BUT_VEX = [
  'id',
  'execution_id',
  'project',
  'repository',
  'tag',
  'source_digest',
  'status',
  'reason',
  'status_message',
  'patched_tag',
  'patched_digest',
  'vulnerabilities_before',
  'vulnerabilities_after',
  'fixed_cves',
  'signed',
  'vex_referrer',
  'platforms',
  'progress_stage',
  'progress_percent',
  'attempt',
  'copa_pid',
  'copa_seconds',
  'creation_time',
  'start_time',
  'end_time',
  'update_time',
] as const satisfies readonly (keyof TaskRowButVex)[];

const taskColumnsButVex = () => [...TASK_COLUMNS_BUT_VEX, sql<number | boolean>`vex IS NOT NULL`.as('has_vex')];

export function toTask(r: TaskRow | TaskRowButVex): Task {
  return {
    id: r.id,
    execution_id: r.execution_id,
    project: r.project,
    repository: r.repository,
    tag: r.tag,
    source_digest: r.source_digest,
    status: r.status,
    reason: r.reason,
    status_message: r.status_message,
    patched_tag: r.patched_tag,
    patched_digest: r.patched_digest,
    vulnerabilities_before: parse(r.vulnerabilities_before),
    vulnerabilities_after: parse(r.vulnerabilities_after),
    fixed_cves: parse<string[]>(r.fixed_cves) ?? [],
    has_vex: 'has_vex' in r ? Boolean(r.has_vex) : r.vex !== null,
    signed: r.signed === 1,
    vex_referrer: r.vex_referrer,
    platforms:
      parse<StoredPlatformResult[]>(r.platforms)?.map(({ vex, ...p }) => ({ ...p, has_vex: Boolean(vex) })) ?? null,
    progress: r.progress_stage !== null ? { stage: r.progress_stage, percent: r.progress_percent ?? 0 } : null,
    attempt: r.attempt,
    copa_pid: r.copa_pid,
    copa_seconds: r.copa_seconds,
    creation_time: r.creation_time,
    start_time: r.start_time,
    end_time: r.end_time,
    update_time: r.update_time,
  };
}

export type ExecutionSort = 'id' | '-id' | 'start_time' | '-start_time';

const EXECUTION_ORDER: Record<ExecutionSort, string> = {
  id: 'id',
  '-id': 'id DESC',
  start_time: 'start_time, id',
  '-start_time': 'start_time DESC, id DESC',
};

export interface ExecutionFilter {
  project: string;
  policy_id?: number;
  status?: string;
  trigger?: string;
  /** Newest first (`-id`) unless given. */
  sort?: ExecutionSort;
  page: number;
  page_size: number;
}

export interface TaskFilter {
  execution_id: number;
  status?: string;
  page: number;
  page_size: number;
}

export interface NewExecution {
  project: string;
  policy_id?: number | null;
  trigger: ExecutionTrigger;
  options: PatchOptions;
  status_message?: string;
}

export interface NewTask {
  execution_id: number;
  project: string;
  repository: string;
  tag?: string | null;
  source_digest: string;
}

export type TaskUpdate = Partial<{
  status: TaskStatus;
  reason: Task['reason'];
  status_message: string;
  tag: string | null;
  patched_tag: string | null;
  patched_digest: string | null;
  vulnerabilities_before: VulnerabilitySummary | null;
  vulnerabilities_after: VulnerabilitySummary | null;
  fixed_cves: string[];
  vex: unknown;
  signed: boolean;
  vex_referrer: string | null;
  platforms: StoredPlatformResult[] | null;
  progress: TaskProgress | null;
  attempt: number;
  copa_pid: number | null;
  copa_seconds: number | null;
  start_time: string | null;
  end_time: string | null;
}>;

/** Executions and tasks: what the job engine, policy runs and the API read and write. */
export interface ExecutionStore {
  metrics(executionId: number): Promise<ExecutionMetrics>;
  insertExecution(e: NewExecution): Promise<Execution>;
  getExecution(id: number): Promise<Execution | undefined>;
  /** The project of the execution (without its task counts), or undefined when there is no such execution. */
  executionProject(id: number): Promise<string | undefined>;
  listExecutions(f: ExecutionFilter): Promise<ListPage<Execution>>;
  /** Re-derives the execution's status from its tasks; sets end_time when it becomes final. */
  refreshExecution(id: number): Promise<Execution | undefined>;
  setExecutionFinal(id: number, status: ExecutionStatus, message: string): Promise<void>;
  /** Records how many artifacts the selection of a policy run left out, per reason. */
  setExecutionExcluded(id: number, byReason: Record<string, number>): Promise<void>;
  setExecutionMessage(id: number, message: string): Promise<void>;
  insertTask(t: NewTask): Promise<Task>;
  getTask(id: number): Promise<Task | undefined>;
  /** The task's OpenVEX document; with `platform`, that platform's of an image index task. */
  getTaskVex(id: number, platform?: string): Promise<unknown>;
  listTasks(f: TaskFilter): Promise<ListPage<Task>>;
  tasksOfExecution(executionId: number, statuses?: readonly TaskStatus[]): Promise<Task[]>;
  tasksWithStatus(status: TaskStatus): Promise<Task[]>;
  /** A Pending or Running task for the same source artifact, if any. */
  activeTaskForDigest(project: string, repository: string, digest: string): Promise<Task | undefined>;
  /** The newest successful task of the project that produced each of these patched digests (newest first). */
  tasksByPatchedDigest(project: string, digests: readonly string[], repository?: string): Promise<Task[]>;
  /** The newest successful task that produced a patch of this source digest. */
  lastSuccessForDigest(project: string, repository: string, digest: string): Promise<Task | undefined>;
  /** The source tags of this repository whose verified patches this service pushed as `patchedDigest`. */
  sourceTagsPatchedInto(project: string, repository: string, patchedDigest: string): Promise<string[]>;
  /**
   * Writes these fields; with `leaseOwner`, only while that replica holds the task's lease (in the same statement).
   * Answers whether the task was written.
   */
  updateTask(id: number, fields: TaskUpdate, o?: { leaseOwner?: string }): Promise<boolean>;
  /**
   * Runs `fn` holding the database lock of one source artifact (`project/repository@digest`): across every
   * process sharing the database, a look for an active task and the insert of a new one are not interleaved.
   */
  withArtifactLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * List pages (items and X-Total-Count), kept while the database is unchanged. Reading a page costs a count over
 * every matching index entry (10,000 executions: about 0.4 ms), the page query and its rows' parsing, while asking
 * SQLite whether anything changed is one cheap statement: `total_changes()` counts this connection's writes and
 * `data_version` moves when another connection commits. Any write anywhere forgets everything kept, so a page
 * is never older than the last write. PostgreSQL has no such cheap question (and other replicas write), so
 * there every read is made afresh. Callers get the kept objects themselves: they must not change them.
 */
export class UnchangedReads {
  private readonly kept = new Map<string, unknown>();
  private token = '';

  constructor(
    private readonly q: Sql,
    private readonly maxKept: number,
  ) {}

  async get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.q.engine !== 'sqlite') return read();
    const token = await this.changeToken();
    if (token !== this.token) {
      this.kept.clear();
      this.token = token;
    }
    if (this.kept.has(key)) return this.kept.get(key) as T;
    const value = await read();
    // Kept only if no write was seen meanwhile: a read that began before a write must not outlive it. When full,
    // what is kept stays until the next write (clearing instead would keep nothing for readers cycling
    // through more pages than fit).
    if (this.token === token && this.kept.size < this.maxKept) this.kept.set(key, value);
    return value;
  }

  private async changeToken(): Promise<string> {
    const r = await sql<{
      c: number;
      v: number;
    }>`SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v`.execute(this.q.db);
    return `${r.rows[0].c}:${r.rows[0].v}`;
  }
}

/**
 * How many list pages and counts a store keeps while the database is unchanged. A kept page of 15 tasks holds about
 * 30 kB of the heap: 200 of them about 6 MB. Between two writes portal users ask far fewer.
 */
const UNCHANGED_READS_KEPT = 200;

/** How many finished executions' task counts a store keeps for lists (a page shows 15; about 1 MB in all). */
const FINISHED_METRICS_KEPT = 5000;

/** ExecutionStore over the query layer (SQLite or PostgreSQL). */
export class SqlExecutionStore implements ExecutionStore {
  private readonly unchanged: UnchangedReads;
  private readonly locks: SqlLocks;
  /** Task counts of finished executions, by id and update time (see listedMetrics). */
  private readonly finishedMetrics = new Map<string, ExecutionMetrics>();

  constructor(private readonly q: Sql) {
    this.unchanged = new UnchangedReads(q, UNCHANGED_READS_KEPT);
    this.locks = new SqlLocks(q);
  }

  withArtifactLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.withLock(`artifact:${key}`, fn);
  }

  async metrics(executionId: number): Promise<ExecutionMetrics> {
    return (await this.metricsOf([executionId])).get(executionId)!;
  }

  /** The task counts of these executions, in one grouped query (read from the index alone). */
  private async metricsOf(ids: readonly number[]): Promise<Map<number, ExecutionMetrics>> {
    const out = new Map<number, ExecutionMetrics>();
    for (const id of ids) {
      out.set(id, { total: 0, succeeded: 0, failed: 0, skipped: 0, stopped: 0, running: 0, pending: 0, by_reason: {} });
    }
    if (ids.length === 0) return out;
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .select(['execution_id', 'status', 'reason', sql<number>`CAST(COUNT(*) AS INTEGER)`.as('n')])
      .where('execution_id', 'in', [...ids])
      .groupBy(['execution_id', 'status', 'reason'])
      .execute();
    for (const row of rows) {
      const m = out.get(Number(row.execution_id));
      if (!m) continue;
      const status = row.status as TaskStatus;
      const reason = row.reason as Task['reason'];
      const n = Number(row.n);
      // A Pending task may carry the reason of its last attempt while it waits for a retry: not an outcome yet.
      if (reason && (status === 'Skipped' || status === 'Error' || status === 'Stopped')) {
        m.by_reason[reason] = (m.by_reason[reason] ?? 0) + n;
      }
      m.total += n;
      if (status === 'Success') m.succeeded += n;
      else if (status === 'Error') m.failed += n;
      else if (status === 'Skipped') m.skipped += n;
      else if (status === 'Stopped') m.stopped += n;
      else if (status === 'Running') m.running += n;
      else if (status === 'Pending') m.pending += n;
    }
    return out;
  }

  private toExecution(r: ExecutionRow, metrics: ExecutionMetrics): Execution {
    return {
      id: r.id,
      project: r.project,
      policy_id: r.policy_id,
      trigger: r.trigger,
      status: r.status,
      status_message: r.status_message,
      options: { ...DEFAULT_PATCH_OPTIONS, ...(JSON.parse(r.options) as Partial<PatchOptions>) },
      start_time: r.start_time,
      end_time: r.end_time,
      metrics,
      excluded: JSON.parse(r.excluded) as Record<string, number>,
    };
  }

  async insertExecution(e: NewExecution): Promise<Execution> {
    const t = now();
    const r = await this.q.db
      .insertInto('patch_executions')
      .values({
        project: e.project,
        policy_id: e.policy_id ?? null,
        trigger: e.trigger,
        status: 'Running',
        status_message: e.status_message ?? '',
        options: JSON.stringify(e.options),
        start_time: t,
        update_time: t,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.getExecution(r.id))!;
  }

  async getExecution(id: number): Promise<Execution | undefined> {
    const r = await this.q.db.selectFrom('patch_executions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.toExecution(r as ExecutionRow, await this.metrics(id));
  }

  async executionProject(id: number): Promise<string | undefined> {
    const r = await this.q.db.selectFrom('patch_executions').select('project').where('id', '=', id).executeTakeFirst();
    return r?.project;
  }

  async listExecutions(f: ExecutionFilter): Promise<ListPage<Execution>> {
    return this.unchanged.get(JSON.stringify(['executions', f]), () => this.readExecutionPage(f));
  }

  private async readExecutionPage(f: ExecutionFilter): Promise<ListPage<Execution>> {
    let query = this.q.db.selectFrom('patch_executions').where('project', '=', f.project);
    if (f.policy_id !== undefined) query = query.where('policy_id', '=', f.policy_id);
    if (f.status) query = query.where('status', '=', f.status);
    if (f.trigger) query = query.where('trigger', '=', f.trigger);
    const total = await this.unchanged.get(
      JSON.stringify(['executions-count', f.project, f.policy_id, f.status, f.trigger]),
      async () =>
        Number((await query.select(sql<number>`CAST(COUNT(*) AS INTEGER)`.as('n')).executeTakeFirstOrThrow()).n),
    );
    const rows = (await query
      .selectAll()
      .orderBy(sql.raw(EXECUTION_ORDER[f.sort ?? '-id']))
      .limit(f.page_size)
      .offset((f.page - 1) * f.page_size)
      .execute()) as ExecutionRow[];
    const metrics = await this.listedMetrics(rows);
    return { items: rows.map((r) => this.toExecution(r, metrics.get(r.id)!)), total };
  }

  /**
   * The task counts of listed executions. A finished execution's tasks have all ended and no longer change, so its
   * counts are kept, by id and update time (an execution that gets work again is Running, with a new update
   * time). Only lists use them: the engine's own reads (refreshExecution) always count afresh.
   */
  private async listedMetrics(rows: readonly ExecutionRow[]): Promise<Map<number, ExecutionMetrics>> {
    const keyOf = (r: ExecutionRow) =>
      r.status === 'Running' ? undefined : `${r.id}\u0000${r.status}\u0000${r.update_time}`;
    const out = new Map<number, ExecutionMetrics>();
    const missing: number[] = [];
    for (const r of rows) {
      const kept = this.finishedMetrics.get(keyOf(r) ?? '');
      if (kept) out.set(r.id, kept);
      else missing.push(r.id);
    }
    for (const [id, m] of await this.metricsOf(missing)) {
      out.set(id, m);
      const key = keyOf(rows.find((r) => r.id === id)!);
      if (!key) continue;
      if (this.finishedMetrics.size >= FINISHED_METRICS_KEPT) this.finishedMetrics.clear();
      this.finishedMetrics.set(key, m);
    }
    return out;
  }

  /** Re-derives the execution's status from its tasks; sets end_time when it becomes final. */
  async refreshExecution(id: number): Promise<Execution | undefined> {
    const e = await this.getExecution(id);
    if (!e) return undefined;
    // An execution without tasks stays Running until its creator says it is complete (finishExecutionIfEmpty).
    if (e.metrics.total === 0) return e;
    const status = deriveExecutionStatus(e.metrics);
    const end = status === 'Running' ? null : (e.end_time ?? now());
    if (status !== e.status || end !== e.end_time) {
      await this.q.db
        .updateTable('patch_executions')
        .set({ status, end_time: end, update_time: now() })
        .where('id', '=', id)
        .execute();
    }
    return this.getExecution(id);
  }

  async setExecutionFinal(id: number, status: ExecutionStatus, message: string): Promise<void> {
    await this.q.db
      .updateTable('patch_executions')
      .set((eb) => ({
        status,
        status_message: message,
        end_time: eb.fn.coalesce('end_time', eb.val(now())),
        update_time: now(),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** Records how many artifacts the selection of a policy run left out, per reason. */
  async setExecutionExcluded(id: number, byReason: Record<string, number>): Promise<void> {
    await this.q.db
      .updateTable('patch_executions')
      .set({ excluded: JSON.stringify(byReason), update_time: now() })
      .where('id', '=', id)
      .execute();
  }

  async setExecutionMessage(id: number, message: string): Promise<void> {
    await this.q.db
      .updateTable('patch_executions')
      .set({ status_message: message, update_time: now() })
      .where('id', '=', id)
      .execute();
  }

  async insertTask(t: NewTask): Promise<Task> {
    const ts = now();
    const r = await this.q.db
      .insertInto('patch_tasks')
      .values({
        execution_id: t.execution_id,
        project: t.project,
        repository: t.repository,
        tag: t.tag ?? null,
        source_digest: t.source_digest,
        status: 'Pending',
        creation_time: ts,
        update_time: ts,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTask(r as TaskRow);
  }

  async getTask(id: number): Promise<Task | undefined> {
    const r = await this.q.db
      .selectFrom('patch_tasks')
      .select(taskColumnsButVex())
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toTask(r as TaskRowButVex);
  }

  async getTaskVex(id: number, platform?: string): Promise<unknown> {
    const r = await this.q.db
      .selectFrom('patch_tasks')
      .select(['vex', 'platforms'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (platform !== undefined) {
      return parse<StoredPlatformResult[]>(r?.platforms ?? null)?.find((p) => p.platform === platform)?.vex ?? null;
    }
    return r?.vex ? JSON.parse(r.vex) : null;
  }

  async listTasks(f: TaskFilter): Promise<ListPage<Task>> {
    return this.unchanged.get(JSON.stringify(['tasks', f]), () => this.readTaskPage(f));
  }

  private async readTaskPage(f: TaskFilter): Promise<ListPage<Task>> {
    let query = this.q.db.selectFrom('patch_tasks').where('execution_id', '=', f.execution_id);
    if (f.status) query = query.where('status', '=', f.status);
    const total = await query.select(sql<number>`CAST(COUNT(*) AS INTEGER)`.as('n')).executeTakeFirstOrThrow();
    const rows = await query
      .select(taskColumnsButVex())
      .orderBy('id')
      .limit(f.page_size)
      .offset((f.page - 1) * f.page_size)
      .execute();
    return { items: rows.map((r) => toTask(r as TaskRowButVex)), total: Number(total.n) };
  }

  async tasksOfExecution(executionId: number, statuses?: readonly TaskStatus[]): Promise<Task[]> {
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('execution_id', '=', executionId)
      .orderBy('id')
      .execute();
    return rows.map((r) => toTask(r as TaskRow)).filter((t) => !statuses || statuses.includes(t.status));
  }

  async tasksWithStatus(status: TaskStatus): Promise<Task[]> {
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('status', '=', status)
      .orderBy('id')
      .execute();
    return rows.map((r) => toTask(r as TaskRow));
  }

  /** A Pending or Running task for the same source artifact, if any. */
  async activeTaskForDigest(project: string, repository: string, digest: string): Promise<Task | undefined> {
    const r = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('project', '=', project)
      .where('repository', '=', repository)
      .where('source_digest', '=', digest)
      .where('status', 'in', ['Pending', 'Running'])
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return r && toTask(r as TaskRow);
  }

  /** The newest successful task of the project that produced each of these patched digests (newest first). */
  async tasksByPatchedDigest(project: string, digests: readonly string[], repository?: string): Promise<Task[]> {
    if (digests.length === 0) return [];
    let query = this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('project', '=', project)
      .where('status', '=', 'Success')
      .where('patched_digest', 'in', [...digests]);
    if (repository !== undefined) query = query.where('repository', '=', repository);
    const seen = new Set<string>();
    const out: Task[] = [];
    for (const r of (await query.orderBy('id', 'desc').execute()) as TaskRow[]) {
      if (seen.has(`${r.repository}@${r.patched_digest}`)) continue;
      seen.add(`${r.repository}@${r.patched_digest}`);
      out.push(toTask(r));
    }
    return out;
  }

  /** The newest successful task that produced a patch of this source digest. */
  async lastSuccessForDigest(project: string, repository: string, digest: string): Promise<Task | undefined> {
    const r = await this.q.db
      .selectFrom('patch_tasks')
      .selectAll()
      .where('project', '=', project)
      .where('repository', '=', repository)
      .where('source_digest', '=', digest)
      .where('status', '=', 'Success')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toTask(r as TaskRow);
  }

  /** The source tags of this repository whose verified patches this service pushed as `patchedDigest`. */
  async sourceTagsPatchedInto(project: string, repository: string, patchedDigest: string): Promise<string[]> {
    const rows = await this.q.db
      .selectFrom('patch_tasks')
      .select('tag')
      .distinct()
      .where('project', '=', project)
      .where('repository', '=', repository)
      .where('patched_digest', '=', patchedDigest)
      .where('tag', 'is not', null)
      .execute();
    return rows.map((r) => r.tag!);
  }

  async updateTask(id: number, fields: TaskUpdate, o: { leaseOwner?: string } = {}): Promise<boolean> {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      switch (k) {
        case 'vulnerabilities_before':
        case 'vulnerabilities_after':
        case 'fixed_cves':
        case 'vex':
        case 'platforms':
          set[k] = v === null ? null : JSON.stringify(v);
          break;
        case 'signed':
          set[k] = v ? 1 : 0;
          break;
        case 'progress': {
          const p = v as TaskProgress | null;
          set.progress_stage = p?.stage ?? null;
          set.progress_percent = p?.percent ?? null;
          break;
        }
        default:
          set[k] = v;
      }
    }
    if (Object.keys(set).length === 0) return true;
    set.update_time = now();
    let update = this.q.db.updateTable('patch_tasks').set(set).where('id', '=', id);
    if (o.leaseOwner !== undefined) update = update.where('lease_owner', '=', o.leaseOwner);
    const r = await update.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
