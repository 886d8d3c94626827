import type { DependencyFailure } from './dependency-errors';

/**
 * What went wrong, in domain terms. Services throw these; the problem-details filter maps the
 * kind to an HTTP status. Services never throw Nest's HTTP exceptions.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `customFields.tier` or `tags.3`. */
  readonly field: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly errors?: readonly FieldError[];
  /** Extra headers the response must carry (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** For an `unavailable` error without a cause: what is missing, for the log line (default: the shared store). */
  readonly dependency?: DependencyFailure['dependency'];
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine code, e.g. `CONTACT_NOT_FOUND`. Clients branch on it; never rename one. */
    readonly code: string,
    /** Safe to show to the client: no personal data, SQL or internals. */
    readonly detail: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(errors: readonly FieldError[], detail = 'The request is not valid.') {
    super('validation', 'VALIDATION_FAILED', detail, { errors });
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, detail: string) {
    super('not_found', code, detail);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string) {
    super('conflict', code, detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You do not have permission to do this.') {
    super('forbidden', 'FORBIDDEN', detail);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code = 'UNAUTHENTICATED', detail = 'A valid bearer token is required.') {
    super('unauthenticated', code, detail, { headers: { 'www-authenticate': 'Bearer' } });
  }
}
