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
  /** Makes the next scan fail with this message (test helper). */
  failNext?: string;
  externalHost: () => string;
}

export function startScan(ctx: ScanContext, project: Project, artifact: ArtifactRecord, operator: string): ScanRecord {
  const record: ScanRecord = { report_id: randomUUID(), status: 'Pending', start_time: now(), log: [] };
  ctx.state.scans.set(artifact.digest, record);
  const failure = ctx.failNext;
  ctx.failNext = undefined;
  const half = Math.max(0, ctx.scanDelayMs / 2);
  setTimeout(() => {
    record.status = 'Running';
    record.log.push(`${now()} scanning ${artifact.repository_name}@${artifact.digest}`);
    runScan(ctx, artifact, failure)
      .then((report) => {
        record.report = report;
        record.log.push(`${now()} found ${report.vulnerabilities.length} vulnerabilities`);
        return new Promise((r) => setTimeout(r, half)).then(() => {
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
        if (ctx.state.scans.get(artifact.digest) !== record) return;
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
      });
  }, half);
  return record;
}

async function runScan(ctx: ScanContext, artifact: ArtifactRecord, failure: string | undefined) {
  if (failure) throw new Error(failure);
  const repository = artifact.repository_name;
  let manifest = await ctx.registry.manifest(repository, artifact.digest);
  if (!manifest) throw new Error(`artifact ${repository}@${artifact.digest} is gone from the registry`);
  if (manifest.manifest.manifests) {
    const children = manifest.manifest.manifests;
    const child =
      children.find((c) => c.platform?.os === 'linux' && c.platform?.architecture === 'amd64') ??
      children.find((c) => c.platform?.os !== 'unknown') ??
      children[0];
    if (!child) throw new Error('the index has no manifests');
    manifest = await ctx.registry.manifest(repository, child.digest);
    if (!manifest) throw new Error(`child ${child.digest} of the index is missing`);
  }
  const files = await readImageFiles(ctx.registry, repository, manifest.manifest.layers ?? []);
  const installed = files.dpkgStatus ? parseDpkgStatus(files.dpkgStatus) : [];
  const advisories = await loadAdvisories(ctx.advisoriesFile);
  return buildReport(matchAdvisories(installed, advisories, artifact.digest));
}
