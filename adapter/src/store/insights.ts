/**
 * Aggregations over the patch history (`patch_executions`, `patch_tasks`, `patch_queue`) for the insights
 * views, and the daily snapshots of a project's vulnerabilities (`insight_snapshots`, owned here).
 * Reads only: the executions store writes the history. A task counts in the period of its `end_time`
 * (UTC); only finished tasks (Success, Skipped, Error, Stopped) count.
 */
import type { Task } from '../model/execution';
import { sql, type RawBuilder } from 'kysely';
import type { Migration } from './db';
import type { Engine, Sql } from './schema';

const SEVERITIES_SQL = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown', 'None'] as const;
const FINISHED_SQL = "('Success', 'Skipped', 'Error', 'Stopped')";

/** The rollup's value columns, and what one task (`t` is NEW or OLD) adds to them, on each engine. */
function rollupValues(engine: Engine): [column: string, perTask: (t: string) => string][] {
  const pg = engine === 'postgres';
  const seconds = (t: string) =>
    pg
      ? `EXTRACT(EPOCH FROM (${t}.end_time::timestamptz - ${t}.start_time::timestamptz))`
      : `(julianday(${t}.end_time) - julianday(${t}.start_time)) * 86400.0`;
  const jsonInt = (col: string, path: string[]) =>
    pg ? `(${col}::json #>> '{${path.join(',')}}')::integer` : `json_extract(${col}, '$.${path.join('.')}')`;
  const arrayLength = (col: string) => (pg ? `json_array_length(${col}::json)` : `json_array_length(${col})`);
  return [
    ['tasks', () => '1'],
    [
      'fixed_cves',
      (t) => `CASE WHEN ${t}.status = 'Success' THEN COALESCE(${arrayLength(`${t}.fixed_cves`)}, 0) ELSE 0 END`,
    ],
    ['seconds', (t) => `CASE WHEN ${t}.start_time IS NULL THEN 0 ELSE ${seconds(t)} END`],
    ...SEVERITIES_SQL.flatMap((s): [string, (t: string) => string][] => [
      [
        `before_${s.toLowerCase()}`,
        (t) =>
          `CASE WHEN ${t}.status = 'Success' THEN COALESCE(${jsonInt(`${t}.vulnerabilities_before`, ['fixable_summary', s])}, 0) ELSE 0 END`,
      ],
      [
        `after_${s.toLowerCase()}`,
        (t) =>
          `CASE WHEN ${t}.status = 'Success' THEN COALESCE(${jsonInt(`${t}.vulnerabilities_after`, ['fixable_summary', s])}, 0) ELSE 0 END`,
      ],
    ]),
  ];
}
const ROLLUP_VALUES = rollupValues('sqlite');

const finished = (t: string) => `(${t}.status IN ${FINISHED_SQL} AND ${t}.end_time IS NOT NULL)`;

/** Adds (sign 1) or takes away (sign -1) one finished task's contribution (`t` is NEW or OLD) to its day's row. */
function rollupStatement(t: 'NEW' | 'OLD', sign: 1 | -1, engine: Engine = 'sqlite'): string {
  const values = rollupValues(engine);
  const columns = values.map(([c]) => c);
  // INSERT ... SELECT needs its WHERE before ON CONFLICT (SQLite's upsert parsing rule).
  return `INSERT INTO insight_daily (project, day, status, reason, ${columns.join(', ')})
        SELECT ${t}.project, substr(${t}.end_time, 1, 10), ${t}.status, COALESCE(${t}.reason, ''),
               ${values.map(([, v]) => `${sign} * (${v(t)})`).join(', ')}
        WHERE ${finished(t)}
        ON CONFLICT (project, day, status, reason) DO UPDATE SET
          ${columns.map((c) => `${c} = insight_daily.${c} + excluded.${c}`).join(', ')};`;
}

/** The same on both engines: the daily snapshots' table and the indexes the insight queries read. */
const SNAPSHOTS_AND_INDEXES = `CREATE INDEX patch_tasks_end ON patch_tasks (end_time);
      CREATE INDEX patch_tasks_status ON patch_tasks (status);

      CREATE TABLE insight_snapshots (
        project TEXT NOT NULL,
        day TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        artifacts INTEGER NOT NULL,
        total INTEGER NOT NULL,
        fixable INTEGER NOT NULL,
        by_severity TEXT NOT NULL,
        PRIMARY KEY (project, day)
      );`;

/** The rollup on PostgreSQL: the same table and backfill; one row trigger function does what SQLite's three triggers do. */
function postgresInsights(): string {
  const values = rollupValues('postgres');
  const columns = values.map(([c]) => c);
  return `
      CREATE TABLE insight_daily (
        project TEXT NOT NULL,
        day TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        ${columns.map((c) => `${c} ${c === 'seconds' ? 'DOUBLE PRECISION' : 'INTEGER'} NOT NULL DEFAULT 0`).join(',\n        ')},
        PRIMARY KEY (project, day, status, reason)
      );
      CREATE INDEX insight_daily_day ON insight_daily (day);
      INSERT INTO insight_daily (project, day, status, reason, ${columns.join(', ')})
        SELECT t.project, substr(t.end_time, 1, 10), t.status, COALESCE(t.reason, ''),
               ${values.map(([, v]) => `SUM(${v('t')})`).join(', ')}
        FROM patch_tasks AS t WHERE ${finished('t')}
        GROUP BY 1, 2, 3, 4;
      CREATE FUNCTION insight_rollup() RETURNS trigger LANGUAGE plpgsql AS $rollup$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          ${rollupStatement('OLD', -1, 'postgres')}
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          ${rollupStatement('NEW', 1, 'postgres')}
        END IF;
        RETURN NULL;
      END
      $rollup$;
      CREATE TRIGGER insight_task_changed AFTER INSERT OR UPDATE OR DELETE ON patch_tasks
        FOR EACH ROW EXECUTE FUNCTION insight_rollup();
      ${SNAPSHOTS_AND_INDEXES}
    `;
}

export const insightsMigrations: Migration[] = [
  {
    module: 'insights',
    version: 1,
    description: 'daily rollup of finished tasks kept by triggers; daily vulnerability snapshots per project',
    sql: `
      CREATE TABLE insight_daily (
        project TEXT NOT NULL,
        day TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        ${ROLLUP_VALUES.map(([c]) => `${c} ${c === 'seconds' ? 'REAL' : 'INTEGER'} NOT NULL DEFAULT 0`).join(',\n        ')},
        PRIMARY KEY (project, day, status, reason)
      );
      CREATE INDEX insight_daily_day ON insight_daily (day);
      INSERT INTO insight_daily (project, day, status, reason, ${ROLLUP_VALUES.map(([c]) => c).join(', ')})
        SELECT t.project, substr(t.end_time, 1, 10), t.status, COALESCE(t.reason, ''),
               ${ROLLUP_VALUES.map(([, v]) => `SUM(${v('t')})`).join(', ')}
        FROM patch_tasks AS t WHERE ${finished('t')}
        GROUP BY 1, 2, 3, 4;
      CREATE TRIGGER insight_task_inserted AFTER INSERT ON patch_tasks WHEN ${finished('NEW')}
      BEGIN
        ${rollupStatement('NEW', 1)}
      END;
      CREATE TRIGGER insight_task_updated AFTER UPDATE ON patch_tasks WHEN ${finished('OLD')} OR ${finished('NEW')}
      BEGIN
        ${rollupStatement('OLD', -1)}
        ${rollupStatement('NEW', 1)}
      END;
      CREATE TRIGGER insight_task_deleted AFTER DELETE ON patch_tasks WHEN ${finished('OLD')}
      BEGIN
        ${rollupStatement('OLD', -1)}
      END;
      ${SNAPSHOTS_AND_INDEXES}
    `,
    postgres: postgresInsights(),
  },
];

export const INSIGHT_SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown', 'None'] as const;
export type InsightSeverity = (typeof INSIGHT_SEVERITIES)[number];
export type SeverityCounts = Record<InsightSeverity, number>;

export type Bucket = 'day' | 'week';

export interface InsightsRange {
  /** First day, YYYY-MM-DD (UTC), inclusive. */
  from: string;
  /** Last day, YYYY-MM-DD (UTC), inclusive. */
  to: string;
  bucket: Bucket;
  /** One project, or every project when absent. */
  project?: string;
}

/** Finished tasks of one period (a UTC day, or an ISO week starting on Monday). */
export interface OutcomePeriod {
  /** The period's first day, YYYY-MM-DD. */
  period: string;
  succeeded: number;
  skipped: number;
  failed: number;
  stopped: number;
  /** CVE ids the period's successful tasks fixed, summed over images. */
  fixed_cves: number;
  /** Skipped, failed and stopped tasks per reason code. */
  by_reason: Record<string, number>;
}

export interface InsightTotals {
  tasks: number;
  succeeded: number;
  skipped: number;
  failed: number;
  stopped: number;
  fixed_cves: number;
  /** Fixable vulnerabilities of the successfully patched images, before and after patching, per severity. */
  fixable_before: SeverityCounts;
  fixable_after: SeverityCounts;
}

export interface ReasonCount {
  status: 'Skipped' | 'Error' | 'Stopped';
  reason: string;
  count: number;
}

export interface ProjectRow {
  project: string;
  tasks: number;
  succeeded: number;
  skipped: number;
  failed: number;
  stopped: number;
  fixed_cves: number;
  /** The newest execution's start, whatever the range. */
  last_execution: string | null;
}

export interface ServiceStats {
  running: number;
  queued: number;
  /** Tasks that finished in the hour before `now`. */
  finished_last_hour: number;
  /** Tasks finished per hour, averaged over the 24 hours before `now`. */
  tasks_per_hour: number;
  /** Median wall time of the tasks that finished in the 24 hours before `now`, in seconds (null without any). */
  median_task_seconds: number | null;
  /** Mean wall time of the tasks that finished in the range, in seconds (null without any). */
  mean_task_seconds: number | null;
}

/** One artifact of an execution, as its report shows it. */
export interface ReportRow {
  task_id: number;
  repository: string;
  tag: string | null;
  source_digest: string;
  status: Task['status'];
  reason: Task['reason'];
  patched_tag: string | null;
  patched_digest: string | null;
  before: SeverityCounts | null;
  after: SeverityCounts | null;
  fixable_before: number | null;
  fixable_after: number | null;
  fixed_cves: string[];
  end_time: string | null;
}

export interface VulnerabilitySnapshot {
  /** YYYY-MM-DD (UTC) the snapshot stands for. */
  day: string;
  taken_at: string;
  artifacts: number;
  total: number;
  fixable: number;
  /** All vulnerabilities per severity (Harbor's scan overview gives fixable only as a total). */
  by_severity: SeverityCounts;
}

/** What the insights read. A PostgreSQL store can implement the same interface. */
export interface InsightsStore {
  outcomes(range: InsightsRange): Promise<OutcomePeriod[]>;
  totals(range: InsightsRange): Promise<InsightTotals>;
  reasons(range: InsightsRange): Promise<ReasonCount[]>;
  /** Per project, every project with a task finished in the range or an execution ever. */
  projects(range: Omit<InsightsRange, 'project'>): Promise<ProjectRow[]>;
  service(range: Omit<InsightsRange, 'project'>, now?: Date): Promise<ServiceStats>;
  executionReport(executionId: number): Promise<ReportRow[]>;
  saveSnapshot(project: string, snapshot: VulnerabilitySnapshot): Promise<void>;
  /** The newest snapshot taken on or before `day`, else the oldest one there is (or undefined). */
  snapshotNear(project: string, day: string): Promise<VulnerabilitySnapshot | undefined>;
  /** Every project's newest snapshot. */
  latestSnapshots(): Promise<Map<string, VulnerabilitySnapshot>>;
}

export function emptySeverityCounts(): SeverityCounts {
  return { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, None: 0 };
}

function periodExpr(bucket: Bucket, engine: Engine): string {
  // A week starts on Monday (ISO 8601).
  if (bucket === 'day') return 'day';
  return engine === 'postgres'
    ? "to_char(date_trunc('week', day::date), 'YYYY-MM-DD')"
    : "date(day, '-6 days', 'weekday 1')";
}

/** A statement with `?` placeholders and its arguments, as the query layer runs it on either engine. */
function statement(text: string, args: readonly unknown[] = []): RawBuilder<unknown> {
  const parts = text.split('?');
  let out = sql.raw(parts[0]);
  parts.slice(1).forEach((part, i) => {
    out = sql`${out}${args[i]}${sql.raw(part)}`;
  });
  return out;
}

function scope(range: { from: string; to: string; project?: string }): { where: string; args: unknown[] } {
  const where = ['day >= ?', 'day <= ?', 'tasks <> 0'];
  const args: unknown[] = [range.from, range.to];
  if (range.project !== undefined) {
    where.unshift('project = ?');
    args.unshift(range.project);
  }
  return { where: where.join(' AND '), args };
}

const SEVERITY_SUMS = INSIGHT_SEVERITIES.map(
  (s) => `SUM(before_${s.toLowerCase()}) AS "b_${s}", SUM(after_${s.toLowerCase()}) AS "a_${s}"`,
).join(', ');

function severityCounts(row: Record<string, unknown>, prefix: string): SeverityCounts {
  const out = emptySeverityCounts();
  for (const s of INSIGHT_SEVERITIES) out[s] = Number(row[`${prefix}${s}`] ?? 0);
  return out;
}

function summaryCounts(json: string | null, key: 'summary' | 'fixable_summary'): SeverityCounts | null {
  if (!json) return null;
  const parsed = JSON.parse(json) as Record<string, Record<string, number> | undefined>;
  const out = emptySeverityCounts();
  for (const s of INSIGHT_SEVERITIES) out[s] = Number(parsed[key]?.[s] ?? 0);
  return out;
}

type SnapshotRow = Omit<VulnerabilitySnapshot, 'by_severity'> & { project: string; by_severity: string };

function fromSnapshotRow(row: SnapshotRow): VulnerabilitySnapshot {
  return {
    day: row.day,
    taken_at: row.taken_at,
    artifacts: row.artifacts,
    total: row.total,
    fixable: row.fixable,
    by_severity: { ...emptySeverityCounts(), ...(JSON.parse(row.by_severity) as Partial<SeverityCounts>) },
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Reads the daily rollup `insight_daily`, which triggers on `patch_tasks` keep current: a range of days is a
 * few rows per project and day, whatever the number of tasks.
 */
export class SqlInsightsStore implements InsightsStore {
  constructor(private readonly q: Sql) {}

  private async all<T>(text: string, ...args: unknown[]): Promise<T[]> {
    return (await statement(text, args).execute(this.q.db)).rows as T[];
  }

  private async one<T>(text: string, ...args: unknown[]): Promise<T | undefined> {
    return (await this.all<T>(text, ...args))[0];
  }

  async outcomes(range: InsightsRange): Promise<OutcomePeriod[]> {
    const { where, args } = scope(range);
    const rows = (await this.all(
      `SELECT ${periodExpr(range.bucket, this.q.engine)} AS period, status, reason, SUM(tasks) AS n, SUM(fixed_cves) AS fixed
         FROM insight_daily WHERE ${where} GROUP BY 1, status, reason ORDER BY 1`,
      ...args,
    )) as { period: string; status: string; reason: string; n: number; fixed: number }[];
    const byPeriod = new Map<string, OutcomePeriod>();
    for (const r of rows) {
      let p = byPeriod.get(r.period);
      if (!p) {
        p = { period: r.period, succeeded: 0, skipped: 0, failed: 0, stopped: 0, fixed_cves: 0, by_reason: {} };
        byPeriod.set(r.period, p);
      }
      if (r.status === 'Success') p.succeeded += r.n;
      else if (r.status === 'Skipped') p.skipped += r.n;
      else if (r.status === 'Error') p.failed += r.n;
      else if (r.status === 'Stopped') p.stopped += r.n;
      if (r.status !== 'Success') {
        const reason = r.reason || 'UNKNOWN';
        p.by_reason[reason] = (p.by_reason[reason] ?? 0) + r.n;
      }
      p.fixed_cves += r.fixed;
    }
    return [...byPeriod.values()];
  }

  async totals(range: InsightsRange): Promise<InsightTotals> {
    const { where, args } = scope(range);
    const row = (await this.one(
      `SELECT SUM(tasks) AS tasks,
                SUM(CASE WHEN status = 'Success' THEN tasks ELSE 0 END) AS succeeded,
                SUM(CASE WHEN status = 'Skipped' THEN tasks ELSE 0 END) AS skipped,
                SUM(CASE WHEN status = 'Error' THEN tasks ELSE 0 END) AS failed,
                SUM(CASE WHEN status = 'Stopped' THEN tasks ELSE 0 END) AS stopped,
                SUM(fixed_cves) AS fixed, ${SEVERITY_SUMS}
         FROM insight_daily WHERE ${where}`,
      ...args,
    )) as Record<string, number | null>;
    return {
      tasks: row.tasks ?? 0,
      succeeded: row.succeeded ?? 0,
      skipped: row.skipped ?? 0,
      failed: row.failed ?? 0,
      stopped: row.stopped ?? 0,
      fixed_cves: row.fixed ?? 0,
      fixable_before: severityCounts(row, 'b_'),
      fixable_after: severityCounts(row, 'a_'),
    };
  }

  async reasons(range: InsightsRange): Promise<ReasonCount[]> {
    const { where, args } = scope(range);
    return (await this.all(
      `SELECT status, CASE WHEN reason = '' THEN 'UNKNOWN' ELSE reason END AS reason, SUM(tasks) AS count
         FROM insight_daily WHERE ${where} AND status <> 'Success'
         GROUP BY status, 2 ORDER BY count DESC, status, reason`,
      ...args,
    )) as ReasonCount[];
  }

  async projects(range: Omit<InsightsRange, 'project'>): Promise<ProjectRow[]> {
    const { where, args } = scope(range);
    return (await this.all(
      `WITH t AS (
           SELECT project, SUM(tasks) AS tasks,
                  SUM(CASE WHEN status = 'Success' THEN tasks ELSE 0 END) AS succeeded,
                  SUM(CASE WHEN status = 'Skipped' THEN tasks ELSE 0 END) AS skipped,
                  SUM(CASE WHEN status = 'Error' THEN tasks ELSE 0 END) AS failed,
                  SUM(CASE WHEN status = 'Stopped' THEN tasks ELSE 0 END) AS stopped,
                  SUM(fixed_cves) AS fixed_cves
           FROM insight_daily WHERE ${where} GROUP BY project),
         e AS (SELECT project, MAX(start_time) AS last_execution FROM patch_executions GROUP BY project),
         p AS (SELECT project FROM t UNION SELECT project FROM e)
         SELECT p.project, COALESCE(t.tasks, 0) AS tasks, COALESCE(t.succeeded, 0) AS succeeded,
                COALESCE(t.skipped, 0) AS skipped, COALESCE(t.failed, 0) AS failed, COALESCE(t.stopped, 0) AS stopped,
                COALESCE(t.fixed_cves, 0) AS fixed_cves, e.last_execution
         FROM p LEFT JOIN t ON t.project = p.project LEFT JOIN e ON e.project = p.project
         ORDER BY fixed_cves DESC, tasks DESC, p.project`,
      ...args,
    )) as ProjectRow[];
  }

  async service(range: Omit<InsightsRange, 'project'>, now = new Date()): Promise<ServiceStats> {
    const count = async (text: string, ...args: unknown[]) =>
      Number(((await this.one(text, ...args)) as { n: number }).n);
    const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
    const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
    const finishedSince = `SELECT COUNT(*) AS n FROM patch_tasks WHERE end_time >= ? AND end_time <= ?
                           AND status IN ${FINISHED_SQL}`;
    const lastDay = (
      (await this.all(
        `SELECT ${this.q.engine === 'postgres' ? 'EXTRACT(EPOCH FROM (end_time::timestamptz - start_time::timestamptz))::double precision' : '(julianday(end_time) - julianday(start_time)) * 86400.0'} AS s FROM patch_tasks
           WHERE end_time >= ? AND end_time <= ? AND status IN ${FINISHED_SQL} AND start_time IS NOT NULL ORDER BY s`,
        dayAgo,
        now.toISOString(),
      )) as { s: number }[]
    ).map((r) => r.s);
    const mid = lastDay.length >> 1;
    const median =
      lastDay.length === 0 ? null : lastDay.length % 2 ? lastDay[mid] : (lastDay[mid - 1] + lastDay[mid]) / 2;
    const { where, args } = scope(range);
    const mean = (await this.one(
      `SELECT SUM(seconds) AS s, SUM(tasks) AS n FROM insight_daily WHERE ${where}`,
      ...args,
    )) as { s: number | null; n: number | null };
    return {
      running: await count(`SELECT COUNT(*) AS n FROM patch_tasks WHERE status = 'Running'`),
      queued: await count('SELECT COUNT(*) AS n FROM patch_queue'),
      finished_last_hour: await count(finishedSince, hourAgo, now.toISOString()),
      tasks_per_hour: round1((await count(finishedSince, dayAgo, now.toISOString())) / 24),
      median_task_seconds: median === null ? null : round1(median),
      mean_task_seconds: mean.n ? round1((mean.s ?? 0) / mean.n) : null,
    };
  }

  async executionReport(executionId: number): Promise<ReportRow[]> {
    const rows = (await this.all(
      `SELECT id, repository, tag, source_digest, status, reason, patched_tag, patched_digest,
                vulnerabilities_before, vulnerabilities_after, fixed_cves, end_time
         FROM patch_tasks WHERE execution_id = ? ORDER BY repository, tag NULLS FIRST, id`,
      executionId,
    )) as {
      id: number;
      repository: string;
      tag: string | null;
      source_digest: string;
      status: Task['status'];
      reason: Task['reason'];
      patched_tag: string | null;
      patched_digest: string | null;
      vulnerabilities_before: string | null;
      vulnerabilities_after: string | null;
      fixed_cves: string | null;
      end_time: string | null;
    }[];
    const fixable = (json: string | null) =>
      json ? Number((JSON.parse(json) as { fixable?: number }).fixable ?? 0) : null;
    return rows.map((r) => ({
      task_id: r.id,
      repository: r.repository,
      tag: r.tag,
      source_digest: r.source_digest,
      status: r.status,
      reason: r.reason,
      patched_tag: r.patched_tag,
      patched_digest: r.patched_digest,
      before: summaryCounts(r.vulnerabilities_before, 'summary'),
      after: summaryCounts(r.vulnerabilities_after, 'summary'),
      fixable_before: fixable(r.vulnerabilities_before),
      fixable_after: fixable(r.vulnerabilities_after),
      fixed_cves: r.fixed_cves ? (JSON.parse(r.fixed_cves) as string[]) : [],
      end_time: r.end_time,
    }));
  }

  async saveSnapshot(project: string, s: VulnerabilitySnapshot): Promise<void> {
    await this.all(
      `INSERT INTO insight_snapshots (project, day, taken_at, artifacts, total, fixable, by_severity)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project, day) DO UPDATE SET taken_at = excluded.taken_at, artifacts = excluded.artifacts,
           total = excluded.total, fixable = excluded.fixable, by_severity = excluded.by_severity`,
      project,
      s.day,
      s.taken_at,
      s.artifacts,
      s.total,
      s.fixable,
      JSON.stringify(s.by_severity),
    );
  }

  async latestSnapshots(): Promise<Map<string, VulnerabilitySnapshot>> {
    const rows = (await this.all(`SELECT s.* FROM insight_snapshots s
         JOIN (SELECT project, MAX(day) AS day FROM insight_snapshots GROUP BY project) m
           ON m.project = s.project AND m.day = s.day`)) as SnapshotRow[];
    return new Map(rows.map((r) => [r.project, fromSnapshotRow(r)]));
  }

  async snapshotNear(project: string, day: string): Promise<VulnerabilitySnapshot | undefined> {
    const row = ((await this.one(
      'SELECT * FROM insight_snapshots WHERE project = ? AND day <= ? ORDER BY day DESC LIMIT 1',
      project,
      day,
    )) ?? (await this.one('SELECT * FROM insight_snapshots WHERE project = ? ORDER BY day LIMIT 1', project))) as
      (Omit<VulnerabilitySnapshot, 'by_severity'> & { by_severity: string }) | undefined;
    if (!row) return undefined;
    return {
      day: row.day,
      taken_at: row.taken_at,
      artifacts: row.artifacts,
      total: row.total,
      fixable: row.fixable,
      by_severity: { ...emptySeverityCounts(), ...(JSON.parse(row.by_severity) as Partial<SeverityCounts>) },
    };
  }
}
