/**
 * Insights API (under /patching/api/v1):
 *   GET /projects/{p}/insights                        ?from&to&bucket&severity&format=json|csv&table
 *   GET /insights                                     ?from&to&bucket&format&table   (Harbor system admins)
 *   GET /projects/{p}/executions/{id}/report          ?format=json|csv
 * Project insights and reports need read access to the project (as the executions do); the backlog and
 * the vulnerabilities now need Harbor's scan:read there, since they show scan results.
 */
import { Router, type Request, type Response } from 'express';
import { callerOf, credentialsFromLocals, projectAccessOf, type AuthMiddleware } from './auth';
import { addDays, type InsightsController, type ProjectInsights, type SystemInsights } from '../controller/insights';
import type { HarborClient } from '../harbor/client';
import { BACKLOG_SEVERITIES, type BacklogSeverity } from '../insights/backlog';
import { toCsv, type CsvCell } from '../insights/csv';
import type { Bucket } from '../store/insights';
import { ApiError, badRequest, forbidden, notFound } from './errors';
import { positiveId, rawQuery } from './params';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
const SEVERITY_COLUMNS = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;

/** A query parameter given at most once, one of `allowed` (the OpenAPI validator checked it first). */
function choice<T extends string>(req: Request, name: string, allowed: readonly T[], fallback: T): T {
  const values = rawQuery(req).getAll(name);
  if (values.length > 1) {
    throw badRequest([{ field: `query.${name}`, message: `query.${name}: give it once, got ${values.length} values` }]);
  }
  const value = values[0];
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badRequest([{ field: `query.${name}`, message: `query.${name}: must be one of ${allowed.join(', ')}` }]);
  }
  return value as T;
}

function day(req: Request, name: 'from' | 'to'): string | undefined {
  const value = rawQuery(req).get(name);
  if (value === null) return undefined;
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw badRequest([{ field: `query.${name}`, message: `query.${name}: must be a day as YYYY-MM-DD` }]);
  return value;
}

/** The range of days asked for: `to` defaults to today (UTC), `from` to 29 days before `to`. */
export function rangeOf(req: Request, now = new Date()): { from: string; to: string; bucket: Bucket } {
  const to = day(req, 'to') ?? now.toISOString().slice(0, 10);
  const from = day(req, 'from') ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw badRequest([{ field: 'query.from', message: `query.from: ${from} is after query.to ${to}` }]);
  if (from < addDays(to, -(MAX_RANGE_DAYS - 1))) {
    throw badRequest([
      { field: 'query.from', message: `query.from: the range may span at most ${MAX_RANGE_DAYS} days` },
    ]);
  }
  return { from, to, bucket: choice(req, 'bucket', ['day', 'week'] as const, 'day') };
}

function sendCsv(res: Response, filename: string, header: readonly string[], rows: CsvCell[][]): void {
  res.type('text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  res.send(toCsv(header, rows));
}

type Insights = ProjectInsights | SystemInsights;

function outcomesCsv(i: Insights): { header: string[]; rows: CsvCell[][] } {
  const reasons = [...new Set(i.outcomes.flatMap((o) => Object.keys(o.by_reason)))].sort();
  return {
    header: ['period', 'succeeded', 'skipped', 'failed', 'stopped', 'fixed_cves', ...reasons],
    rows: i.outcomes.map((o) => [
      o.period,
      o.succeeded,
      o.skipped,
      o.failed,
      o.stopped,
      o.fixed_cves,
      ...reasons.map((r) => o.by_reason[r] ?? 0),
    ]),
  };
}

function reasonsCsv(i: Insights): { header: string[]; rows: CsvCell[][] } {
  return { header: ['status', 'reason', 'count'], rows: i.reasons.map((r) => [r.status, r.reason, r.count]) };
}

export function insightsRouter(controller: InsightsController, auth: AuthMiddleware, harbor: HarborClient): Router {
  const r = Router({ mergeParams: true });

  r.get('/projects/:project_name/insights', auth.requireProjectRead(), async (req, res) => {
    const access = projectAccessOf(res);
    const range = { ...rangeOf(req), project: access.project.name };
    const format = choice(req, 'format', ['json', 'csv'] as const, 'json');
    const table = choice(req, 'table', ['outcomes', 'reasons', 'backlog', 'policies'] as const, 'outcomes');
    const severity = choice<BacklogSeverity>(req, 'severity', BACKLOG_SEVERITIES, 'High');
    const readsScans = access.can('scan', 'read');
    const needsHarbor = format === 'json' || table === 'backlog';
    const callerHarbor = readsScans && needsHarbor ? harbor.withAuth(credentialsFromLocals(res)!.auth) : undefined;
    const insights = await controller.project(range, severity, callerHarbor);
    if (format === 'json') return void res.json(insights);

    const filename = `insights-${range.project}-${table}-${range.from}-${range.to}.csv`;
    if (table === 'outcomes') {
      const { header, rows } = outcomesCsv(insights);
      return sendCsv(res, filename, header, rows);
    }
    if (table === 'reasons') {
      const { header, rows } = reasonsCsv(insights);
      return sendCsv(res, filename, header, rows);
    }
    if (table === 'policies') {
      return sendCsv(
        res,
        filename,
        ['id', 'name', 'enabled', 'trigger', 'severity_threshold', 'next_run_time'],
        insights.policies.map((p) => [p.id, p.name, p.enabled, p.trigger, p.severity_threshold, p.next_run_time]),
      );
    }
    if (!readsScans) {
      throw forbidden(
        `the backlog shows scan results: you need the scan:read permission in project "${range.project}"`,
      );
    }
    if (!insights.backlog) throw new ApiError(502, insights.backlog_error ?? 'Harbor did not list the artifacts');
    return sendCsv(
      res,
      `insights-${range.project}-backlog-${severity}.csv`,
      ['repository', 'artifacts', 'fixable', 'at_or_above', ...SEVERITY_COLUMNS.map((s) => s.toLowerCase())],
      insights.backlog.repositories.map((b) => [
        b.repository,
        b.artifacts,
        b.fixable,
        b.at_or_above,
        ...SEVERITY_COLUMNS.map((s) => b.by_severity[s]),
      ]),
    );
  });

  r.get('/insights', auth.requireSignedIn(), async (req, res) => {
    if (!callerOf(res).sysadmin) throw forbidden('only Harbor system admins may see the insights of every project');
    const range = rangeOf(req);
    const format = choice(req, 'format', ['json', 'csv'] as const, 'json');
    const table = choice(req, 'table', ['outcomes', 'reasons', 'projects'] as const, 'outcomes');
    const insights = await controller.system(range);
    if (format === 'json') return void res.json(insights);
    const filename = `insights-all-${table}-${range.from}-${range.to}.csv`;
    if (table === 'projects') {
      return sendCsv(
        res,
        filename,
        [
          'project',
          'tasks',
          'succeeded',
          'skipped',
          'failed',
          'stopped',
          'fixed_cves',
          'fixable_now',
          'snapshot_day',
          'last_execution',
        ],
        insights.projects.map((p) => [
          p.project,
          p.tasks,
          p.succeeded,
          p.skipped,
          p.failed,
          p.stopped,
          p.fixed_cves,
          p.fixable_now,
          p.snapshot_day,
          p.last_execution,
        ]),
      );
    }
    const { header, rows } = table === 'outcomes' ? outcomesCsv(insights) : reasonsCsv(insights);
    return sendCsv(res, filename, header, rows);
  });

  r.get('/projects/:project_name/executions/:execution_id/report', auth.requireProjectRead(), async (req, res) => {
    const project = projectAccessOf(res).project.name;
    const id = positiveId(req, 'execution_id', 'path');
    const format = choice(req, 'format', ['json', 'csv'] as const, 'json');
    const report = await controller.executionReport(project, id);
    if (!report) throw notFound(`execution ${id} does not exist in project ${project}`);
    if (format === 'json') return void res.json(report);
    const severities = ['Critical', 'High', 'Medium', 'Low'] as const;
    sendCsv(
      res,
      `execution-${id}-report.csv`,
      [
        'task_id',
        'repository',
        'tag',
        'source_digest',
        'status',
        'reason',
        'patched_tag',
        'patched_digest',
        'fixable_before',
        'fixable_after',
        ...severities.map((s) => `${s.toLowerCase()}_before`),
        ...severities.map((s) => `${s.toLowerCase()}_after`),
        'fixed_cve_count',
        'fixed_cves',
        'end_time',
      ],
      report.rows.map((row) => [
        row.task_id,
        row.repository,
        row.tag,
        row.source_digest,
        row.status,
        row.reason,
        row.patched_tag,
        row.patched_digest,
        row.fixable_before,
        row.fixable_after,
        ...severities.map((s) => row.before?.[s]),
        ...severities.map((s) => row.after?.[s]),
        row.fixed_cves.length,
        row.fixed_cves.join(' '),
        row.end_time,
      ]),
    );
  });

  return r;
}
