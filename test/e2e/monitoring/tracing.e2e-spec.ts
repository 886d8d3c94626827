import { randomBytes } from 'node:crypto';
import { ChildApp, startChildApp, stopChildApp } from '../../support/child-app';
import { STRONG_PASSWORD, bearer, uniqueEmail } from '../../support/factories';
import { fetchCall } from '../../support/client';
import { OtlpSpan, Receiver, otlpSpans, pollFor, startReceiver } from './fake-receivers';

/**
 * Tracing end to end: the real app in a child process (src/instrument loaded first) exports spans
 * over OTLP/HTTP to a local fake collector. An incoming W3C `traceparent` is continued by the HTTP
 * server span and the PostgreSQL spans under it; the request's log lines carry the same trace id.
 */
const SPAN_KIND_SERVER = 2;

let collector: Receiver;
let child: ChildApp;
let stdout = '';

interface LogLine {
  readonly msg?: string;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly orgId?: string;
  readonly route?: string;
}

function logLines(): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

async function signup(email = uniqueEmail('trace'), headers: Record<string, string> = {}): Promise<{ token: string; orgId: string }> {
  const response = await fetchCall(child.baseUrl, 'POST', '/v1/auth/signup', {
    body: { email, password: STRONG_PASSWORD, name: 'Trace Owner', organizationName: 'Traced Org' },
    headers,
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { token: string; organization: { id: string } };
  return { token: body.token, orgId: body.organization.id };
}

const isPg = (span: OtlpSpan) =>
  span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql' || span.scope.includes('pg');

function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/** Sends GET /v1/contacts as a continuation of a fresh remote trace; waits for its server and pg spans. */
async function tracedListContacts(token: string) {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const response = await fetch(`${child.baseUrl}/v1/contacts`, {
    headers: { ...bearer(token), traceparent: `00-${traceId}-${parentSpanId}-01` },
  });
  expect(response.status).toBe(200);
  const spans = await pollFor(
    () => otlpSpans(collector).filter((span) => span.traceId === traceId),
    (found) => found.some((span) => span.kind === SPAN_KIND_SERVER) && found.some(isPg),
  );
  return {
    traceId,
    parentSpanId,
    requestId: response.headers.get('x-request-id'),
    server: spans.filter((span) => span.kind === SPAN_KIND_SERVER),
    pg: spans.filter(isPg),
  };
}

beforeAll(async () => {
  collector = await startReceiver(/^\/v1\/traces/);
  child = await startChildApp('test/e2e/monitoring/serve-instrumented-app.ts', {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    TRACES_SAMPLE_RATE: '1',
    SENTRY_DSN: '',
    TEST_LOG_LEVEL: 'info',
  });
  child.process.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
}, 120_000);

afterAll(async () => {
  await stopChildApp(child);
  await collector?.close();
});

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('continues an incoming traceparent with one HTTP server span and PostgreSQL spans', async () => {
    const { token } = await signup();
    const { traceId, parentSpanId, server, pg } = await tracedListContacts(token);

    expect(server).toHaveLength(1);
    expect(server[0]).toMatchObject({ traceId, parentSpanId, kind: SPAN_KIND_SERVER });
    expect(server[0].attributes['http.method'] ?? server[0].attributes['http.request.method']).toBe('GET');
    expect(pg.length).toBeGreaterThanOrEqual(1);
    for (const span of pg) {
      expect(span.traceId).toBe(traceId);
      expect(span.scope).toBe('@opentelemetry/instrumentation-pg');
    }
    expect(pg.some((span) => (span.attributes['db.system'] ?? span.attributes['db.system.name']) === 'postgresql')).toBe(true);
  });

  it('puts the route template and the org id on the server span', async () => {
    const { token, orgId } = await signup();
    const { server } = await tracedListContacts(token);

    expect(server).toHaveLength(1);
    expect({ route: server[0].attributes['http.route'], org: server[0].attributes['atrium.org_id'] }).toEqual({
      route: '/v1/contacts',
      org: orgId,
    });
  });

  it("writes the trace id on the request's log lines, including the access log", async () => {
    const { token, orgId } = await signup();
    const { traceId, requestId } = await tracedListContacts(token);
    expect(requestId).toEqual(expect.any(String));

    const lines = await pollFor(
      () => logLines().filter((line) => line.requestId === requestId),
      (found) => found.some((line) => line.msg === 'request completed'),
    );
    const access = lines.find((line) => line.msg === 'request completed');
    expect(access).toMatchObject({ requestId, traceId, orgId, route: '/v1/contacts' });
    expect(lines.filter((line) => line.traceId !== traceId)).toEqual([]);
  });

  it('exports no personal data or credential material in PostgreSQL span attributes', async () => {
    const email = uniqueEmail('span-pii');
    const { traceId, traceparent } = newTraceparent();
    await signup(email, { traceparent });
    const spans = await pollFor(
      () => otlpSpans(collector).filter((span) => span.traceId === traceId),
      (found) => found.some((span) => span.kind === SPAN_KIND_SERVER) && found.filter(isPg).length >= 3,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const exported = JSON.stringify(otlpSpans(collector).filter((span) => span.traceId === traceId));
    expect(spans.filter(isPg).length).toBeGreaterThanOrEqual(3);
    // The signup writes the user row: its email, name and password hash must not reach the APM.
    expect({ email: exported.includes(email), passwordHash: exported.includes('scrypt$') }).toEqual({ email: false, passwordHash: false });
  });
});
