/**
 * Every reason code the API carries: a task's `reason` (TaskReason) and why a selection left an artifact
 * out (ExclusionReason: the filters, plus the task reasons decided before copa). Both lists come from
 * the API document.
 */
import { EXCLUSION_REASONS, TASK_REASONS, type ExclusionReason, type TaskReason } from './enums';

export type ReasonCode = TaskReason | ExclusionReason;

export const REASON_CODES: readonly ReasonCode[] = [...new Set<ReasonCode>([...TASK_REASONS, ...EXCLUSION_REASONS])];

export function isReasonCode(code: string): code is ReasonCode {
  return (REASON_CODES as readonly string[]).includes(code);
}
