import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestContext } from './request-context.service';
import { REQUEST_ID_HEADER } from './request-id';

const contextResource = Symbol('atrium.contextResource');
type RequestWithResource = FastifyRequest & { [contextResource]?: AsyncResource };

/**
 * Enters a fresh request context for every request and echoes the request id.
 * Fastify assigns `request.id` through `genReqId` (see `requestIdFrom`). Body parsing runs
 * in stream callbacks that lose the async context, so it is re-entered before validation.
 */
export function registerRequestContextHooks(fastify: FastifyInstance, context: RequestContext): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    context.run(
      request.id,
      () => {
        (request as RequestWithResource)[contextResource] = new AsyncResource('atrium.request');
        done();
      },
      request.ip,
    );
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const resource = (request as RequestWithResource)[contextResource];
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
}
