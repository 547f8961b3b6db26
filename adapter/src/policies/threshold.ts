/**
 * Severity threshold decisions from Harbor's scan overview, and (only when the overview cannot
 * decide) from the full vulnerability list.
 */
import type { NativeReportSummary, VulnerabilityItem } from '../harbor/repositories';

/** Harbor's severities from most to least severe (src/pkg/scan/vuln/severity.go). */
export const SEVERITY_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown', 'None'] as const;

const rank = new Map<string, number>(SEVERITY_ORDER.map((s, i) => [s.toLowerCase(), SEVERITY_ORDER.length - i]));

/** Higher is more severe; unknown words rank with "Unknown". */
export function severityRank(severity: string | undefined): number {
  return rank.get((severity ?? 'unknown').toLowerCase()) ?? rank.get('unknown')!;
}

/** True when `severity` is at or above `threshold`. Threshold "None" accepts every severity. */
export function atOrAbove(severity: string | undefined, threshold: string): boolean {
  if (threshold.toLowerCase() === 'none') return true;
  return severityRank(severity) >= severityRank(threshold);
}

/** A vulnerability is fixable when the scanner names a fixed version. */
export const isFixable = (v: Pick<VulnerabilityItem, 'fix_version'>): boolean =>
  typeof v.fix_version === 'string' && v.fix_version.trim() !== '';

export interface ScanFacts {
  scan_status: string;
  total: number;
  fixable: number;
  /** Count per severity (all vulnerabilities, fixable or not). */
  by_severity: Record<string, number>;
}

/** The first report summary in the overview (Harbor returns the first accepted type it has). */
export function scanFacts(overview: Record<string, NativeReportSummary> | null | undefined): ScanFacts | undefined {
  const first = overview ? Object.values(overview).find((v) => v && typeof v === 'object') : undefined;
  if (!first) return undefined;
  return {
    scan_status: first.scan_status ?? 'Unknown',
    total: first.summary?.total ?? 0,
    fixable: first.summary?.fixable ?? 0,
    by_severity: { ...(first.summary?.summary ?? {}) },
  };
}

export type ThresholdDecision =
  | { kind: 'candidate'; fixable_at_threshold?: number }
  | { kind: 'NOTHING_FIXABLE' }
  | { kind: 'BELOW_THRESHOLD' }
  /** The summary cannot tell whether a fixable vulnerability reaches the threshold: read the report. */
  | { kind: 'NEED_REPORT' };

/**
 * Decides from the summary alone when it can: nothing fixable, nothing at or above the threshold,
 * or (pigeonhole) more fixable vulnerabilities than there are below the threshold.
 */
export function decideFromSummary(facts: ScanFacts, threshold: string): ThresholdDecision {
  if (facts.fixable <= 0) return { kind: 'NOTHING_FIXABLE' };
  if (threshold.toLowerCase() === 'none') return { kind: 'candidate' };
  let atOrAboveCount = 0;
  for (const [severity, count] of Object.entries(facts.by_severity)) {
    if (atOrAbove(severity, threshold)) atOrAboveCount += count;
  }
  if (atOrAboveCount === 0) return { kind: 'BELOW_THRESHOLD' };
  const below = Math.max(facts.total - atOrAboveCount, 0);
  if (facts.fixable > below) return { kind: 'candidate' };
  return { kind: 'NEED_REPORT' };
}

/** Decision from the full vulnerability list. */
export function decideFromReport(vulnerabilities: VulnerabilityItem[], threshold: string): ThresholdDecision {
  const fixable = vulnerabilities.filter(isFixable);
  if (fixable.length === 0) return { kind: 'NOTHING_FIXABLE' };
  const reaching = fixable.filter((v) => atOrAbove(v.severity, threshold)).length;
  return reaching > 0 ? { kind: 'candidate', fixable_at_threshold: reaching } : { kind: 'BELOW_THRESHOLD' };
}
