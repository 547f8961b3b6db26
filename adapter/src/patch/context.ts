/**
 * What every stage of a patch task gets (the service's clients and settings, the task and its callbacks)
 * and how a stage guards its calls: a stop or timeout ends the task STOPPED or TIMEOUT wherever it lands,
 * any other error of Harbor or the registry becomes a classified outcome.
 */
import { HarborClient, HarborError } from '../harbor/client';
import { RegistryClient, RegistryError } from '../registry/client';
import { scanAndWait, type ScanOutcome } from '../harbor/scans';
import type { HarborArtifact } from '../harbor/repositories';
import type { ScanEvents } from '../webhooks/scan-events';
import type { PatchOptions, PlatformResult, Task, TaskProgress, VulnerabilitySummary } from '../model/execution';
import { PatchOutcome, fail, type ReasonCode } from './reasons';
import type { SigningSettings } from './cosign';

export interface PatchDeps {
  /** Harbor API as the service robot. */
  harbor: HarborClient;
  /** Harbor's /v2/ as the service robot. */
  registry: RegistryClient;
  /** host[:port] copa uses in image references (Harbor's registry host); defaults to the registry client's host. */
  registryHost?: string;
  robot: { username: string; password: string };
  copaPath: string;
  /** copa's --eol-api-url (asked only in comprehensive mode); undefined: copa's default. */
  copaEolApiUrl?: string;
  /** The buildkitd endpoints and their copa slots (jobs/buildkit-pool.ts). */
  buildkit: CopaSlots;
  /** Parent of the per-task work directories. */
  workRoot: string;
  copaTimeoutSeconds: number;
  scanTimeoutMs: number;
  /** The first poll interval of a scan wait without Harbor's scan events (it backs off from there). */
  scanPollMs?: number;
  /** Harbor's scan events, where the project's webhook delivers them (else scan waits poll). */
  scanEvents?: Pick<ScanEvents, 'listen'>;
  /** cosign signing and trust before patching; undefined: the service neither signs nor verifies. */
  signing?: SigningSettings;
}

/** A copa slot on one buildkitd endpoint, held for one copa run. */
export interface CopaSlot {
  /** The endpoint's address (copa's --addr). */
  readonly addr: string;
  /** How long the task waited for the slot. */
  readonly waitedSeconds: number;
  /**
   * Frees the slot (a second call does nothing). `copaSeconds`, the copa process's own time, gives the
   * time the slot was held beyond copa (recorded as a metric).
   */
  release(copaSeconds?: number): { heldSeconds: number; overheadSeconds?: number };
}

/** Where copa runs: slots on buildkitd endpoints, bounding the work that uses buildkitd. */
export interface CopaSlots {
  /** A free slot on a usable endpoint; waits for one; throws when no endpoint answers or the signal aborts. */
  acquire(signal: AbortSignal): Promise<CopaSlot>;
  /** copa could not reach this endpoint: take it out until its check answers again. */
  markUnreachable(addr: string, error: string): void;
}

/** The task's fields a stage may persist as they become known. */
export interface TaskRecord {
  tag?: string;
  patched_tag?: string | null;
  patched_digest?: string | null;
  vulnerabilities_before?: VulnerabilitySummary | null;
  vulnerabilities_after?: VulnerabilitySummary | null;
  fixed_cves?: string[];
  vex?: unknown;
  signed?: boolean;
  vex_referrer?: string | null;
  /** An image index: each platform's result. */
  platforms?: StoredPlatformResult[] | null;
  copa_pid?: number | null;
  copa_seconds?: number;
}

/** A platform's result as the task records it: with its OpenVEX document. */
export type StoredPlatformResult = PlatformResult & { vex?: unknown };

export interface PatchContext {
  task: Task;
  options: PatchOptions;
  /** Aborted on stop (reason 'stopped') or timeout (reason 'timeout'). */
  signal: AbortSignal;
  log: (line: string) => void;
  progress: (p: TaskProgress) => void;
  /** The service's own record: the source tags of the task's repository whose patches it pushed as `digest`. */
  sourceTagsPatchedInto: (digest: string) => Promise<string[]>;
  /** Persists partial results as they become known (in the order of the calls). */
  record: (fields: TaskRecord) => Promise<void>;
}

export interface PatchResult {
  status: 'Success' | 'Skipped';
  reason?: ReasonCode;
  message: string;
}

/** `project/repository` of a task, as Harbor and the registry name the repository. */
export function fullName(task: Pick<Task, 'project' | 'repository'>): string {
  return `${task.project}/${task.repository}`;
}

/** The outcome of a task whose signal was aborted: by a stop (STOPPED) or by the task timeout (TIMEOUT). */
export function abortedOutcome(signal: AbortSignal): PatchOutcome {
  if (signal.reason === 'timeout')
    return fail('TIMEOUT', 'The patch took longer than the configured task timeout and was stopped.');
  return new PatchOutcome('STOPPED', 'Stopped on request.');
}

/** Ends the task STOPPED or TIMEOUT when its signal was aborted. */
export function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortedOutcome(signal);
}

/** Maps errors of Harbor and registry calls onto classified outcomes. */
export function classifyError(err: unknown, what: string): PatchOutcome {
  if (err instanceof PatchOutcome) return err;
  if (err instanceof HarborError) {
    if (err.status === 0 || err.status >= 500) {
      return fail(
        'HARBOR_UNREACHABLE',
        `Harbor did not answer while ${what} (${err.message}). It will be retried; check that Harbor is up.`,
        true,
      );
    }
    if (err.status === 401) {
      return fail('HARBOR_AUTH', `Harbor rejected the service robot's credentials while ${what} (HTTP 401).`);
    }
    if (err.status === 403) {
      return fail(
        'ROBOT_PERMISSION',
        `Harbor refused the service robot while ${what} (HTTP 403): it lacks a permission in the project.`,
      );
    }
    if (err.status === 404)
      return fail('NOT_FOUND', `Harbor no longer has what was needed while ${what}: ${err.message}`);
    return fail('INTERNAL', `Harbor answered HTTP ${err.status} while ${what}: ${err.message}`);
  }
  if (err instanceof RegistryError) {
    if (err.auth) return fail('REGISTRY_AUTH', `${err.message}.`);
    if (err.transient) return fail('REGISTRY_UNREACHABLE', `The registry failed while ${what}: ${err.message}`, true);
    return fail('INTERNAL', `The registry answered while ${what}: ${err.message}`);
  }
  return fail('INTERNAL', `Unexpected error while ${what}: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * Runs one call of a stage: not at all once the task is stopped, and with its error classified (or the
 * stop or timeout that interrupted it) as the task's outcome.
 */
export async function step<T>(ctx: Pick<PatchContext, 'signal'>, what: string, fn: () => Promise<T>): Promise<T> {
  stopIfAborted(ctx.signal);
  try {
    return await fn();
  } catch (err) {
    stopIfAborted(ctx.signal);
    throw classifyError(err, what);
  }
}

/**
 * Harbor's report of an artifact of the task's repository, scanning it first when Harbor has none: the wait
 * ends on Harbor's scan event when the project's webhook delivers it, else it polls.
 */
export async function scanArtifact(
  deps: Pick<PatchDeps, 'harbor' | 'scanTimeoutMs' | 'scanPollMs' | 'scanEvents'>,
  ctx: Pick<PatchContext, 'task' | 'signal'>,
  digest: string,
  current?: HarborArtifact,
): Promise<ScanOutcome> {
  const { project, repository } = ctx.task;
  const announcements = await deps.scanEvents?.listen(project, repository, digest);
  try {
    return await scanAndWait(deps.harbor, project, repository, digest, {
      timeoutMs: deps.scanTimeoutMs,
      pollMs: deps.scanPollMs,
      signal: ctx.signal,
      current,
      announcements,
    });
  } finally {
    announcements?.close();
  }
}
