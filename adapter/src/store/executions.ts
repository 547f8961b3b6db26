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
  Task,
  TaskProgress,
  TaskStatus,
  VulnerabilitySummary,
} from '../model/execution';
import { DEFAULT_PATCH_OPTIONS, deriveExecutionStatus } from '../model/execution';
import type { Db, Migration } from './db';

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
];

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
export function toTask(r: TaskRow): Task {
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
    has_vex: r.vex !== null,
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
  listExecutions(f: ExecutionFilter): Promise<ListPage<Execution>>;
  /** Re-derives the execution's status from its tasks; sets end_time when it becomes final. */
  refreshExecution(id: number): Promise<Execution | undefined>;
  setExecutionFinal(id: number, status: ExecutionStatus, message: string): Promise<void>;
  /** Records how many artifacts the selection of a policy run left out, per reason. */
  setExecutionExcluded(id: number, byReason: Record<string, number>): Promise<void>;
  setExecutionMessage(id: number, message: string): Promise<void>;
  insertTask(t: NewTask): Promise<Task>;
  getTask(id: number): Promise<Task | undefined>;
  getTaskVex(id: number): Promise<unknown>;
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
  updateTask(id: number, fields: TaskUpdate): Promise<void>;
}

/** ExecutionStore over SQLite. */
export class SqliteExecutionStore implements ExecutionStore {
  constructor(private readonly db: Db) {}

  async metrics(executionId: number): Promise<ExecutionMetrics> {
    return this.metricsOf(executionId);
  }

  private metricsOf(executionId: number): ExecutionMetrics {
    const rows = this.db
      .prepare('SELECT status, reason, COUNT(*) AS n FROM patch_tasks WHERE execution_id = ? GROUP BY status, reason')
      .all(executionId) as { status: TaskStatus; reason: Task['reason']; n: number }[];
    const m: ExecutionMetrics = {
      total: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      stopped: 0,
      running: 0,
      pending: 0,
      by_reason: {},
    };
    for (const { status, reason, n } of rows) {
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
    return m;
  }

  private toExecution(r: ExecutionRow): Execution {
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
      metrics: this.metricsOf(r.id),
      excluded: JSON.parse(r.excluded) as Record<string, number>,
    };
  }

  async insertExecution(e: NewExecution): Promise<Execution> {
    const t = now();
    const info = this.db
      .prepare(
        `INSERT INTO patch_executions (project, policy_id, trigger, status, status_message, options, start_time, update_time)
         VALUES (?, ?, ?, 'Running', ?, ?, ?, ?)`,
      )
      .run(e.project, e.policy_id ?? null, e.trigger, e.status_message ?? '', JSON.stringify(e.options), t, t);
    return (await this.getExecution(Number(info.lastInsertRowid)))!;
  }

  async getExecution(id: number): Promise<Execution | undefined> {
    const r = this.db.prepare('SELECT * FROM patch_executions WHERE id = ?').get(id) as ExecutionRow | undefined;
    return r && this.toExecution(r);
  }

  async listExecutions(f: ExecutionFilter): Promise<ListPage<Execution>> {
    const where = ['project = ?'];
    const args: unknown[] = [f.project];
    if (f.policy_id !== undefined) {
      where.push('policy_id = ?');
      args.push(f.policy_id);
    }
    if (f.status) {
      where.push('status = ?');
      args.push(f.status);
    }
    if (f.trigger) {
      where.push('trigger = ?');
      args.push(f.trigger);
    }
    const w = where.join(' AND ');
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM patch_executions WHERE ${w}`).get(...args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM patch_executions WHERE ${w} ORDER BY ${EXECUTION_ORDER[f.sort ?? '-id']} LIMIT ? OFFSET ?`,
      )
      .all(...args, f.page_size, (f.page - 1) * f.page_size) as ExecutionRow[];
    return { items: rows.map((r) => this.toExecution(r)), total };
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
      this.db
        .prepare('UPDATE patch_executions SET status = ?, end_time = ?, update_time = ? WHERE id = ?')
        .run(status, end, now(), id);
    }
    return this.getExecution(id);
  }

  async setExecutionFinal(id: number, status: ExecutionStatus, message: string): Promise<void> {
    this.db
      .prepare(
        'UPDATE patch_executions SET status = ?, status_message = ?, end_time = COALESCE(end_time, ?), update_time = ? WHERE id = ?',
      )
      .run(status, message, now(), now(), id);
  }

  /** Records how many artifacts the selection of a policy run left out, per reason. */
  async setExecutionExcluded(id: number, byReason: Record<string, number>): Promise<void> {
    this.db
      .prepare('UPDATE patch_executions SET excluded = ?, update_time = ? WHERE id = ?')
      .run(JSON.stringify(byReason), now(), id);
  }

  async setExecutionMessage(id: number, message: string): Promise<void> {
    this.db
      .prepare('UPDATE patch_executions SET status_message = ?, update_time = ? WHERE id = ?')
      .run(message, now(), id);
  }

  async insertTask(t: NewTask): Promise<Task> {
    const ts = now();
    const info = this.db
      .prepare(
        `INSERT INTO patch_tasks (execution_id, project, repository, tag, source_digest, status, creation_time, update_time)
         VALUES (?, ?, ?, ?, ?, 'Pending', ?, ?)`,
      )
      .run(t.execution_id, t.project, t.repository, t.tag ?? null, t.source_digest, ts, ts);
    return (await this.getTask(Number(info.lastInsertRowid)))!;
  }

  async getTask(id: number): Promise<Task | undefined> {
    const r = this.db.prepare('SELECT * FROM patch_tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return r && toTask(r);
  }

  async getTaskVex(id: number): Promise<unknown> {
    const r = this.db.prepare('SELECT vex FROM patch_tasks WHERE id = ?').get(id) as { vex: string | null } | undefined;
    return r?.vex ? JSON.parse(r.vex) : null;
  }

  async listTasks(f: TaskFilter): Promise<ListPage<Task>> {
    const where = ['execution_id = ?'];
    const args: unknown[] = [f.execution_id];
    if (f.status) {
      where.push('status = ?');
      args.push(f.status);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM patch_tasks WHERE ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM patch_tasks WHERE ${w} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...args, f.page_size, (f.page - 1) * f.page_size) as TaskRow[];
    return { items: rows.map(toTask), total };
  }

  async tasksOfExecution(executionId: number, statuses?: readonly TaskStatus[]): Promise<Task[]> {
    const rows = this.db
      .prepare('SELECT * FROM patch_tasks WHERE execution_id = ? ORDER BY id')
      .all(executionId) as TaskRow[];
    return rows.map(toTask).filter((t) => !statuses || statuses.includes(t.status));
  }

  async tasksWithStatus(status: TaskStatus): Promise<Task[]> {
    return (this.db.prepare('SELECT * FROM patch_tasks WHERE status = ? ORDER BY id').all(status) as TaskRow[]).map(
      toTask,
    );
  }

  /** A Pending or Running task for the same source artifact, if any. */
  async activeTaskForDigest(project: string, repository: string, digest: string): Promise<Task | undefined> {
    const r = this.db
      .prepare(
        `SELECT * FROM patch_tasks WHERE project = ? AND repository = ? AND source_digest = ?
         AND status IN ('Pending', 'Running') ORDER BY id LIMIT 1`,
      )
      .get(project, repository, digest) as TaskRow | undefined;
    return r && toTask(r);
  }

  /** The newest successful task of the project that produced each of these patched digests (newest first). */
  async tasksByPatchedDigest(project: string, digests: readonly string[], repository?: string): Promise<Task[]> {
    if (digests.length === 0) return [];
    const args: unknown[] = [project, ...digests];
    let sql = `SELECT * FROM patch_tasks WHERE project = ? AND status = 'Success'
               AND patched_digest IN (${digests.map(() => '?').join(', ')})`;
    if (repository !== undefined) {
      sql += ' AND repository = ?';
      args.push(repository);
    }
    const seen = new Set<string>();
    const out: Task[] = [];
    for (const r of this.db.prepare(`${sql} ORDER BY id DESC`).all(...args) as TaskRow[]) {
      if (seen.has(`${r.repository}@${r.patched_digest}`)) continue;
      seen.add(`${r.repository}@${r.patched_digest}`);
      out.push(toTask(r));
    }
    return out;
  }

  /** The newest successful task that produced a patch of this source digest. */
  async lastSuccessForDigest(project: string, repository: string, digest: string): Promise<Task | undefined> {
    const r = this.db
      .prepare(
        `SELECT * FROM patch_tasks WHERE project = ? AND repository = ? AND source_digest = ? AND status = 'Success'
         ORDER BY id DESC LIMIT 1`,
      )
      .get(project, repository, digest) as TaskRow | undefined;
    return r && toTask(r);
  }

  /** The source tags of this repository whose verified patches this service pushed as `patchedDigest`. */
  async sourceTagsPatchedInto(project: string, repository: string, patchedDigest: string): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT tag FROM patch_tasks WHERE project = ? AND repository = ? AND patched_digest = ?
         AND tag IS NOT NULL`,
      )
      .all(project, repository, patchedDigest) as { tag: string }[];
    return rows.map((r) => r.tag);
  }

  async updateTask(id: number, fields: TaskUpdate): Promise<void> {
    const sets: string[] = [];
    const args: unknown[] = [];
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      args.push(v);
    };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      switch (k) {
        case 'vulnerabilities_before':
        case 'vulnerabilities_after':
        case 'fixed_cves':
        case 'vex':
          put(k, v === null ? null : JSON.stringify(v));
          break;
        case 'progress': {
          const p = v as TaskProgress | null;
          put('progress_stage', p?.stage ?? null);
          put('progress_percent', p?.percent ?? null);
          break;
        }
        default:
          put(k, v);
      }
    }
    if (sets.length === 0) return;
    put('update_time', now());
    this.db.prepare(`UPDATE patch_tasks SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }
}
