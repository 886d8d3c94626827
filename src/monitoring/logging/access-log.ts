import type { FastifyInstance } from 'fastify';
import type { Logger as PinoInstance } from 'pino';

/** Probes and scrapes arrive every few seconds; at info they would drown everything else. */
const QUIET_PREFIXES = ['/health/', '/metrics'];

/** One line per finished request, written by a Fastify hook (cheaper than Express-style middleware). */
export function registerAccessLog(fastify: FastifyInstance, logger: PinoInstance): void {
  const access = logger.child({ context: 'Http' });
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = request.url;
    const quiet = QUIET_PREFIXES.some((prefix) => path.startsWith(prefix));
    const status = reply.statusCode;
    const level = quiet ? 'debug' : status >= 500 ? 'error' : 'info';
    if (access.isLevelEnabled(level)) {
      access[level](
        {
          requestId: request.id,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
