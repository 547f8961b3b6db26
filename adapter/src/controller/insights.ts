/**
 * Insights use cases, protocol-free: a project's (history from the store, backlog and vulnerabilities now
 * from Harbor), the whole service's, and one execution's report. The caller's access is checked before
 * these are called; `harbor` is given only when the caller may read the project's scan results.
 */
import type { components } from '@harbor-patching/shared/api/generated';
import type { HarborClient } from '../harbor/client';
import { nextRunTime } from './policies';
import { HarborError } from '../harbor/client';
import { backlogOf, snapshotOf, type BacklogSeverity, type ProjectScans } from '../insights/backlog';
import type { PolicyStore } from '../store/policies';
import type { InsightsRange, InsightsStore } from '../store/insights';

export type ProjectInsights = components['schemas']['ProjectInsights'];
export type SystemInsights = components['schemas']['SystemInsights'];
export type ExecutionReport = components['schemas']['ExecutionReport'];
type PolicyRunInfo = components['schemas']['PolicyRunInfo'];
type Execution = components['schemas']['Execution'];

export interface InsightsControllerDeps {
  store: InsightsStore;
  policies: PolicyStore;
  scans: ProjectScans;
  /** Tasks that may run at once (the worker pool's size). */
  slots: number;
  /** An execution by id, as the API shows it (undefined when patching is off or it does not exist). */
  execution(id: number): Promise<Execution | undefined>;
}

const DAY_MS = 86_400_000;

/** `day` (YYYY-MM-DD) moved by `days`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export class InsightsController {
  constructor(private readonly deps: InsightsControllerDeps) {}

  async project(
    range: Required<Pick<InsightsRange, 'project'>> & InsightsRange,
    severity: BacklogSeverity,
    harbor: HarborClient | undefined,
  ): Promise<ProjectInsights> {
    const { store, policies, scans } = this.deps;
    const now = new Date();
    const projectPolicies = await policies.listAll({ projectName: range.project });
    let vulnerabilities: ProjectInsights['vulnerabilities'] = null;
    let backlog: ProjectInsights['backlog'] = null;
    let backlogError: string | null = null;
    if (harbor) {
      const then = (await store.snapshotNear(range.project, addDays(range.to, -30))) ?? null;
      try {
        const scan = await scans.get(harbor, range.project);
        const snapshot = snapshotOf(scan);
        await store.saveSnapshot(range.project, snapshot);
        backlog = backlogOf(scan, projectPolicies, severity);
        vulnerabilities = { now: snapshot, then: then && then.day < snapshot.day ? then : null };
      } catch (err) {
        if (!(err instanceof HarborError)) throw err;
        backlogError = `Harbor did not list the project's artifacts (${err.status || 'unreachable'}): ${err.message}`;
        vulnerabilities = { now: null, then };
      }
    }
    return {
      project: range.project,
      from: range.from,
      to: range.to,
      bucket: range.bucket,
      generated_at: now.toISOString(),
      totals: await store.totals(range),
      outcomes: await store.outcomes(range),
      reasons: await store.reasons(range),
      vulnerabilities,
      backlog,
      backlog_error: backlogError,
      policies: projectPolicies.map((p): PolicyRunInfo => {
        const next = nextRunTime(p, now);
        return {
          id: p.id,
          name: p.name,
          enabled: p.enabled,
          trigger: p.trigger.type,
          severity_threshold: p.severity_threshold,
          next_run_time: next,
        };
      }),
    };
  }

  async system(range: Omit<InsightsRange, 'project'>): Promise<SystemInsights> {
    const { store, slots } = this.deps;
    const snapshots = await store.latestSnapshots();
    return {
      from: range.from,
      to: range.to,
      bucket: range.bucket,
      generated_at: new Date().toISOString(),
      totals: await store.totals(range),
      outcomes: await store.outcomes(range),
      reasons: await store.reasons(range),
      projects: (await store.projects(range)).map((row) => {
        const snapshot = snapshots.get(row.project);
        return { ...row, fixable_now: snapshot?.fixable ?? null, snapshot_day: snapshot?.day ?? null };
      }),
      service: { slots, ...(await store.service(range)) },
    };
  }

  /** The report of an execution of `project`, or undefined when there is no such execution there. */
  async executionReport(project: string, executionId: number): Promise<ExecutionReport | undefined> {
    const execution = await this.deps.execution(executionId);
    if (!execution || execution.project !== project) return undefined;
    return { execution, rows: await this.deps.store.executionReport(executionId) };
  }
}
