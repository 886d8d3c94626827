import { loadConfig, withDatabaseUrl } from '../../../src/config';
import { applyMigrations } from '../../../src/database/migrate';
import { ChildApp, startChildApp, stopChildApp } from '../../support/child-app';
import { STRONG_PASSWORD, uniqueEmail } from '../../support/factories';
import { Method, fetchCall } from '../../support/client';
import { eventually } from '../caching/private-redis';
import { Receiver, pollFor, sentryEvents, startReceiver } from '../monitoring/fake-receivers';
import { PrivatePostgres } from './private-postgres';

/**
 * The database outage as error tracking sees it: the instrumented app in a child process (Sentry
 * on, to a local fake) on a PostgreSQL of the test's own, which is stopped under it. The 503s of
 * the outage send nothing; a real bug right after (GET /test-probe/boom) is the first event.
 */
let postgres: PrivatePostgres;
let sentry: Receiver;
let child: ChildApp;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  await applyMigrations(withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: postgres.url }), postgres.url));
  sentry = await startReceiver(/^\/api\/1\/envelope\//);
  child = await startChildApp('test/e2e/monitoring/serve-instrumented-app.ts', {
    DATABASE_URL: postgres.url,
    SENTRY_DSN: `http://publickey@127.0.0.1:${sentry.port}/1`,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  });
}, 120_000);

afterAll(async () => {
  await stopChildApp(child);
  await sentry?.close();
  await postgres?.dispose();
});

/** A request to the child app over real HTTP. */
const request = (method: Method, path: string, token?: string, body?: object) => fetchCall(child.baseUrl, method, path, { token, body });

describe('Database outage and error tracking (e2e)', () => {
  it('reports none of the outage 503s, and still reports a real 500 right after', async () => {
    const signed = await request('POST', '/v1/auth/signup', undefined, {
      email: uniqueEmail('outage'),
      password: STRONG_PASSWORD,
      name: 'Outage Owner',
      organizationName: 'Outage Org',
    });
    expect(signed.status).toBe(201);
    const { token } = (await signed.json()) as { token: string };
    const before = sentryEvents(sentry).length;

    await postgres.stop();
    try {
      for (let i = 0; i < 5; i += 1) {
        const created = await request('POST', '/v1/contacts', token, { firstName: `Down ${i}`, lastName: 'Outage' });
        expect(created.status).toBe(503);
        expect(created.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(created.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await postgres.resume();
    }

    const boom = await request('GET', '/test-probe/boom');
    expect(boom.status).toBe(500);
    const events = await pollFor(
      () => sentryEvents(sentry).slice(before),
      (received) => received.length >= 1,
    );
    expect(events.map(({ event }) => event.tags?.route)).toEqual(['/test-probe/boom']);

    // And it recovers without a restart.
    expect(
      await eventually(
        async () => (await request('POST', '/v1/contacts', token, { firstName: 'Back', lastName: 'Up' })).status === 201,
        15_000,
      ),
    ).toBe(true);
  });
});
