/**
 * Harbor's vulnerability report -> counts per severity, the fixable set, and copa's input
 * (a v1alpha1 UpdateManifest, read by `copa patch --scanner native`).
 */
import type { VulnerabilityItem } from '../harbor/repositories';
import type { Severity, VulnerabilitySummary } from '../model/execution';
import type { OsRelease } from '../registry/client';
import { atOrAbove, isFixable, SEVERITY_ORDER } from '../policies/threshold';

export function normalizeSeverity(s: string | undefined): Severity {
  const hit = SEVERITY_ORDER.find((o) => o.toLowerCase() === (s ?? '').toLowerCase());
  return hit ?? 'Unknown';
}

export function summarize(vulns: readonly VulnerabilityItem[]): VulnerabilitySummary {
  const summary: VulnerabilitySummary['summary'] = {};
  const fixableSummary: VulnerabilitySummary['summary'] = {};
  const out: VulnerabilitySummary = { total: 0, fixable: 0, summary, fixable_summary: fixableSummary };
  for (const v of vulns) {
    const sev = normalizeSeverity(v.severity);
    out.total++;
    summary[sev] = (summary[sev] ?? 0) + 1;
    if (isFixable(v)) {
      out.fixable++;
      fixableSummary[sev] = (fixableSummary[sev] ?? 0) + 1;
    }
  }
  return out;
}

export function fixableAtThreshold(vulns: readonly VulnerabilityItem[], threshold: Severity): VulnerabilityItem[] {
  return vulns.filter((v) => isFixable(v) && atOrAbove(v.severity, threshold));
}

/** CVE ids fixable before that no longer appear after. */
export function fixedCves(before: readonly VulnerabilityItem[], after: readonly VulnerabilityItem[]): string[] {
  const remaining = new Set(after.map((v) => `${v.id}|${v.package ?? ''}`));
  const fixed = new Set<string>();
  for (const v of before) if (isFixable(v) && !remaining.has(`${v.id}|${v.package ?? ''}`)) fixed.add(v.id);
  // A CVE still present for another package is not fixed.
  const stillThere = new Set(after.map((v) => v.id));
  return [...fixed].filter((id) => !stillThere.has(id)).sort();
}

/** The OS types copa's package managers handle, keyed by os-release ID. */
const COPA_OS: Record<string, string> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  alpine: 'alpine',
  rhel: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'alma',
  amzn: 'amazon',
  ol: 'oracle',
  sles: 'sles',
  'opensuse-leap': 'opensuse-leap',
  azurelinux: 'azurelinux',
  mariner: 'cbl-mariner',
};

export function copaOsType(os: OsRelease): string | undefined {
  return COPA_OS[os.id.toLowerCase()];
}

export interface UpdateManifestV1Alpha1 {
  apiVersion: 'v1alpha1';
  metadata: { os: { type: string; version: string }; config: { arch: string } };
  updates: { name: string; installedVersion: string; fixedVersion: string; vulnerabilityID: string }[];
}

export function buildUpdateManifest(
  os: { type: string; version: string },
  arch: string,
  vulns: readonly VulnerabilityItem[],
): UpdateManifestV1Alpha1 {
  const seen = new Set<string>();
  const updates: UpdateManifestV1Alpha1['updates'] = [];
  for (const v of vulns) {
    if (!isFixable(v) || !v.package) continue;
    const key = `${v.package}|${v.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    updates.push({
      name: v.package,
      installedVersion: v.version ?? '',
      fixedVersion: v.fix_version!,
      vulnerabilityID: v.id,
    });
  }
  return { apiVersion: 'v1alpha1', metadata: { os, config: { arch } }, updates };
}
