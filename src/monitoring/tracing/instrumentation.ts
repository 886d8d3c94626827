import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import * as Sentry from '@sentry/nestjs';
import { SentryPropagator, SentrySampler, SentrySpanProcessor } from '@sentry/opentelemetry';
import { AppConfig } from '../../config';
import { scrubEvent, scrubValue } from '../errors/scrub';
import { redactSql } from './sql-redaction';

let started = false;

/** Idempotent: tests may load the app several times in one process. */
export function startInstrumentation(config: AppConfig): void {
  if (started) return;
  started = true;
  const { sentryDsn, otlpEndpoint, release, tracesSampleRate } = config.monitoring;

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

export function isSentryEnabled(): boolean {
  return Sentry.isInitialized();
}
