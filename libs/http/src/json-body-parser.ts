import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError, ValidationError } from './app-error';
import { MAX_JSON_DEPTH, jsonNestingExceeds, unstorableValueErrors } from './json-limits';

/**
 * JSON is the only body Atrium reads: every other parser Fastify registers by default (`text/plain`)
 * is removed, so any other media type is a 415 before a route runs. The JSON parser's failures are
 * AppErrors, so they reach the problem filter with stable codes instead of Nest's generic
 * re-wrapping. Before anything walks the parsed value, the text is checked for nesting depth, and
 * the value for ill-formed Unicode and NUL, which PostgreSQL (text, jsonb) and the validators
 * (`encodeURIComponent` in `isEmail`) cannot take. A body must be a JSON object: `null`, arrays and
 * scalars never reach a DTO. `__proto__` and `constructor.prototype` keys are refused, as Fastify's
 * own parser does.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonObject(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

export function parseJsonObject(text: string): Record<string, unknown> {
  if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
    throw new AppError('validation', 'BODY_TOO_DEEP', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (cause) {
    throw new AppError('validation', 'MALFORMED_JSON', 'The request body is not valid JSON.', { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError([{ field: 'body', message: 'the request body must be a JSON object' }]);
  }
  const unstorable = unstorableValueErrors(value);
  if (unstorable.length > 0) throw new ValidationError(unstorable);
  return value as Record<string, unknown>;
}
