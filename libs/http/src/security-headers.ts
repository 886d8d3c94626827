import type { FastifyInstance } from 'fastify';

/**
 * Headers every response carries, set before the route runs so a route may still override them
 * (the docs routes set their own caching and CSP): no MIME sniffing, no referrer leaking ids in
 * URLs to other sites, and nothing tenant-owned kept by a browser or a shared cache.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
