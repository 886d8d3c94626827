import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from './app-error';

/**
 * Replaces Fastify's JSON parser with one whose failure is an AppError, so malformed JSON
 * reaches the problem filter as `MALFORMED_JSON` instead of Nest's generic re-wrapping.
 * `__proto__` and `constructor.prototype` keys are refused, as Fastify's own parser does.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (cause) {
      done(new AppError('validation', 'MALFORMED_JSON', 'The request body is not valid JSON.', { cause }), undefined);
    }
  });
}
