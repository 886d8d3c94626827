import type { FastifyInstance } from 'fastify';
import { etagOfJson, matchesIfNoneMatch } from './etag';

/**
 * Every successful JSON GET under /v1 carries a strong ETag of the exact bytes sent, and a matching
 * `If-None-Match` gets a 304 without a body. A Fastify `onSend` hook sees the body once it is
 * serialised, so it is hashed as sent and never serialised twice. Streams and buffers (exports,
 * downloads) carry their own type and are not hashed.
 */
export function registerEtagHook(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (
      request.method !== 'GET' ||
      typeof payload !== 'string' ||
      reply.statusCode !== 200 ||
      !request.url.startsWith('/v1/') ||
      !String(reply.getHeader('content-type') ?? '').startsWith('application/json')
    ) {
      done(null, payload);
      return;
    }
    const etag = etagOfJson(payload);
    reply.header('etag', etag);
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      reply.code(304).removeHeader('content-type');
      done(null, null);
      return;
    }
    done(null, payload);
  });
}
