import type { FastifyInstance } from 'fastify';

/**
 * Headers every response carries, set before the route runs so a route may still override them
 * (the docs routes set their own caching and CSP): no MIME sniffing, no referrer leaking ids in
 * URLs to other sites, and nothing tenant-owned kept by a browser or a shared cache.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
    done();
  });
}
