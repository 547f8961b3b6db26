/**
 * The tables as the query layer (Kysely) sees them, once for both engines. Times are ISO-8601 UTC text and
 * JSON documents are text on both engines (so one set of queries reads them); booleans are 0/1 integers.
 * The DDL is each store's migrations (migrations.ts).
 */
import type { Generated, Kysely } from 'kysely';

export interface PolicyTable {
  id: Generated<number>;
  project_name: string;
  project_id: number;
  name: string;
  description: string;
  enabled: number;
  filters: string;
  trigger_type: string;
  trigger_cron: string | null;
  severity_threshold: string;
  mode: string;
  tag_scheme: string;
  tag_suffix: string;
  options: string;
  creator: string;
  updated_by: string;
  creation_time: string;
  update_time: string;
}

export interface ExecutionTable {
  id: Generated<number>;
  project: string;
  policy_id: number | null;
  trigger: string;
  status: string;
  status_message: Generated<string>;
  options: Generated<string>;
  start_time: string;
  end_time: string | null;
  update_time: string;
  excluded: Generated<string>;
}

export interface TaskTable {
  id: Generated<number>;
  execution_id: number;
  project: string;
  repository: string;
  tag: string | null;
  source_digest: string;
  status: string;
  reason: string | null;
  status_message: Generated<string>;
  patched_tag: string | null;
  patched_digest: string | null;
  vulnerabilities_before: string | null;
  vulnerabilities_after: string | null;
  fixed_cves: string | null;
  vex: string | null;
  /** 1 when the service signed the patched image with cosign. */
  signed: Generated<number>;
  vex_referrer: Generated<string | null>;
  /** An image index: each platform's result (JSON). */
  platforms: Generated<string | null>;
  progress_stage: string | null;
  progress_percent: number | null;
  attempt: Generated<number>;
  copa_pid: number | null;
  copa_seconds: number | null;
  creation_time: string;
  start_time: string | null;
  end_time: string | null;
  update_time: string;
  /** The process (replica id) that claimed the Running task, and until when its claim holds (epoch ms). */
  lease_owner: Generated<string | null>;
  lease_expires_at: Generated<number | null>;
  /** 1: a replica other than the lease owner was asked to stop the Running task; the owner stops it. */
  stop_requested: Generated<number>;
}

export interface QueueTable {
  task_id: number;
  enqueued_at: string;
  /** Milliseconds since the epoch (BIGINT on PostgreSQL). */
  available_at: number;
}

export interface JobTable {
  id: string;
  task_id: number;
  name: string;
  kind: string;
  is_unique: number;
  parameters: string;
  status_hook: string | null;
  enqueue_time: number;
  run_at: number | null;
  last_hook_status: string | null;
}

export interface SelectionTable {
  execution_id: number;
  policy_id: number;
  started_at: string;
}

export interface ScheduleStateTable {
  policy_id: number;
  project: string;
  cron: string;
  baseline_time: string;
  last_run_time: string | null;
  last_execution_id: number | null;
}

export interface ScheduleLogTable {
  id: Generated<number>;
  policy_id: number;
  project: string;
  scheduled_time: string;
  fired_time: string;
  outcome: string;
  execution_id: number | null;
  message: Generated<string>;
}

export interface WebhookEventTable {
  id: Generated<number>;
  received_at: string;
  event_type: string;
  project: string;
  repository: string;
  digest: string | null;
  tag: string | null;
  event: string;
  status: string;
  message: Generated<string>;
  execution_ids: Generated<string>;
  attempts: Generated<number>;
  processed_at: string | null;
  claimed_by: Generated<string | null>;
  /** When it was claimed (epoch ms). */
  claimed_at: Generated<number | null>;
  /** Harbor's event as identified across deliveries (webhook-events.ts eventIdentity); unique. */
  event_identity: string | null;
}

export interface ScheduleSlotTable {
  policy_id: number;
  slot: string;
  claimed_by: string;
  claimed_at: string;
}

export interface SnapshotTable {
  project: string;
  day: string;
  taken_at: string;
  artifacts: number;
  total: number;
  fixable: number;
  by_severity: string;
}

export interface TaskLogLineTable {
  seq: Generated<number>;
  task_id: number;
  time: string;
  line: string;
}

export interface Tables {
  patch_policies: PolicyTable;
  patch_executions: ExecutionTable;
  patch_tasks: TaskTable;
  patch_queue: QueueTable;
  jobservice_jobs: JobTable;
  policy_run_selection: SelectionTable;
  policy_schedule_state: ScheduleStateTable;
  policy_schedule_log: ScheduleLogTable;
  policy_schedule_slots: ScheduleSlotTable;
  webhook_events: WebhookEventTable;
  insight_snapshots: SnapshotTable;
  task_log_lines: TaskLogLineTable;
}

export type Engine = 'sqlite' | 'postgres';

/** The query layer over one database, and which engine it is (for the few engine-specific statements). */
export interface Sql {
  db: Kysely<Tables>;
  engine: Engine;
  /** PostgreSQL: the connections in the pool (store/locks.ts keeps some free for the locked work). */
  poolSize?: number;
}
