// The patching API's model (DESIGN §3, shared/src/api/openapi.yaml). Field names are snake_case like Harbor's.

// Policies: the types generated from shared/src/api/openapi.yaml (npm run gen:api -w portal-plugin).
export type { PatchPolicy, PatchPolicyInput, PolicyFilter, PolicyTrigger, PolicyOptions } from '../../api/models';
export type TagScheme = 'floating' | 'incremental';

export type JobStatus = 'Pending' | 'Running' | 'Success' | 'Skipped' | 'Error' | 'Stopped';
export type ExecutionTrigger = 'MANUAL' | 'SCHEDULE' | 'EVENT' | 'ADHOC' | 'JOBSERVICE';

export interface ExecutionMetrics {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  stopped: number;
  running: number;
  pending: number;
}

export interface Execution {
  id: number;
  policy_id?: number | null;
  policy_name?: string | null;
  project?: string;
  project_name?: string;
  trigger: ExecutionTrigger | string;
  status: JobStatus | string;
  status_message?: string | null;
  start_time?: string | null;
  end_time?: string | null;
  metrics?: Partial<ExecutionMetrics>;
}

/** Counts of a scan report by severity, as stored on a task (before and after patching). */
export interface VulnerabilityCounts {
  total?: number;
  fixable?: number;
  critical?: number;
  high?: number;
  medium?: number;
  low?: number;
  unknown?: number;
  /** Harbor's shape: `{"Critical": 1, "High": 2}`. */
  summary?: Record<string, number>;
  [severity: string]: unknown;
}

export interface TaskProgress {
  stage?: string;
  percent?: number;
}

export interface PatchTask {
  id: number;
  execution_id: number;
  project_name?: string;
  repository: string;
  tag?: string | null;
  source_digest?: string | null;
  status: JobStatus | string;
  reason?: string | null;
  reason_code?: string | null;
  status_message?: string | null;
  patched_tag?: string | null;
  patched_digest?: string | null;
  vulnerabilities_before?: VulnerabilityCounts | null;
  vulnerabilities_after?: VulnerabilityCounts | null;
  fixed_cves?: string[] | null;
  progress?: TaskProgress | null;
  start_time?: string | null;
  end_time?: string | null;
  attempt?: number;
}

/** An artifact a run would patch now (the dry-run preview's `candidates`). */
export interface PreviewCandidate {
  /** Repository name without the project. */
  repository: string;
  digest: string;
  tag: string;
  tags?: string[];
  labels?: string[];
  vulnerabilities?: { total?: number; fixable?: number; summary?: Record<string, number> } | null;
}

/** An artifact (or a whole repository) a run would leave out, and why in plain words. */
export interface PreviewExclusion {
  repository: string;
  digest?: string;
  tags?: string[];
  reason: string;
  message: string;
  count: number;
}

export interface PolicyPreview {
  candidates: PreviewCandidate[];
  excluded: PreviewExclusion[];
  counts?: { candidates: number; excluded: number; by_reason?: Record<string, number> };
  truncated?: boolean;
}

/** What the ad-hoc patch endpoint answers: the execution and task it created. */
export interface PatchStarted {
  execution_id: number;
  task_id: number;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}
