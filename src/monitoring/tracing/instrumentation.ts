import { trace } from '@opentelemetry/api';
import type * as SentrySdk from '@sentry/nestjs';
import { AppConfig } from '../../config';
import { scrubEvent, scrubValue } from '../errors/scrub';
import { redactSql } from './sql-redaction';

/* eslint-disable @typescript-eslint/no-require-imports -- the SDKs below load only when configured */

let started = false;
let sentrySdk: typeof SentrySdk | undefined;

/**
 * Idempotent: tests may load the app several times in one process. The Sentry and OpenTelemetry
 * SDKs are required here, only when SENTRY_DSN or OTEL_EXPORTER_OTLP_ENDPOINT asks for them:
 * loaded for nothing they would cost every instance about 11 MB of heap and 40 MB of RSS.
 */
export function startInstrumentation(config: AppConfig): void {
  if (started) return;
  started = true;
  const { sentryDsn, otlpEndpoint, release, tracesSampleRate } = config.monitoring;
  if (!sentryDsn && !otlpEndpoint) return;
  const Sentry = require('@sentry/nestjs') as typeof import('@sentry/nestjs');
  sentrySdk = Sentry;

  const sentry = sentryDsn
    ? Sentry.init({
        dsn: sentryDsn,
        release,
        environment: config.env,
        sendDefaultPii: false,
        // Our OpenTelemetry pipeline carries traces when one is configured; Sentry then only samples alike.
        skipOpenTelemetrySetup: Boolean(otlpEndpoint),
        tracesSampleRate: otlpEndpoint ? tracesSampleRate : 0,
        beforeSend: (event) => scrubEvent(event),
        beforeSendTransaction: (event) => scrubEvent(event),
        beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb),
      })
    : undefined;

  if (!otlpEndpoint) return;
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const { SentryPropagator, SentrySampler, SentrySpanProcessor } =
    require('@sentry/opentelemetry') as typeof import('@sentry/opentelemetry');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'atrium', [ATTR_SERVICE_VERSION]: release }),
    sampler: sentry ? new SentrySampler(sentry) : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(tracesSampleRate) }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` })),
      ...(sentry ? [new SentrySpanProcessor()] : []),
    ],
  });
  provider.register(sentry ? { propagator: new SentryPropagator(), contextManager: new Sentry.SentryContextManager() } : {});
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(health|metrics)/.test(request.url ?? '') }),
      new PgInstrumentation({
        enhancedDatabaseReporting: false,
        requestHook: (span, { query }) => {
          const redacted = redactSql(query.text);
          span.setAttribute('db.query.text', redacted);
          span.setAttribute('db.statement', redacted);
        },
      }),
      new RedisInstrumentation(),
    ],
  });
  if (sentry) Sentry.validateOpenTelemetrySetup();
  process.once('beforeExit', () => void provider.shutdown());
  tracingEnabled = true;
}

let tracingEnabled = false;

/** The trace id of the active span, for log lines; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  if (!tracingEnabled) return undefined;
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
}

/** The Sentry SDK once SENTRY_DSN has initialised it; undefined otherwise. */
export function sentryIfEnabled(): typeof SentrySdk | undefined {
  return sentrySdk?.isInitialized() ? sentrySdk : undefined;
}
