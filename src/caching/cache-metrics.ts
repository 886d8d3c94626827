import { Counter, Gauge, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[] = []): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

function gauge(name: string, help: string, labelNames: string[] = []): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames });
}

/** The caching module's metrics (listed with the rest in monitoring/metrics/metric-catalogue.ts). */
export const cacheMetrics = {
  requests: () => counter('atrium_cache_requests_total', 'Cache lookups by cache and result', ['cache', 'result']),
  fallbacks: () => counter('atrium_cache_fallback_total', 'Operations that fell back because Redis was unavailable', ['component']),
  backlogApplied: () =>
    counter('atrium_cache_invalidation_backlog_applied_total', 'Deferred cache-version bumps applied once Redis answered again'),
  backlogOldestAge: () =>
    gauge(
      'atrium_cache_invalidation_backlog_oldest_age_seconds',
      'Age of the oldest cache invalidation still pending in the backlog (0 when empty), as of the last read',
    ),
  rateLimited: () => counter('atrium_rate_limited_requests_total', 'Requests refused by a rate limit', ['limiter']),
};
