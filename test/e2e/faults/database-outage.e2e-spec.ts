import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ERROR_REPORTER, ErrorReporter } from '@app/http';
import { loadConfig, withDatabaseUrl } from '../../../src/config';
import { applyMigrations } from '../../../src/database/migrate';
import { createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { Reply, call, metric } from '../caching/http-helpers';
import { eventually } from '../caching/private-redis';
import { PrivatePostgres } from './private-postgres';

/**
 * A PostgreSQL of the test's own is stopped (`pg_ctl stop -m fast`: open connections get 57P01,
 * new ones are refused) and started again under a running app. Meanwhile every request that
 * needs the database answers 503 problem+json with Retry-After, never 500; none is sent to the
 * error reporter; and the app recovers by itself once the database is back.
 */
let postgres: PrivatePostgres;
let app: NestFastifyApplication;
let reports: jest.SpyInstance;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: postgres.url };
  await applyMigrations(withDatabaseUrl(loadConfig(env), postgres.url));
  ({ app } = await createTestApp({ env: { DATABASE_URL: postgres.url, DATABASE_POOL_MAX: '4' } }));
  reports = jest.spyOn(app.get<ErrorReporter>(ERROR_REPORTER), 'report');
}, 120_000);

afterAll(async () => {
  await postgres?.resume().catch(() => undefined);
  await app?.close();
  await postgres?.dispose();
});

function expectUnavailable(response: Reply): void {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 503 });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
}

describe('Database outage (e2e)', () => {
  it('answers 503 problem+json with Retry-After while PostgreSQL is down, reports nothing, and recovers without restart', async () => {
    const owner = await signup(app);
    const key = (await createApiKey(app, owner, ['contacts:read', 'contacts:write'])).secret;
    expect((await call(app, 'POST', '/v1/contacts', key, { firstName: 'Before', lastName: 'Outage' })).statusCode).toBe(201);
    const failuresBefore = await metric(app, 'atrium_dependency_failures_total', { dependency: 'database' });

    await postgres.stop();
    try {
      // Pooled connections were terminated (57P01 / connection terminated) and new ones are refused.
      for (let i = 0; i < 4; i += 1) {
        expectUnavailable(await call(app, 'POST', '/v1/contacts', key, { firstName: `During ${i}`, lastName: 'Outage' }));
        expectUnavailable(await call(app, 'GET', `/v1/contacts?q=during-${i}`, key));
      }
      // Sign-in needs the database too (no session to fall back on).
      expectUnavailable(
        await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: owner.email, password: 'x'.repeat(12) } }),
      );
      const started = performance.now();
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(performance.now() - started).toBeLessThan(250);
      expect(await eventually(async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 503, 5_000)).toBe(
        true,
      );
      expect([200, 503]).toContain(ready.statusCode);
    } finally {
      await postgres.resume();
    }

    expect(reports).not.toHaveBeenCalled();
    expect(await metric(app, 'atrium_dependency_failures_total', { dependency: 'database' })).toBeGreaterThanOrEqual(failuresBefore + 9);

    expect(
      await eventually(
        async () => (await call(app, 'POST', '/v1/contacts', key, { firstName: 'After', lastName: 'Outage' })).statusCode === 201,
        15_000,
      ),
    ).toBe(true);
    expect(await eventually(async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200, 5_000)).toBe(true);
    expect(reports).not.toHaveBeenCalled();
  });
});
