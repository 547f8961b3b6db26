/**
 * Stage 2: an artifact without a vulnerability report is scanned by Harbor first, when the options ask
 * for it (policies select scanned artifacts only), and decided again on the report. A project without a
 * scanner is patched without a report in comprehensive mode only.
 */
import type { ScanOutcome } from '../../harbor/scans';
import { fail, skip, type PatchOutcome } from '../reasons';
import { fullName, scanArtifact, step, type PatchContext, type PatchDeps } from '../context';
import type { TaskProgressMeter } from '../progress';
import { decide, readVulnerabilities, type ResolvedSource } from './resolve';

export async function ensureReport(
  deps: Pick<PatchDeps, 'harbor' | 'scanTimeoutMs' | 'scanPollMs' | 'scanEvents'>,
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: ResolvedSource,
): Promise<ResolvedSource & { noScanner: boolean }> {
  const { decision } = source;
  if (!(decision.kind === 'skip' && decision.reason === 'NOT_SCANNED' && ctx.options.scan_if_missing)) {
    return { ...source, noScanner: false };
  }
  const { task } = ctx;
  const ref = `${fullName(task)}:${decision.tag}`;
  meter.at('scan');
  ctx.log(`no vulnerability report for ${ref}: asking Harbor to scan it`);
  const scan = await step(ctx, 'scanning the original', () =>
    scanArtifact(deps, ctx, task.source_digest, source.artifact),
  );
  if (scan.state === 'done') {
    const vulns = (await readVulnerabilities(deps, ctx, 'reading the vulnerability report', task.source_digest)) ?? [];
    const scanned = { artifact: scan.artifact, vulns };
    return { ...scanned, decision: await decide(deps, ctx, scanned), noScanner: false };
  }
  const outcome = unreportedScanOutcome(scan, {
    ref,
    project: task.project,
    mode: ctx.options.mode,
    scanTimeoutMs: deps.scanTimeoutMs,
  });
  if (outcome) throw outcome;
  ctx.log(
    `Harbor has no vulnerability scanner for project ${task.project}: patching without a report (comprehensive mode)`,
  );
  return { ...source, decision: await decide(deps, ctx, source, true), noScanner: true };
}

/**
 * What a scan of the original that gave no report means for the task: its outcome, or undefined when
 * the task goes on without a report (no scanner in the project, comprehensive mode).
 */
export function unreportedScanOutcome(
  scan: Exclude<ScanOutcome, { state: 'done' }>,
  o: { ref: string; project: string; mode: PatchContext['options']['mode']; scanTimeoutMs: number },
): PatchOutcome | undefined {
  switch (scan.state) {
    case 'no_scanner':
      if (o.mode === 'comprehensive') return undefined;
      return skip(
        'NOT_SCANNED',
        `Harbor has no vulnerability scanner for project ${o.project} ("${scan.message}"), so ${o.ref} has no report to patch from. Add a scanner (such as Trivy) in Harbor, or patch in comprehensive mode, which updates every package without a report.`,
      );
    case 'not_scannable':
      return skip('NOT_SCANNED', `Harbor cannot scan ${o.ref}: ${scan.message}`);
    case 'timeout':
      return fail(
        'NOT_SCANNED',
        `Harbor's scan of ${o.ref} did not finish within ${Math.round(o.scanTimeoutMs / 1000)} s; check the scanner and try again.`,
      );
    case 'failed':
      return fail(
        'SCAN_FAILED',
        `Harbor could not scan ${o.ref} (${scan.message}); check the scanner's log in Harbor.`,
      );
  }
}
