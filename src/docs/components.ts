import type { ComponentsObject, HeaderObject, ParameterObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PROBLEM_CONTENT_TYPE, problemType } from '@app/http';
import { DOWNLOAD_HEADERS } from './downloads';
import { sharedCodes } from './problem-codes';

/**
 * The reusable parts of the document: the problem schema every error uses, the headers and
 * parameters of the API's conventions (pagination, idempotency, ETags, rate limits) and the
 * standard error responses. `applyApiConventions` references them from every operation.
 */

export const BEARER_SCHEME = 'bearer';

export const ref = {
  schema: (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` }),
  header: (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` }),
  parameter: (name: string): ReferenceObject => ({ $ref: `#/components/parameters/${name}` }),
  response: (name: string): ReferenceObject => ({ $ref: `#/components/responses/${name}` }),
};

const EXAMPLE_REQUEST_ID = '0193a3c2-9f4e-7d21-b7a8-3c5e2f1d0a9b';

const schemas: Record<string, SchemaObject> = {
  Problem: {
    type: 'object',
    description:
      'An RFC 9457 problem document, sent with `Content-Type: application/problem+json` for every error. ' +
      'Branch on `code`, never on `title` or `detail`.',
    required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        description: 'The problem type: `urn:atrium:problem:` and the code in kebab case.',
        example: problemType('VALIDATION_FAILED'),
      },
      title: { type: 'string', description: 'The HTTP status text.', example: 'Bad Request' },
      status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, description: 'The HTTP status code.', example: 400 },
      detail: { type: 'string', description: 'What went wrong, for humans.', example: 'The request is not valid.' },
      code: {
        type: 'string',
        pattern: '^[A-Z][A-Z0-9_]*$',
        description:
          'A stable machine code (`VALIDATION_FAILED`, `CONTACT_NOT_FOUND`, `RATE_LIMITED`, ...). Codes are never renamed; ' +
          'each error response lists the codes its operation can answer.',
        example: 'VALIDATION_FAILED',
      },
      requestId: {
        type: 'string',
        description: 'The `X-Request-Id` of the request; quote it when you report a problem.',
        example: EXAMPLE_REQUEST_ID,
      },
      errors: {
        type: 'array',
        description: 'The offending fields (400 and 422).',
        items: ref.schema('FieldError'),
      },
    },
  },
  FieldError: {
    type: 'object',
    required: ['field', 'message'],
    properties: {
      field: { type: 'string', description: 'Dotted path of the field, e.g. `customFields.tier` or `tags.3`.', example: 'email' },
      message: { type: 'string', example: 'email must be an email' },
    },
  },
};

const headers: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: 'Identifies the request in our logs: your own `X-Request-Id` when you sent a sane one, else a new UUID.',
    required: true,
    schema: { type: 'string', example: EXAMPLE_REQUEST_ID },
  },
  ETag: {
    description:
      'A strong validator of this representation. Send it back in `If-None-Match` (304 when unchanged) or `If-Match` (412 when stale).',
    required: true,
    schema: { type: 'string', example: '"q8WAqYbG6f5QmUOhjrbjPJ7T1kR"' },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored response to an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed in the current window.',
    schema: { type: 'integer', minimum: 0, example: 600 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', minimum: 0, example: 599 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window resets.',
    schema: { type: 'integer', minimum: 0, example: 42 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0, example: 42 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme to use: `Bearer`.',
    schema: { type: 'string', example: 'Bearer' },
  },
  ...DOWNLOAD_HEADERS,
};

export const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

// No examples on the parameters: the explorer fills "Try it out" with them, and a sample cursor
// skips rows, a sample ETag fails with 412, and a sample Idempotency-Key replays another request.
const parameters: Record<string, ParameterObject> = {
  PageLimit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: `Page size: 1 to ${MAX_PAGE_SIZE} items.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  },
  PageCursor: {
    name: 'cursor',
    in: 'query',
    required: false,
    description: 'The `nextCursor` of the previous page; omit it for the first page. Cursors are opaque.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,400}$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Any unique string (a UUID is best). A retry with the same key and the same body within 24 hours returns the first ' +
      'response (same status and body, `Idempotent-Replayed: true`) and creates nothing; the same key with another body is 422.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The `ETag` you read. When the resource has changed since, the request fails with 412 and changes nothing.',
    schema: { type: 'string' },
  },
  IfNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'The `ETag` you hold. When it still matches, the answer is 304 without a body.',
    schema: { type: 'string' },
  },
};

/** The standard errors, by status: component name, default description and example code. */
export const STANDARD_ERRORS: Readonly<Record<number, { readonly name: string; readonly description: string; readonly code: string }>> = {
  400: {
    name: 'BadRequest',
    description:
      'The request is not valid (`VALIDATION_FAILED`, with the offending fields in `errors`): a malformed parameter or body, ' +
      'an unknown body field, or a body that is not JSON (`MALFORMED_JSON`).',
    code: 'VALIDATION_FAILED',
  },
  401: {
    name: 'Unauthorized',
    description:
      'No valid credential: the bearer token is missing (`UNAUTHENTICATED`) or unknown, revoked or expired (`INVALID_CREDENTIALS`).',
    code: 'UNAUTHENTICATED',
  },
  403: { name: 'Forbidden', description: 'The credential may not do this (`FORBIDDEN`).', code: 'FORBIDDEN' },
  404: {
    name: 'NotFound',
    description: 'No such resource in your organization. A resource of another organization is reported the same way.',
    code: 'NOT_FOUND',
  },
  409: { name: 'Conflict', description: 'The request conflicts with the current state.', code: 'CONFLICT' },
  412: {
    name: 'PreconditionFailed',
    description: '`If-Match` does not match the current `ETag` (`PRECONDITION_FAILED`): read the resource again and retry.',
    code: 'PRECONDITION_FAILED',
  },
  413: {
    name: 'ContentTooLarge',
    description: 'The request body is larger than the server accepts (`PAYLOAD_TOO_LARGE`).',
    code: 'PAYLOAD_TOO_LARGE',
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`).',
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  422: {
    name: 'UnprocessableContent',
    description: 'The `Idempotency-Key` was used before with a different request (`IDEMPOTENCY_KEY_REUSED`).',
    code: 'IDEMPOTENCY_KEY_REUSED',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Too many requests (`RATE_LIMITED`): wait `Retry-After` seconds.',
    code: 'RATE_LIMITED',
  },
  500: {
    name: 'InternalError',
    description: 'A bug on our side (`INTERNAL_ERROR`): nothing internal is shown; quote the `requestId` when you report it.',
    code: 'INTERNAL_ERROR',
  },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A dependency (the database, or the session store) is down for a moment, or the server is shutting down: retry after `Retry-After` seconds.',
    code: 'SERVICE_UNAVAILABLE',
  },
};

const DETAIL_BY_STATUS: Record<number, string> = {
  400: 'The request is not valid.',
  401: 'A valid bearer token is required.',
  403: 'You do not have permission to do this.',
  404: 'The resource does not exist.',
  409: 'The request conflicts with the current state.',
  412: 'The resource has changed since you read it; fetch it again and retry.',
  413: 'The request body is too large.',
  415: 'The request body must be application/json.',
  422: 'This Idempotency-Key was used with a different request.',
  429: 'Too many requests; retry later.',
  500: 'An unexpected error occurred. Quote the request id if you report it.',
  503: 'The service could not complete the request.',
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemExample {
  readonly code: string;
  readonly detail?: string;
  readonly errors?: readonly { field: string; message: string }[];
}

/** A problem document as the API writes it for `status` and `code`. */
export function problemExample(status: number, { code, detail, errors: fieldErrors }: ProblemExample): object {
  return {
    type: problemType(code),
    title: TITLE_BY_STATUS[status] ?? 'Client Error',
    status,
    detail: detail ?? DETAIL_BY_STATUS[status] ?? 'The request failed.',
    code,
    requestId: EXAMPLE_REQUEST_ID,
    ...(fieldErrors && fieldErrors.length > 0 ? { errors: fieldErrors } : {}),
  };
}

/** The headers an error response of `status` can carry; the rate-limit headers on `/v1`, where the limiter ran before the error. */
export function errorHeaders(status: number, isV1 = true): Record<string, ReferenceObject> {
  return {
    'X-Request-Id': ref.header('X-Request-Id'),
    ...(status === 401 ? { 'WWW-Authenticate': ref.header('WWW-Authenticate') } : {}),
    ...(status === 429 || status === 503 ? { 'Retry-After': ref.header('Retry-After') } : {}),
    ...(isV1 && status >= 400 && status < 500 ? Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, ref.header(name)])) : {}),
  };
}

/** The Problem schema narrowed to the codes one response can carry, so that generated clients get an enum. */
export function problemSchema(codes: readonly string[]): SchemaObject | ReferenceObject {
  if (codes.length === 0) return ref.schema('Problem');
  return { allOf: [ref.schema('Problem'), { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } }] };
}

/** An error response: the problem schema (narrowed to `codes`) with an example. */
export function errorResponse(
  status: number,
  description: string,
  example: ProblemExample,
  codes: readonly string[] = [example.code],
  isV1 = true,
): ResponseObject {
  return {
    description,
    headers: errorHeaders(status, isV1),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema(codes), example: problemExample(status, example) } },
  };
}

const EXAMPLE_FIELD_ERRORS: Record<number, { field: string; message: string }[]> = {
  400: [{ field: 'email', message: 'email must be an email' }],
};

function standardResponses(): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {
    NotModified: {
      description: 'Not modified: the `If-None-Match` ETag still matches. No body.',
      headers: {
        ETag: ref.header('ETag'),
        'X-Request-Id': ref.header('X-Request-Id'),
        ...Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, ref.header(name)])),
      },
    },
  };
  for (const [status, error] of Object.entries(STANDARD_ERRORS)) {
    responses[error.name] = errorResponse(
      Number(status),
      error.description,
      { code: error.code, errors: EXAMPLE_FIELD_ERRORS[Number(status)] },
      sharedCodes(Number(status)),
    );
  }
  return responses;
}

export const BEARER_DESCRIPTION =
  'Send `Authorization: Bearer <token>` where the token is either\n\n' +
  '- a **session token** (43 characters) from `POST /v1/auth/login`, `POST /v1/auth/signup`, `POST /v1/invitations/accept` ' +
  'or `POST /v1/auth/switch-organization`: it acts as the user with their role in one organization, or\n' +
  '- an **API key** (`atr_` and 65 characters) from `POST /v1/api-keys`: it acts with its scopes in the organization it was ' +
  'created in. Session-only operations (marked in their description) refuse API keys with 403.\n\n' +
  'Every token belongs to exactly one organization; the API never takes the tenant from a path, query or body.';

/** Everything `applyApiConventions` references, merged into `components` (what the scan produced wins on a name clash). */
export function conventionComponents(): ComponentsObject {
  return {
    securitySchemes: {
      [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'session token or atr_ API key', description: BEARER_DESCRIPTION },
    },
    schemas,
    headers,
    parameters,
    responses: standardResponses(),
  };
}
