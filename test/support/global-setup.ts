import { Logger } from '@nestjs/common';
import { loadConfig, withDatabaseUrl } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { applyMigrations } from '../../src/database/migrate';
import { PrivatePgBouncer } from './private-pgbouncer';
import { assertTestDatabase } from './test-database';

/**
 * With DATABASE_URL (CI, a developer's local server) the tests use that database; without it they
 * start an embedded PostgreSQL of their own and a fresh `atrium_test` database in it.
 * Either way the schema is migrated once here, before any test file runs.
 *
 * With E2E_VIA_PGBOUNCER=1 the test files then reach that database through a private pgbouncer in
 * transaction pooling mode (E2E_PGBOUNCER_POOL_SIZE server connections per pool, default 3):
 * DATABASE_URL points at it, same user, password and database. Migrations run directly, as a
 * deploy step would.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  Logger.overrideLogger(['error', 'warn']);
  if (!process.env.DATABASE_URL) {
    const server = await startEmbeddedPostgres({
      dataDir: process.env.EMBEDDED_PG_TEST_DIR ?? '.data/postgres-test',
      port: Number(process.env.EMBEDDED_PG_TEST_PORT ?? 54330),
      database: 'atrium_test',
      recreateDatabase: true,
    });
    process.env.DATABASE_URL = server.url;
    (globalThis as { __embeddedPostgres__?: typeof server }).__embeddedPostgres__ = server;
  }
  assertTestDatabase(process.env.DATABASE_URL);

  const config = withDatabaseUrl(loadConfig(process.env), process.env.DATABASE_URL);
  await applyMigrations(config);

  if (process.env.E2E_VIA_PGBOUNCER === '1') {
    const bouncer = await PrivatePgBouncer.start(process.env.DATABASE_URL, {
      poolSize: Number(process.env.E2E_PGBOUNCER_POOL_SIZE ?? 3),
    });
    (globalThis as { __privatePgBouncer__?: PrivatePgBouncer }).__privatePgBouncer__ = bouncer;
    process.env.DATABASE_URL = bouncer.url();
  }
}
