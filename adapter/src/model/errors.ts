/**
 * Errors of the service's use cases, free of any protocol: controllers and services throw them, the HTTP
 * layer (`http/errors.ts`) turns each kind into its status and Harbor-style error body. `code` replaces
 * the kind's default error code in that body (e.g. ROBOT_NO_ACCESS); `field` names the input at fault.
 */

export interface FieldProblem {
  /** The input at fault; left out when the problem is with the request as a whole. */
  field?: string;
  message: string;
}

export interface DomainErrorOptions {
  code?: string;
  field?: string;
}

export abstract class DomainError extends Error {
  readonly code?: string;
  readonly field?: string;
  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code;
    this.field = options.field;
  }
}

/** The input is not valid: one problem per field. */
export class ValidationError extends DomainError {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

/** The caller's credentials were not accepted. */
export class UnauthorizedError extends DomainError {}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {}

/** What the request names does not exist (or the caller may not see it). */
export class NotFoundError extends DomainError {}

/** The request clashes with the current state (a name taken, a run still going, a robot without access). */
export class ConflictError extends DomainError {}

/** A service this one depends on (Harbor) failed or could not be reached. */
export class UpstreamError extends DomainError {}

/** This service cannot do it now as it is set up (e.g. Harbor rejects the service robot). */
export class UnavailableError extends DomainError {}
