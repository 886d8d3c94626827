import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, PROBLEM_CONTENT_TYPE, parseJsonObject } from '@app/http';
import { SCIM_BASE_PATH, SCIM_SCHEMAS } from './scim-schemas';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** `scimType` (RFC 7644 §3.12, table 9) of the problem codes that have one. */
const SCIM_TYPE_BY_CODE: Readonly<Record<string, string>> = {
  SCIM_INVALID_FILTER: 'invalidFilter',
  SCIM_TOO_MANY: 'tooMany',
  SCIM_UNIQUENESS: 'uniqueness',
  SCIM_MUTABILITY: 'mutability',
  SCIM_INVALID_SYNTAX: 'invalidSyntax',
  MALFORMED_JSON: 'invalidSyntax',
  BODY_TOO_DEEP: 'invalidSyntax',
  SCIM_INVALID_PATH: 'invalidPath',
  SCIM_NO_TARGET: 'noTarget',
  SCIM_INVALID_VALUE: 'invalidValue',
  VALIDATION_FAILED: 'invalidValue',
};

const isScimUrl = (url: string) => url === SCIM_BASE_PATH || url.startsWith(`${SCIM_BASE_PATH}/`) || url.startsWith(`${SCIM_BASE_PATH}?`);

/** A SCIM error (RFC 7644 §3.12) saying what a problem+json body said. */
export function scimErrorOf(problemJson: string): Record<string, unknown> {
  let problem: { status?: number; code?: string; detail?: string; errors?: { field: string; message: string }[] };
  try {
    problem = JSON.parse(problemJson) as typeof problem;
  } catch {
    problem = { status: 500, detail: 'An unexpected error occurred.' };
  }
  const fields = (problem.errors ?? []).map((error) => `${error.field}: ${error.message}`);
  const scimType = problem.code ? SCIM_TYPE_BY_CODE[problem.code] : undefined;
  return {
    schemas: [SCIM_SCHEMAS.error],
    status: String(problem.status ?? 500),
    ...(scimType ? { scimType } : {}),
    detail: [problem.detail, ...fields].filter(Boolean).join(' '),
  };
}

/**
 * The SCIM routes speak the SCIM contract, which wins over the rest of the API's on `/scim/v2`
 * only: bodies may come as `application/scim+json` (or `application/json`), answers go out as
 * `application/scim+json`, and every error, wherever it was raised (the auth guard, the body
 * parser, a rate limit, an unknown route under `/scim/v2`), is a SCIM error body instead of
 * problem+json. The problem filter still decides the status, logs and reports; this hook only
 * rewrites the body it wrote. Call after registerJsonBodyParser (which removes every other parser).
 */
export function registerScimHttp(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(SCIM_CONTENT_TYPE, { parseAs: 'string' }, (request, body, done) => {
    if (!isScimUrl(request.url)) {
      done(new AppError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'), undefined);
      return;
    }
    try {
      done(null, parseJsonObject(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!isScimUrl(request.url)) {
      done(null, payload);
      return;
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith(PROBLEM_CONTENT_TYPE) && typeof payload === 'string') {
      reply.header('content-type', `${SCIM_CONTENT_TYPE}; charset=utf-8`);
      done(null, JSON.stringify(scimErrorOf(payload)));
      return;
    }
    if (type.startsWith('application/json')) reply.header('content-type', `${SCIM_CONTENT_TYPE}; charset=utf-8`);
    done(null, payload);
  });
}

type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Fastify answers a path it cannot route (bad percent-encoding, an over-long parameter) before any
 * hook runs, so the onSend hook above never sees those answers: under `/scim/v2` this wraps the
 * app's framework-error handler so that its problem body goes out as a SCIM error as well.
 */
export function withScimFrameworkErrors(answer: FrameworkErrorHandler): FrameworkErrorHandler {
  return (error, request, reply) => {
    if (!isScimUrl(request.url)) {
      answer(error, request, reply);
      return;
    }
    const send = reply.send.bind(reply);
    reply.send = (payload?: unknown) => {
      reply.header('content-type', `${SCIM_CONTENT_TYPE}; charset=utf-8`);
      return send(JSON.stringify(scimErrorOf(typeof payload === 'string' ? payload : JSON.stringify(payload))));
    };
    answer(error, request, reply);
  };
}
