// The patching API's model (DESIGN §3, shared/src/api/openapi.yaml). Field names are snake_case like Harbor's.

export type FilterType = 'repository' | 'tag' | 'label';
export type FilterDecoration = 'matches' | 'excludes';
export type FilterSyntax = 'regex' | 'glob';
export type TriggerType = 'manual' | 'scheduled' | 'event_based';
export type SeverityThreshold = 'Critical' | 'High' | 'Medium' | 'Low' | 'None';
export type PatchMode = 'targeted' | 'comprehensive';
export type TagScheme = 'floating' | 'incremental';

export interface PolicyFilter {
  type: FilterType;
  /** A pattern for repository and tag filters; for label filters, Harbor label names. */
  value: string | string[];
  decoration?: FilterDecoration;
  syntax?: FilterSyntax;
}

export interface PolicyTrigger {
  type: TriggerType;
  cron?: string | null;
}

export interface PolicyOptions {
  rescan: boolean;
  copy_labels: boolean;
  delete_original: boolean;
}

export interface PatchPolicy {
  id?: number;
  project_name?: string;
  name: string;
  description?: string;
  enabled: boolean;
  filters: PolicyFilter[];
  trigger: PolicyTrigger;
  severity_threshold: SeverityThreshold;
  mode: PatchMode;
  tag_scheme: TagScheme;
  tag_suffix: string;
  options: PolicyOptions;
  creation_time?: string;
  update_time?: string;
  next_run_time?: string | null;
}

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

/** One artifact the dry run looked at: whether a run would patch it and, if not, why. */
export interface PreviewCandidate {
  repository: string;
  tag?: string | null;
  digest?: string | null;
  action?: 'patch' | 'skip' | string;
  would_patch?: boolean;
  reason?: string | null;
  reason_code?: string | null;
  fixable?: number | null;
  target_tag?: string | null;
}

export interface PolicyPreview {
  candidates: PreviewCandidate[];
}

/** What the ad-hoc patch endpoint answers: the execution and task it created. */
export interface PatchStarted {
  execution_id: number;
  task_id: number;
  task?: PatchTask;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}
