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
const RUNNING_SCAN = new Set(['Pending', 'Running', 'Scheduled']);

/**
 * Harbor announcing the end of a scan of one artifact (its SCANNING_COMPLETED / FAILED / STOPPED webhook),
 * listened to from before the scan is asked for, so no announcement is missed.
 */
export interface ScanAnnouncements {
  /** Resolves true when Harbor announced the end of a scan since the last call, false when `ms` passed first. */
  next(ms: number, signal?: AbortSignal): Promise<boolean>;
}

export interface ScanWaitOptions {
  timeoutMs: number;
  /** The first poll interval without announcements; it doubles up to `maxPollMs` (defaults 500 ms, 2 s). */
  pollMs?: number;
  maxPollMs?: number;
  signal?: AbortSignal;
  /** The artifact as just read from Harbor (saves the first check). */
  current?: HarborArtifact;
  /**
   * Harbor's announcements for this artifact, when the project's webhook delivers them: the wait then ends
   * on the announcement, checking Harbor only every `fallbackPollMs` (default 30 s) in case one is lost.
   */
  announcements?: ScanAnnouncements;
  fallbackPollMs?: number;
}

/** The outcome of a final scan status, or undefined while Harbor has none. */
function finalOutcome(artifact: HarborArtifact): ScanOutcome | undefined {
  const overview = scanOverview(artifact);
  const status = overview?.scan_status;
  if (!overview || !status || !FINAL_SCAN.has(status)) return undefined;
  if (status === 'Success') return { state: 'done', artifact, overview };
  return { state: 'failed', message: `Harbor's scan ended ${status}` };
}

/**
 * The artifact's vulnerability report, scanning it first when Harbor has none. A report Harbor already has
 * is used as it is, and a scan already under way (scan on push) is waited for: no new scan is asked for
 * then. The wait ends on Harbor's announcement when `announcements` is given, else it polls with backoff;
 * either way it gives up after `timeoutMs`. Harbor answers 422 for artifacts its scanner does not support.
 */
export async function scanAndWait(
  client: HarborClient,
  project: string,
  repository: string,
  digest: string,
  opts: ScanWaitOptions,
): Promise<ScanOutcome> {
  const full = `${project}/${repository}`;
  const started = Date.now();
  const current = opts.current ?? (await getArtifact(client, full, digest));
  const status = scanOverview(current)?.scan_status;
  if (status === 'Success') return finalOutcome(current)!;
  if (!status || !RUNNING_SCAN.has(status)) {
    try {
      await triggerScan(client, project, repository, digest);
    } catch (err) {
      if (err instanceof HarborError && err.status === 422) return { state: 'not_scannable', message: err.message };
      if (isNoScanner(err)) return { state: 'no_scanner', message: err.message };
      // 409: a scan is already running; wait for it below.
      if (!(err instanceof HarborError && err.status === 409)) throw err;
    }
  }
  let pollMs = opts.pollMs ?? 500;
  const maxPollMs = Math.max(pollMs, opts.maxPollMs ?? 2000);
  const fallbackPollMs = opts.fallbackPollMs ?? 30_000;
  for (;;) {
    const left = opts.timeoutMs - (Date.now() - started);
    if (left <= 0) return { state: 'timeout' };
    if (opts.announcements) {
      await opts.announcements.next(Math.min(fallbackPollMs, left), opts.signal);
    } else {
      await sleep(Math.min(pollMs, left), opts.signal);
      pollMs = Math.min(pollMs * 2, maxPollMs);
    }
    opts.signal?.throwIfAborted();
    const outcome = finalOutcome(await getArtifact(client, full, digest));
    if (outcome) return outcome;
  }
}

/** Waits `ms`, or less when `signal` aborts (then throws its reason, like `signal.throwIfAborted()`). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
