/**
 * The backlog of a project: what Harbor's current scan overviews say is still fixable, per repository, and
 * which repositories no enabled policy covers. Walks the project's repositories page by page and reads the
 * newest page of artifacts (up to 100) of each; answers are cached per project for a few minutes.
 *
 * Harbor's overview gives the fixable vulnerabilities only as a total (the counts per severity are of all
 * vulnerabilities), so an artifact is in the backlog at a severity when it has fixable vulnerabilities and
 * at least one vulnerability at or above that severity, the same test a policy's threshold starts from.
 */
import { isPatchedTag } from '@harbor-patching/shared/policy/tags';
import { DEFAULT_TAG_SUFFIX, type PatchPolicy } from '@harbor-patching/shared/policy/model';
import { TtlCache } from '../cache';
import type { HarborClient } from '../harbor/client';
import { listArtifactPages, listRepositoryPages, type HarborArtifact } from '../harbor/repositories';
import { compilePolicyFilters } from '../policies/filters';
import { atOrAbove, scanFacts } from '../policies/threshold';
import {
  emptySeverityCounts,
  INSIGHT_SEVERITIES,
  type InsightSeverity,
  type SeverityCounts,
  type VulnerabilitySnapshot,
} from '../store/insights';

export const BACKLOG_SEVERITIES = ['Critical', 'High', 'Medium', 'Low'] as const;
export type BacklogSeverity = (typeof BACKLOG_SEVERITIES)[number];

/** One repository's scanned artifacts, as Harbor's overviews count them. */
export interface RepositoryScan {
  /** Without the project. */
  repository: string;
  /** Harbor's full name, with the project. */
  repository_name: string;
  artifacts: { fixable: number; total: number; by_severity: SeverityCounts }[];
}

export interface ProjectScan {
  repositories: RepositoryScan[];
  /** Artifacts read that had no finished scan. */
  not_scanned: number;
  /** Repositories with a full first page: only their newest 100 artifacts were read. */
  truncated_repositories: number;
  taken_at: string;
}

export interface BacklogRepository {
  repository: string;
  /** Artifacts with fixable vulnerabilities and one at or above the severity. */
  artifacts: number;
  /** Fixable vulnerabilities of those artifacts (all severities). */
  fixable: number;
  /** Vulnerabilities at or above the severity in those artifacts (fixable or not). */
  at_or_above: number;
  by_severity: SeverityCounts;
}

export interface Backlog {
  severity: BacklogSeverity;
  /** Uncovered repositories with work at the severity, most fixable first (at most `limit`). */
  repositories: BacklogRepository[];
  /** How many uncovered repositories have work at the severity (may be more than listed). */
  uncovered: number;
  /** Repositories with work at the severity that an enabled policy's repository filter matches. */
  covered: number;
  not_scanned: number;
  truncated_repositories: number;
  taken_at: string;
}

const ARTIFACTS_PER_REPOSITORY = 100;

function countsOf(summary: Record<string, number>): SeverityCounts {
  const out = emptySeverityCounts();
  for (const [severity, n] of Object.entries(summary)) {
    const known = INSIGHT_SEVERITIES.find((s) => s.toLowerCase() === severity.toLowerCase()) ?? 'Unknown';
    out[known as InsightSeverity] += Number(n) || 0;
  }
  return out;
}

/** Artifacts that patching produced are results, not work: every tag is a patched tag (default suffix). */
function isPatchResult(a: HarborArtifact): boolean {
  const tags = (a.tags ?? []).map((t) => t.name);
  return tags.length > 0 && tags.every((t) => isPatchedTag(t, DEFAULT_TAG_SUFFIX));
}

/** Reads the project's repositories and their newest artifacts' scan overviews, `concurrency` repositories at once. */
export async function scanProject(harbor: HarborClient, project: string, concurrency = 4): Promise<ProjectScan> {
  const names: string[] = [];
  for await (const page of listRepositoryPages(harbor, project)) names.push(...page.map((r) => r.name));
  const repositories: RepositoryScan[] = [];
  let notScanned = 0;
  let truncated = 0;
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const fullName = names[next++];
      const scan: RepositoryScan = {
        repository: fullName.slice(project.length + 1),
        repository_name: fullName,
        artifacts: [],
      };
      const pages = listArtifactPages(harbor, fullName, { withLabel: false, pageSize: ARTIFACTS_PER_REPOSITORY });
      const first = await pages.next();
      const artifacts = first.done ? [] : first.value;
      await pages.return(undefined);
      if (artifacts.length === ARTIFACTS_PER_REPOSITORY) truncated++;
      for (const a of artifacts) {
        if (isPatchResult(a)) continue;
        const facts = scanFacts(a.scan_overview);
        if (!facts || facts.scan_status !== 'Success') {
          notScanned++;
          continue;
        }
        scan.artifacts.push({ fixable: facts.fixable, total: facts.total, by_severity: countsOf(facts.by_severity) });
      }
      repositories.push(scan);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  repositories.sort((a, b) => a.repository_name.localeCompare(b.repository_name));
  return {
    repositories,
    not_scanned: notScanned,
    truncated_repositories: truncated,
    taken_at: new Date().toISOString(),
  };
}

/** The project's totals today, as a snapshot to keep and compare with later ones. */
export function snapshotOf(scan: ProjectScan): VulnerabilitySnapshot {
  const by = emptySeverityCounts();
  let artifacts = 0;
  let total = 0;
  let fixable = 0;
  for (const r of scan.repositories) {
    for (const a of r.artifacts) {
      artifacts++;
      total += a.total;
      fixable += a.fixable;
      for (const s of INSIGHT_SEVERITIES) by[s] += a.by_severity[s];
    }
  }
  return { day: scan.taken_at.slice(0, 10), taken_at: scan.taken_at, artifacts, total, fixable, by_severity: by };
}

/** The backlog at `severity`: repositories with work there, split by whether an enabled policy covers them. */
export function backlogOf(
  scan: ProjectScan,
  policies: readonly PatchPolicy[],
  severity: BacklogSeverity,
  limit = 10,
): Backlog {
  const matchers = policies.filter((p) => p.enabled).map((p) => compilePolicyFilters(p));
  const uncovered: BacklogRepository[] = [];
  let covered = 0;
  for (const r of scan.repositories) {
    const row: BacklogRepository = {
      repository: r.repository,
      artifacts: 0,
      fixable: 0,
      at_or_above: 0,
      by_severity: emptySeverityCounts(),
    };
    for (const a of r.artifacts) {
      const reaching = INSIGHT_SEVERITIES.filter((s) => atOrAbove(s, severity)).reduce(
        (n, s) => n + a.by_severity[s],
        0,
      );
      if (a.fixable <= 0 || reaching === 0) continue;
      row.artifacts++;
      row.fixable += a.fixable;
      row.at_or_above += reaching;
      for (const s of INSIGHT_SEVERITIES) row.by_severity[s] += a.by_severity[s];
    }
    if (row.artifacts === 0) continue;
    if (matchers.some((m) => m.repository(r.repository, r.repository_name))) covered++;
    else uncovered.push(row);
  }
  uncovered.sort(
    (a, b) => b.fixable - a.fixable || b.at_or_above - a.at_or_above || a.repository.localeCompare(b.repository),
  );
  return {
    severity,
    repositories: uncovered.slice(0, limit),
    uncovered: uncovered.length,
    covered,
    not_scanned: scan.not_scanned,
    truncated_repositories: scan.truncated_repositories,
    taken_at: scan.taken_at,
  };
}

/** Project scans kept `ttlSeconds` (per project; the caller's access is checked before asking). */
export class ProjectScans {
  private readonly cache: TtlCache<ProjectScan>;

  constructor(ttlSeconds: number) {
    this.cache = new TtlCache(ttlSeconds * 1000, { maxEntries: 1000 });
  }

  get(harbor: HarborClient, project: string): Promise<ProjectScan> {
    return this.cache.get(project, () => scanProject(harbor, project));
  }

  clear(): void {
    this.cache.clear();
  }
}
