/**
 * Executions (one policy run or one ad-hoc patch) and their tasks (one artifact each), as the service
 * and its API see them, and the rule that derives an execution's status from its tasks.
 */
import type { components } from '@harbor-patching/shared/api/generated';

// The API's shapes, from the OpenAPI document (shared/src/api/openapi.yaml).
type Schemas = components['schemas'];
export type TaskStatus = Schemas['TaskStatus'];
export type ExecutionStatus = Schemas['ExecutionStatus'];
export type ExecutionTrigger = Schemas['ExecutionTrigger'];
export type Severity = Schemas['Severity'];
export type VulnerabilitySummary = Schemas['VulnerabilitySummary'];
/** How an execution's tasks patch; a snapshot taken when the execution is created. */
export type PatchOptions = Schemas['PatchOptions'];
export type ExecutionMetrics = Schemas['ExecutionMetrics'];
export type Execution = Schemas['Execution'];
export type TaskProgress = Schemas['TaskProgress'];
export type PlatformResult = Schemas['PlatformResult'];
/** A task as stored: the API's Task plus the pid of its running copa (never sent). */
export type Task = Schemas['Task'] & { copa_pid: number | null };

export const DEFAULT_PATCH_OPTIONS: PatchOptions = {
  mode: 'targeted',
  severity_threshold: 'None',
  tag_scheme: 'floating',
  tag_suffix: 'patched',
  rescan: true,
  copy_labels: true,
  delete_original: false,
  scan_if_missing: true,
};

/** Harbor's rule (src/pkg/task/dao/execution.go): any pending/running task -> Running, else Error, else Stopped, else Success. */
export function deriveExecutionStatus(
  m: Pick<ExecutionMetrics, 'pending' | 'running' | 'failed' | 'stopped'>,
): ExecutionStatus {
  if (m.pending > 0 || m.running > 0) return 'Running';
  if (m.failed > 0) return 'Error';
  if (m.stopped > 0) return 'Stopped';
  return 'Success';
}

export interface ListPage<T> {
  items: T[];
  total: number;
}
