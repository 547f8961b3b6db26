/**
 * Executions (one policy run or one ad-hoc patch) and their tasks (one artifact each), as the service
 * and its API see them, and the rule that derives an execution's status from its tasks.
 */
export type TaskStatus = 'Pending' | 'Running' | 'Success' | 'Skipped' | 'Error' | 'Stopped';
export type ExecutionStatus = 'Running' | 'Success' | 'Error' | 'Stopped';
export type ExecutionTrigger = 'MANUAL' | 'SCHEDULE' | 'EVENT' | 'ADHOC' | 'JOBSERVICE';

export type Severity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown' | 'None';

/** Vulnerability counts of one artifact, per severity, plus totals. */
export interface VulnerabilitySummary {
  total: number;
  fixable: number;
  summary: Partial<Record<Severity, number>>;
  /** Fixable vulnerabilities per severity. */
  fixable_summary: Partial<Record<Severity, number>>;
}

/** How an execution's tasks patch; a snapshot taken when the execution is created. */
export interface PatchOptions {
  mode: 'targeted' | 'comprehensive';
  severity_threshold: Severity;
  tag_scheme: 'floating' | 'incremental';
  tag_suffix: string;
  rescan: boolean;
  copy_labels: boolean;
  delete_original: boolean;
  /** Scan an artifact that has no report yet (true) or skip it as NOT_SCANNED (false). */
  scan_if_missing: boolean;
}

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

export interface ExecutionMetrics {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  stopped: number;
  running: number;
  pending: number;
  /** Finished tasks that did not succeed (Skipped, Error, Stopped), per reason code. */
  by_reason: Record<string, number>;
}

export interface Execution {
  id: number;
  project: string;
  policy_id: number | null;
  trigger: ExecutionTrigger;
  status: ExecutionStatus;
  status_message: string;
  options: PatchOptions;
  start_time: string;
  end_time: string | null;
  metrics: ExecutionMetrics;
  /** Artifacts the selection of a policy run left out, per reason (empty for other executions). */
  excluded: Record<string, number>;
}

export interface TaskProgress {
  stage: string;
  percent: number;
}

export interface Task {
  id: number;
  execution_id: number;
  project: string;
  repository: string;
  tag: string | null;
  source_digest: string;
  status: TaskStatus;
  reason: string | null;
  status_message: string;
  patched_tag: string | null;
  patched_digest: string | null;
  vulnerabilities_before: VulnerabilitySummary | null;
  vulnerabilities_after: VulnerabilitySummary | null;
  fixed_cves: string[];
  /** Whether copa wrote an OpenVEX document (read it with getTaskVex). */
  has_vex: boolean;
  progress: TaskProgress | null;
  attempt: number;
  copa_pid: number | null;
  /** Seconds spent inside the copa process (all attempts). */
  copa_seconds: number | null;
  creation_time: string;
  start_time: string | null;
  end_time: string | null;
  update_time: string;
}

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
