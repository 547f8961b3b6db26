// Asynchronous scans like Harbor's scan jobs: Pending, Running, then Success or Error. Reports are kept by digest.
import { randomUUID } from 'node:crypto';
import type { ArtifactRecord } from './catalog';
import type { RegistryClient } from '@harbor-patching/oci-testkit/registry';
import {
  buildReport,
  loadAdvisories,
  matchAdvisories,
  parseDpkgStatus,
  readImageFiles,
  type LayerCache,
  SCANNER,
  summarize,
} from './scanner';
import type { Project, ScanRecord, SimState } from './state';
import { now } from './state';
import type { Webhooks } from './webhooks';

export const MIME_NATIVE_11 = 'application/vnd.security.vulnerability.report; version=1.1';
export const MIME_NATIVE_10 = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
const KNOWN_MIMES = [MIME_NATIVE_11, MIME_NATIVE_10];

/** The accepted report MIME types Harbor keeps from X-Accept-Vulnerabilities (handler/util.go). */
export function acceptedMimes(header: string | undefined): string[] {
  if (!header) return [...KNOWN_MIMES];
  const wanted = header
    .split(',')
    .map((s) => s.trim().replace(/\s*;\s*/g, '; '))
    .filter((s) => KNOWN_MIMES.includes(s));
  return wanted.length ? wanted : [MIME_NATIVE_10];
}

export function summaryOf(record: ScanRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    report_id: record.report_id,
    scan_status: record.status,
    severity: '',
    duration: 0,
    start_time: record.start_time,
    end_time: record.end_time ?? '0001-01-01T00:00:00.000Z',
    complete_percent: record.status === 'Success' ? 100 : 0,
    scanner: SCANNER,
  };
  if (record.end_time) out.duration = Math.round((Date.parse(record.end_time) - Date.parse(record.start_time)) / 1000);
  if (record.status === 'Success') {
    const summary = record.summary ?? summarize(record.report?.vulnerabilities ?? []);
    out.severity = record.severity ?? record.report?.severity ?? 'None';
    out.summary = summary;
  }
  return out;
}

export interface ScanContext {
  state: SimState;
  registry: RegistryClient;
  webhooks: Webhooks;
  advisoriesFile?: string;
  scanDelayMs: number;
  /** The scanner's analysis of each layer it has read (see LayerCache). */
  layers: LayerCache;
  /** Makes the next scan fail with this message (test helper). */
  failNext?: string;
  externalHost: () => string;
}

/**
 * The scan record of an artifact as Harbor shows it. An image index has no report of its own: Harbor scans
 * each child and shows the index with the children's reports merged (report_id: the children's report ids
 * joined by `|`, base64; vulnerabilities de-duplicated by id, package and version, as vuln.Report.Merge).
 */
export function scanRecordOf(state: SimState, digest: string): ScanRecord | undefined {
  const record = state.scans.get(digest);
  if (!record?.children) return record;
  const children = record.children.map((d) => state.scans.get(d)).filter((r): r is ScanRecord => r !== undefined);
  if (children.length === 0) return record;
  const statuses = children.map((c) => c.status);
  const status: ScanRecord['status'] = statuses.includes('Running')
    ? 'Running'
    : statuses.includes('Pending')
      ? 'Pending'
      : statuses.includes('Error')
        ? 'Error'
        : 'Success';
  const merged: ScanRecord = {
    report_id: Buffer.from(children.map((c) => c.report_id).join('|')).toString('base64'),
    status,
    start_time: record.start_time,
    log: children.flatMap((c) => c.log),
    children: record.children,
  };
  if (status !== 'Pending' && status !== 'Running')
    merged.end_time = children
      .map((c) => c.end_time ?? now())
      .sort()
      .at(-1);
  if (status === 'Success') {
    const seen = new Set<string>();
    const vulnerabilities = children
      .flatMap((c) => c.report?.vulnerabilities ?? [])
      .filter((v) => {
        const key = `${v.id}-${v.package}-${v.version}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    merged.report = buildReport(vulnerabilities);
  }
  return merged;
}

/**
 * Scans an image index as Harbor does: every child that is an image of a real platform gets its own scan
 * (and report, read by digest); the index shows them merged (scanRecordOf). One webhook event, for the
 * index, once every child is done.
 */
export function startIndexScan(
  ctx: ScanContext,
  project: Project,
  index: ArtifactRecord,
  children: ArtifactRecord[],
  operator: string,
): ScanRecord {
  const record: ScanRecord = {
    report_id: randomUUID(),
    status: 'Pending',
    start_time: now(),
    log: [],
    children: children.map((c) => c.digest),
  };
  ctx.state.scans.set(index.digest, record);
  let left = children.length;
  for (const child of children) {
    startScan(ctx, project, child, operator, () => {
      left--;
      if (left > 0 || ctx.state.scans.get(index.digest) !== record) return;
      const shown = scanRecordOf(ctx.state, index.digest) ?? record;
      emitScanEvent(ctx, project, index, shown, operator);
    });
  }
  return record;
}

function emitScanEvent(
  ctx: ScanContext,
  project: Project,
  artifact: ArtifactRecord,
  record: ScanRecord,
  operator: string,
): void {
  const tag = artifact.tags[0]?.name;
  const event = record.status === 'Success' ? 'SCANNING_COMPLETED' : 'SCANNING_FAILED';
  ctx.webhooks.emit(
    project,
    event,
    operator,
    artifact.repository_name,
    [
      {
        digest: artifact.digest,
        tag: tag ?? artifact.digest,
        resource_url: `${ctx.externalHost()}/${artifact.repository_name}${tag ? `:${tag}` : `@${artifact.digest}`}`,
        scan_overview: { [MIME_NATIVE_11]: summaryOf(record) },
      },
    ],
    artifact.push_time,
    { scan: { scan_type: 'vulnerability' } },
  );
}

/** Scans one image; `onDone` (an index's child) replaces the webhook event the scan would send. */
export function startScan(
  ctx: ScanContext,
  project: Project,
  artifact: ArtifactRecord,
  operator: string,
  onDone?: () => void,
): ScanRecord {
  const record: ScanRecord = { report_id: randomUUID(), status: 'Pending', start_time: now(), log: [] };
  ctx.state.scans.set(artifact.digest, record);
  const failure = ctx.failNext;
  ctx.failNext = undefined;
  const half = Math.max(0, ctx.scanDelayMs / 2);
  // A scan in flight does not keep the process alive once the stand-in is closed (timers unref'd).
  const scan = setTimeout(() => {
    record.status = 'Running';
    record.log.push(`${now()} scanning ${artifact.repository_name}@${artifact.digest}`);
    runScan(ctx, artifact, failure)
      .then((report) => {
        record.report = report;
        record.log.push(`${now()} found ${report.vulnerabilities.length} vulnerabilities`);
        return new Promise((r) => setTimeout(r, half).unref()).then(() => {
          record.status = 'Success';
          record.end_time = now();
        });
      })
      .catch((err: Error) => {
        record.log.push(`${now()} scan failed: ${err.message}`);
        record.status = 'Error';
        record.end_time = now();
      })
      .finally(() => {
        if (onDone) return onDone();
        if (ctx.state.scans.get(artifact.digest) !== record) return;
        emitScanEvent(ctx, project, artifact, record, operator);
      });
  }, half);
  scan.unref();
  return record;
}

async function runScan(ctx: ScanContext, artifact: ArtifactRecord, failure: string | undefined) {
  if (failure) throw new Error(failure);
  const repository = artifact.repository_name;
  const manifest = await ctx.registry.manifest(repository, artifact.digest);
  if (!manifest) throw new Error(`artifact ${repository}@${artifact.digest} is gone from the registry`);
  const files = await readImageFiles(ctx.registry, repository, manifest.manifest.layers ?? [], ctx.layers);
  const installed = files.dpkgStatus ? parseDpkgStatus(files.dpkgStatus) : [];
  const advisories = await loadAdvisories(ctx.advisoriesFile);
  return buildReport(matchAdvisories(installed, advisories, artifact.digest));
}
