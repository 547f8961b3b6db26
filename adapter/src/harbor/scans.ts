/** Triggering Harbor's vulnerability scan of an artifact and waiting for its outcome. */
import { HarborClient, HarborError } from './client';
import { artifactPath } from './artifacts';
import { getArtifact, type HarborArtifact, type NativeReportSummary } from './repositories';

/** The artifact's vulnerability report summary (the first report type Harbor returned), if any. */
export function scanOverview(a: HarborArtifact): NativeReportSummary | undefined {
  const o = a.scan_overview;
  if (!o) return undefined;
  return Object.values(o)[0];
}

export type ScanOutcome =
  | { state: 'done'; artifact: HarborArtifact; overview: NativeReportSummary }
  | { state: 'failed'; message: string }
  | { state: 'not_scannable'; message: string }
  /** Harbor has no scanner for the project (412 "no available scanner"; Harbor installed without Trivy). */
  | { state: 'no_scanner'; message: string }
  | { state: 'timeout' };

/** Harbor's answer to a scan request in a project without a usable scanner: 412 PRECONDITION. */
export function isNoScanner(err: unknown): err is HarborError {
  return err instanceof HarborError && err.status === 412;
}

export async function triggerScan(
  client: HarborClient,
  project: string,
  repository: string,
  reference: string,
): Promise<void> {
  await client.request('POST', `${artifactPath(project, repository, reference)}/scan`, {
    body: { scan_type: 'vulnerability' },
  });
}

const FINAL_SCAN = new Set(['Success', 'Error', 'Stopped']);

/**
 * Starts a scan (unless one is already running) and polls the artifact until the scan is final or
 * `timeoutMs` passed. Harbor answers 422 for artifacts its scanner does not support.
 */
export async function scanAndWait(
  client: HarborClient,
  project: string,
  repository: string,
  digest: string,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal; startedAfter?: number },
): Promise<ScanOutcome> {
  const full = `${project}/${repository}`;
  const started = Date.now();
  try {
    await triggerScan(client, project, repository, digest);
  } catch (err) {
    if (err instanceof HarborError && err.status === 422) return { state: 'not_scannable', message: err.message };
    if (isNoScanner(err)) return { state: 'no_scanner', message: err.message };
    // 409: a scan is already running; wait for it below.
    if (!(err instanceof HarborError && err.status === 409)) throw err;
  }
  const pollMs = opts.pollMs ?? 1000;
  while (Date.now() - started < opts.timeoutMs) {
    opts.signal?.throwIfAborted();
    const artifact = await getArtifact(client, full, digest);
    const overview = scanOverview(artifact);
    const endedAt = overview?.end_time ? Date.parse(overview.end_time) : NaN;
    // Ignore a final report that predates this request (the previous scan's result).
    const fresh = !opts.startedAfter || !Number.isFinite(endedAt) || endedAt >= opts.startedAfter - 1000;
    if (overview?.scan_status && FINAL_SCAN.has(overview.scan_status) && fresh) {
      if (overview.scan_status === 'Success') return { state: 'done', artifact, overview };
      return { state: 'failed', message: `Harbor's scan ended ${overview.scan_status}` };
    }
    await sleep(pollMs, opts.signal);
  }
  return { state: 'timeout' };
}

/** Waits `ms`, or less when `signal` aborts (then throws its reason, like `signal.throwIfAborted()`). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
