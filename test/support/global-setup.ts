import { Logger } from '@nestjs/common';
import { loadConfig, withDatabaseUrl } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { applyMigrations } from '../../src/database/migrate';
import { assertTestDatabase } from './test-database';

/**
 * With DATABASE_URL (CI, a developer's local server) the tests use that database; without it they
 * start an embedded PostgreSQL of their own and a fresh `atrium_test` database in it.
 * Either way the schema is migrated once here, before any test file runs.
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
}
