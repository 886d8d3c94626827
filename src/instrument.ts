/**
 * Error tracking and tracing, set up before anything else is loaded so that the HTTP, PostgreSQL
 * and Redis client modules are instrumented when they are first required. Import this first.
 *
 * - SENTRY_DSN: unhandled errors and 5xx answers go to Sentry, scrubbed (see monitoring/errors/scrub.ts).
 * - OTEL_EXPORTER_OTLP_ENDPOINT: traces over OTLP/HTTP for any APM (New Relic, Datadog, Tempo, Jaeger),
 *   with spans for incoming HTTP, PostgreSQL and Redis; W3C `traceparent` is honoured.
 * - Both: Sentry joins our OpenTelemetry pipeline (its sampler, propagator, context manager and
 *   span processor) instead of setting up its own, as Sentry's docs describe for custom setups.
 */
import { loadConfig } from './config';
import { startInstrumentation } from './monitoring/tracing/instrumentation';

try {
  startInstrumentation(loadConfig());
} catch {
  // An invalid configuration is reported, key by key, by main.ts's own loadConfig().
}
