import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TenantDatabase } from '../../../src/tenancy';
import { signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';

/**
 * DATABASE_SLOW_QUERY_MS: a statement at or over the threshold gets one warn line with its
 * duration and its SQL, values redacted (the ORM inlines them); faster ones get none.
 */
describe('Slow-query log (e2e)', () => {
  let app: NestFastifyApplication;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    ({ app } = await createTestApp({ env: { DATABASE_SLOW_QUERY_MS: '80' } }));
  });

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn');
  });

  afterEach(() => warn.mockRestore());

  afterAll(async () => {
    await app.close();
  });

  const slowLines = () =>
    warn.mock.calls.filter(([, message]) => message === 'slow query').map(([fields]) => fields as Record<string, unknown>);

  it('logs a slow statement once, with its duration and no values', async () => {
    const em = app.get(EntityManager).fork();
    await em.getConnection().execute("select pg_sleep(0.12), 'jane.doe@example.com' as email, 4111111111111111 as card");
    const [line, ...more] = slowLines();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ thresholdMs: 80, operation: 'select', failed: false });
    expect(line.durationMs).toBeGreaterThanOrEqual(100);
    expect(line.sql).toBe('select pg_sleep(?), ? as email, ? as card');
  });

  it('logs a slow one-round-trip read too, and a slow statement that failed', async () => {
    const owner = await signup(app);
    await app.get(TenantDatabase).readForOrganization(owner.orgId, 'select pg_sleep(0.1), ? as name', ['Ada Lovelace']);
    await expect(app.get(EntityManager).fork().getConnection().execute('select pg_sleep(0.1), 1 / (random() * 0)::int')).rejects.toThrow(
      /division by zero/,
    );
    expect(slowLines()).toEqual([
      expect.objectContaining({ operation: 'select', failed: false, sql: 'select pg_sleep(?), ? as name' }),
      expect.objectContaining({ operation: 'select', failed: true, sql: 'select pg_sleep(?), ? / (random() * ?)::int' }),
    ]);
  });

  it('stays quiet below the threshold', async () => {
    await app.get(EntityManager).fork().getConnection().execute('select pg_sleep(0.01)');
    expect(slowLines()).toEqual([]);
  });
});
