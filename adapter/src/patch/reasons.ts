import type { TaskReason } from '@harbor-patching/shared/api/enums';

/**
 * Classified outcomes of a patch task (README.md, "Why a task did not succeed"; the codes are the API
 * document's TaskReason). Every task that does not end Success carries one plus a sentence a person can act on.
 */
export const REASONS = {
  NOTHING_FIXABLE: 'Skipped',
  UP_TO_DATE: 'Skipped',
  NOT_IMAGE: 'Skipped',
  MULTI_PLATFORM: 'Skipped',
  ALREADY_PATCHED: 'Skipped',
  NOT_SCANNED: 'Skipped',
  UNTRUSTED_SOURCE: 'Skipped',
  NO_TAG: 'Error',
  NOT_FOUND: 'Error',
  UNSUPPORTED_OS: 'Error',
  SCAN_FAILED: 'Error',
  TAG_IMMUTABLE: 'Error',
  TAG_CONFLICT: 'Error',
  BUILDKIT_UNREACHABLE: 'Error',
  REGISTRY_AUTH: 'Error',
  REGISTRY_UNREACHABLE: 'Error',
  HARBOR_AUTH: 'Error',
  ROBOT_NO_ACCESS: 'Error',
  ROBOT_PERMISSION: 'Error',
  HARBOR_UNREACHABLE: 'Error',
  COPA_FAILED: 'Error',
  VERIFY_FAILED: 'Error',
  SIGN_FAILED: 'Error',
  TIMEOUT: 'Error',
  INTERRUPTED: 'Error',
  INTERNAL: 'Error',
  STOPPED: 'Stopped',
} as const satisfies Record<TaskReason, 'Skipped' | 'Error' | 'Stopped'>; // exactly the API document's TaskReason

export type ReasonCode = keyof typeof REASONS;

/** A task ending other than Success. `transient` failures are retried with backoff while attempts remain. */
export class PatchOutcome extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'PatchOutcome';
  }
  get status(): 'Skipped' | 'Error' | 'Stopped' {
    return REASONS[this.code];
  }
}

export const skip = (code: ReasonCode, message: string) => new PatchOutcome(code, message);
export const fail = (code: ReasonCode, message: string, transient = false) =>
  new PatchOutcome(code, message, transient);
