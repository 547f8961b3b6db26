import { PatchTask } from '../services/patching.models';
import { severityCounts } from '../components/vulnerability-summary/vulnerability-summary.component';

/** How many CVEs the patch fixed: the server's list when it sent one, else the drop in total count. */
export function fixedCount(task: PatchTask): number | null {
  if (Array.isArray(task.fixed_cves)) return task.fixed_cves.length;
  if (!task.vulnerabilities_before || !task.vulnerabilities_after) return null;
  const before = severityCounts(task.vulnerabilities_before).total;
  const after = severityCounts(task.vulnerabilities_after).total;
  return Math.max(0, before - after);
}

export function progressPercent(task: PatchTask): number {
  const p = task.progress?.percent;
  if (typeof p !== 'number' || !Number.isFinite(p)) return 0;
  return Math.max(0, Math.min(100, Math.round(p)));
}

export function isTaskRunning(task: PatchTask): boolean {
  return task.status === 'Running' || task.status === 'Pending';
}

export function artifactName(task: PatchTask): string {
  return task.tag ? `${task.repository}:${task.tag}` : `${task.repository}@${(task.source_digest ?? '').slice(0, 19)}`;
}
