import { randomUUID } from 'node:crypto';
import { ChildApp, startChildApp, stopChildApp } from '../../support/child-app';
import { STRONG_PASSWORD, uniqueEmail } from '../../support/factories';
import { CallOptions, Method, fetchCall } from '../../support/client';
import { Receiver, SentryEvent, parseEnvelope, pollFor, sentryEvents, startReceiver } from './fake-receivers';

/**
 * Error tracking end to end: the real app in a child process (src/instrument loaded first) reports
 * to a local fake Sentry. A 5xx becomes exactly one tagged, scrubbed event; 4xx answers send nothing.
 */
const RELEASE = `atrium@e2e-${randomUUID().slice(0, 8)}`;
const QUIET_MS = 1_500;

let sentry: Receiver;
let child: ChildApp;

interface Session {
  readonly token: string;
  readonly orgId: string;
  readonly apiKey: string;
}

/** A request to the child app over real HTTP. */
const call = (method: Method, path: string, options: Omit<CallOptions, 'remoteAddress'> = {}) =>
  fetchCall(child.baseUrl, method, path, options);

async function signupWithKey(): Promise<Session> {
  const signed = await call('POST', '/v1/auth/signup', {
    body: { email: uniqueEmail('sentry'), password: STRONG_PASSWORD, name: 'Sentry Owner', organizationName: 'Error Tracking Org' },
  });
  expect(signed.status).toBe(201);
  const { token, organization } = (await signed.json()) as { token: string; organization: { id: string } };
  const key = await call('POST', '/v1/api-keys', { token, body: { name: 'leaky', scopes: ['contacts:read'] } });
  expect(key.status).toBe(201);
  const { secret } = (await key.json()) as { secret: string };
  return { token, orgId: organization.id, apiKey: secret };
}

/** Waits for `count` events beyond `before`, then a quiet period so late duplicates would show. */
async function eventsAfter(before: number, count: number): Promise<{ event: SentryEvent; text: string }[]> {
  await pollFor(
    () => sentryEvents(sentry).length,
    (n) => n >= before + count,
  );
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  return sentryEvents(sentry)
    .slice(before)
    .map(({ event, envelope }) => ({ event, text: envelope.text }));
}

beforeAll(async () => {
  sentry = await startReceiver(/^\/api\/1\/envelope\//);
  child = await startChildApp('test/e2e/monitoring/serve-instrumented-app.ts', {
    SENTRY_DSN: `http://publickey@127.0.0.1:${sentry.port}/1`,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    RELEASE,
  });
}, 120_000);

afterAll(async () => {
  await stopChildApp(child);
  await sentry?.close();
});

describe('error tracking with SENTRY_DSN', () => {
  it('reports a 500 as exactly one event tagged with request id, route, org and release', async () => {
    const session = await signupWithKey();
    const before = sentryEvents(sentry).length;

    const response = await call('POST', '/test-monitoring/fail', {
      token: session.token,
      body: { email: 'grace.hopper@navy.example', password: 'correct horse battery staple 1906', apiKey: session.apiKey },
    });
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toEqual(expect.any(String));
    expect(await response.json()).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId });

    const events = await eventsAfter(before, 1);
    expect(events).toHaveLength(1);
    const [{ event }] = events;
    expect(event.tags).toMatchObject({ request_id: requestId, route: '/test-monitoring/fail', org_id: session.orgId, status: '500' });
    expect(event.release).toBe(RELEASE);
    expect(event.environment).toBe('test');
    expect(event.exception?.values?.[0]).toMatchObject({ type: 'Error', value: expect.stringContaining('Could not sync contact') });
  });

  it('sends no email, credential, request body value or Authorization header in the event', async () => {
    const session = await signupWithKey();
    const email = `ada-${randomUUID().slice(0, 8)}@lovelace.example`;
    const password = `secret ${randomUUID()}`;
    const before = sentryEvents(sentry).length;

    const response = await call('POST', '/test-monitoring/fail', {
      token: session.token,
      body: { email, password, apiKey: session.apiKey },
    });
    expect(response.status).toBe(500);

    const events = await eventsAfter(before, 1);
    expect(events).toHaveLength(1);
    const [{ event, text }] = events;
    for (const secret of [email, password, session.apiKey, session.token, `Bearer ${session.token}`]) expect(text).not.toContain(secret);
    // The message is kept, with what it leaked replaced.
    expect(event.exception?.values?.[0]?.value).toBe('Could not sync contact [redacted-email] using key [redacted-token]');
  });

  it("tags an unauthenticated route's 500 with org_id none", async () => {
    const before = sentryEvents(sentry).length;
    const response = await call('GET', '/test-probe/boom');
    expect(response.status).toBe(500);

    const events = await eventsAfter(before, 1);
    expect(events).toHaveLength(1);
    expect(events[0].event.tags).toMatchObject({
      request_id: response.headers.get('x-request-id'),
      route: '/test-probe/boom',
      org_id: 'none',
    });
  });

  it('sends nothing for a 404 on an unknown route or a 400', async () => {
    const session = await signupWithKey();
    const before = sentry.received.length;

    const unknown = await call('GET', `/v1/no-such-route/${randomUUID()}`, { token: session.token });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
    const invalid = await call('POST', '/test-monitoring/fail', {
      token: session.token,
      body: { email: 'not-an-email', password: 'x', apiKey: 'y' },
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    const missing = await call('GET', `/v1/contacts/${randomUUID()}`, { token: session.token });
    expect(missing.status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    // Nothing but the SDK's own periodic bookkeeping (session aggregates, client reports) may arrive.
    const sent = sentry.received
      .slice(before)
      .flatMap((request) => parseEnvelope(request.text).items.map((item) => item.header.type))
      .filter((type) => type !== 'sessions' && type !== 'client_report');
    expect(sent).toEqual([]);
  });
});
