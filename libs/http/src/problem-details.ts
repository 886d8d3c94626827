import { AppError, ErrorKind, FieldError } from './app-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details as Atrium writes them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: readonly FieldError[];
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusOf(kind: ErrorKind): number {
  return STATUS_BY_KIND[kind];
}

export function titleOf(status: number): string {
  return TITLE_BY_STATUS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** `VALIDATION_FAILED` → `urn:atrium:problem:validation-failed`: stable, documented in the OpenAPI document. */
export function problemType(code: string): string {
  return `urn:atrium:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemFromAppError(error: AppError, requestId: string | undefined): ProblemDetails {
  const status = statusOf(error.kind);
  return problem(status, error.code, error.detail, requestId, error.options.errors);
}

export function problem(
  status: number,
  code: string,
  detail: string,
  requestId: string | undefined,
  errors?: readonly FieldError[],
): ProblemDetails {
  return {
    type: problemType(code),
    title: titleOf(status),
    status,
    detail,
    code,
    requestId,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
