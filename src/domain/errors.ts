/**
 * One error type per kind of domain failure. The HTTP layer maps each to a
 * status and a problem document in one place; nothing below it knows HTTP.
 */
export type FieldProblem = { path: string; message: string };

export abstract class DomainError extends Error {
  /** Stable machine-readable code, used as the problem type. */
  abstract readonly code: string;
}

export class ValidationError extends DomainError {
  override readonly name: string = 'ValidationError';
  readonly code = 'validation';
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** A query (a list's filter) that names what does not exist: answered as a bad request, like a malformed one. */
export class QueryValidationError extends ValidationError {
  override readonly name = 'QueryValidationError';
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'not-found';
  constructor(
    readonly entity: string,
    readonly id: string,
    /** The ids that do exist, named in the message when given. */
    known?: readonly string[],
  ) {
    super(`${entity} "${id}" does not exist${known ? `; one of: ${known.join(', ') || 'none'}` : ''}`);
  }
}

export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly code: string;
  constructor(message: string, code = 'conflict') {
    super(message);
    this.code = code;
  }
}

/** The caller read version N, someone else already wrote N+1. */
export class StaleVersionError extends DomainError {
  override readonly name = 'StaleVersionError';
  readonly code = 'stale-version';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${entity} "${id}" was changed by someone else (you had version ${expected}, it is now ${actual}); reload and try again`);
  }
}

export class UnauthenticatedError extends DomainError {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'unauthenticated';
}

export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
  constructor(
    readonly action: string,
    readonly allowedRoles: readonly string[],
  ) {
    super(
      allowedRoles.length > 0
        ? `"${action}" needs one of the roles: ${allowedRoles.join(', ')}`
        : `"${action}" is not granted to any of your roles`,
    );
  }
}

export class TemplateInvalidError extends DomainError {
  override readonly name = 'TemplateInvalidError';
  readonly code = 'template-invalid';
  constructor(readonly problems: FieldProblem[]) {
    super(`the process template has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  }
}

/** A lifecycle transition whose state, comment rule or gates do not allow it now. */
export class GatesNotSatisfiedError extends DomainError {
  override readonly name = 'GatesNotSatisfiedError';
  readonly code = 'gates-not-satisfied';
  constructor(
    readonly transition: string,
    readonly transitionName: string,
    /** Every unmet condition, in words a coordinator understands. */
    readonly unmet: string[],
    /** Each gate with its pass/fail, reasons and evidence. */
    readonly gates: unknown[],
  ) {
    super(`"${transitionName}" is not possible yet: ${unmet.join('; ')}`);
  }
}

/** Sign-ins under this account or from this address are locked for a while after too many failures. */
export class TooManyAttemptsError extends DomainError {
  override readonly name = 'TooManyAttemptsError';
  readonly code = 'too-many-attempts';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins; try again in ${retryAfterSeconds} s`);
  }
}

/** The release-name sequence has no number left that fits the naming pattern. */
export class SequenceExhaustedError extends DomainError {
  override readonly name = 'SequenceExhaustedError';
  readonly code = 'sequence-exhausted';
  constructor(
    readonly sequence: number,
    readonly maxSequence: number,
  ) {
    super(`release sequence exhausted: ${sequence} does not fit the pattern (highest possible number is ${maxSequence})`);
  }
}

/** A stored file no longer has the checksum it was stored with (or is gone): it is never sent. */
export class CorruptArtifactError extends DomainError {
  override readonly name = 'CorruptArtifactError';
  readonly code = 'artifact-corrupt';
}

/** A file sent to relman is larger than its limit. */
export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'too-large';
  constructor(
    readonly maxBytes: number,
    message = `the file is larger than the limit of ${maxBytes} bytes`,
  ) {
    super(message);
  }
}
