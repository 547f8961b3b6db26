/**
 * What every stage of a patch task gets (the service's clients and settings, the task and its callbacks)
 * and how a stage guards its calls: a stop or timeout ends the task STOPPED or TIMEOUT wherever it lands,
 * any other error of Harbor or the registry becomes a classified outcome.
 */
import { HarborClient, HarborError } from '../harbor/client';
import { RegistryClient, RegistryError } from '../registry/client';
import type { PatchOptions, Task, TaskProgress, VulnerabilitySummary } from '../model/execution';
import { PatchOutcome, fail, type ReasonCode } from './reasons';

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
  buildkitAddr: string;
  /** Parent of the per-task work directories. */
  workRoot: string;
  copaTimeoutSeconds: number;
  scanTimeoutMs: number;
  scanPollMs?: number;
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
  copa_pid?: number | null;
  copa_seconds?: number;
}

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
