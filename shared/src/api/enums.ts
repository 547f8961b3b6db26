/**
 * Generated from shared/src/api/openapi.yaml by shared/scripts/gen-api.ts. Do not edit: change the source and run
 * `npm run gen:api -w shared`.
 */

import type { components } from './generated';

type Schemas = components['schemas'];

/** The values as given, accepted only when they are exactly the members of T (none missing, none extra). */
function exactly<T extends string>() {
  return <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)) =>
    values;
}

/** Harbor's severity words. */
export type Severity = Schemas['Severity'];
export const SEVERITIES = exactly<Severity>()(['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown', 'None']);

/** The lowest severity a fixable vulnerability must have for the artifact to be patched, highest first. */
export type SeverityThreshold = Schemas['SeverityThreshold'];
export const SEVERITY_THRESHOLDS = exactly<SeverityThreshold>()(['Critical', 'High', 'Medium', 'Low', 'None']);

/** How copa patches. */
export type PatchMode = Schemas['PatchMode'];
export const PATCH_MODES = exactly<PatchMode>()(['targeted', 'comprehensive']);

/** How the patched tag is named. */
export type TagScheme = Schemas['TagScheme'];
export const TAG_SCHEMES = exactly<TagScheme>()(['floating', 'incremental']);

/** What a policy filter matches. */
export type FilterType = Schemas['FilterType'];
export const FILTER_TYPES = exactly<FilterType>()(['repository', 'tag', 'label']);

/** Whether a filter selects or drops what it matches. */
export type FilterDecoration = Schemas['FilterDecoration'];
export const FILTER_DECORATIONS = exactly<FilterDecoration>()(['matches', 'excludes']);

/** How a repository or tag filter's value is read. */
export type FilterSyntax = Schemas['FilterSyntax'];
export const FILTER_SYNTAXES = exactly<FilterSyntax>()(['glob', 'regex']);

/** When a policy runs. */
export type TriggerType = Schemas['TriggerType'];
export const TRIGGER_TYPES = exactly<TriggerType>()(['manual', 'scheduled', 'event_based']);

/** What started an execution. */
export type ExecutionTrigger = Schemas['ExecutionTrigger'];
export const EXECUTION_TRIGGERS = exactly<ExecutionTrigger>()(['MANUAL', 'SCHEDULE', 'EVENT', 'ADHOC', 'JOBSERVICE']);

/** Derived from the task counts as in Harbor: any task pending or running, else any failed, else any stopped, else Success. */
export type ExecutionStatus = Schemas['ExecutionStatus'];
export const EXECUTION_STATUSES = exactly<ExecutionStatus>()(['Running', 'Success', 'Error', 'Stopped']);

export type TaskStatus = Schemas['TaskStatus'];
export const TASK_STATUSES = exactly<TaskStatus>()(['Pending', 'Running', 'Success', 'Skipped', 'Error', 'Stopped']);

/** Why a task did not end Success. The Skipped ones are also decided before copa (ExclusionReason); a transient failure is retried, and the task is Pending with the last reason meanwhile. */
export type TaskReason = Schemas['TaskReason'];
export const TASK_REASONS = exactly<TaskReason>()(['NOTHING_FIXABLE', 'UP_TO_DATE', 'NOT_IMAGE', 'MULTI_PLATFORM', 'ALREADY_PATCHED', 'NOT_SCANNED', 'NO_TAG', 'NOT_FOUND', 'UNSUPPORTED_OS', 'SCAN_FAILED', 'TAG_IMMUTABLE', 'TAG_CONFLICT', 'BUILDKIT_UNREACHABLE', 'REGISTRY_AUTH', 'REGISTRY_UNREACHABLE', 'HARBOR_AUTH', 'ROBOT_NO_ACCESS', 'ROBOT_PERMISSION', 'HARBOR_UNREACHABLE', 'COPA_FAILED', 'VERIFY_FAILED', 'TIMEOUT', 'INTERRUPTED', 'INTERNAL', 'STOPPED', 'UNTRUSTED_SOURCE', 'SIGN_FAILED']);

/** The `code` of an error in an error body. */
export type ErrorCode = Schemas['ErrorCode'];
export const ERROR_CODES = exactly<ErrorCode>()(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'CONFLICT', 'PRECONDITION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'UNPROCESSABLE_ENTITY', 'TOO_MANY_REQUESTS', 'INTERNAL_SERVER_ERROR', 'BAD_GATEWAY', 'SERVICE_UNAVAILABLE', 'ROBOT_REJECTED', 'ROBOT_NO_ACCESS', 'ROBOT_PERMISSION', 'HARBOR_UNREACHABLE']);

/** Why a preview or a policy run leaves an artifact out. A policy filter, or the TaskReason the artifact would be skipped with. */
export type ExclusionReason = Schemas['ExclusionReason'];
export const EXCLUSION_REASONS = exactly<ExclusionReason>()(['FILTERED_REPOSITORY', 'FILTERED_TAG', 'FILTERED_LABEL', 'NO_TAG', 'NOT_IMAGE', 'MULTI_PLATFORM', 'ALREADY_PATCHED', 'NOT_SCANNED', 'NOTHING_FIXABLE', 'UP_TO_DATE']);
