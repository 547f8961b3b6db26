// The patching API's model: the types generated from shared/src/api/openapi.yaml into src/app/api
// (`npm run gen:api -w portal-plugin`), plus a few view-side shapes. Field names are snake_case like Harbor's.
export type {
  PatchPolicy,
  PatchPolicyInput,
  PolicyFilter,
  PolicyTrigger,
  PolicyOptions,
  Execution,
  ExecutionMetrics,
  Task as PatchTask,
  TaskProgress,
  VulnerabilitySummary,
  PolicyPreview,
  PreviewCandidate,
  PreviewExclusion,
  WebhookRegistration,
  WebhookEventSummary,
  TagScheme,
} from '../../api/models';

/** Counts of a scan report by severity as the task or Harbor give them (`summary` or `by_severity`). */
export interface VulnerabilityCounts {
  total?: number;
  fixable?: number;
  summary?: Record<string, number>;
  by_severity?: Record<string, number>;
  [severity: string]: unknown;
}

/** What the ad-hoc patch endpoint leads to: the execution and the task it created (or joined). */
export interface PatchStarted {
  execution_id: number;
  task_id: number;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}
