import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { RequestContext } from '@app/request-context';
import { Metrics } from './metrics.service';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * RED metrics per route template (Fastify's `routeOptions.url`, e.g. `/v1/contacts/:id`, never the
 * raw path), the in-flight gauge and the per-tenant counters, from two Fastify hooks. The org id
 * also goes on the request's trace span.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics, context: RequestContext): void {
  fastify.addHook('onRequest', (_request, _reply, done) => {
    metrics.httpInFlight.inc();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpInFlight.dec();
    const status = reply.statusCode;
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status_class: STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other' },
      reply.elapsedTime / 1000,
    );
    const orgId = context.orgId;
    metrics.countTenantRequest(orgId, status);
    const span = trace.getActiveSpan();
    if (span) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
      if (orgId) span.setAttribute('atrium.org_id', orgId);
    }
    done();
  });
}
