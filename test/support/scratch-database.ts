import { Client } from 'pg';
import { loadConfig, withDatabaseUrl } from '../../src/config';
import { applyMigrations } from '../../src/database/migrate';
import { assertTestDatabase } from './test-database';

/**
 * A fresh, migrated database of its own for a suite whose jobs visit every organization: in the
 * shared test database, which gathers thousands of orgs over a run, each job run would take tens
 * of seconds. The suite sets `DATABASE_URL` to the returned URL for its apps and SQL clients.
 * It is left in place after the suite (apps may still hold connections while hooks unwind) and
 * dropped and re-created by the next run.
 */
export async function createScratchDatabase(label: string): Promise<string> {
  const base = process.env.DATABASE_URL as string;
  assertTestDatabase(base);
  const url = new URL(base);
  const name = `${url.pathname.replace(/^\//, '')}_${label}`;
  await adminQuery(base, [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  url.pathname = `/${name}`;
  await applyMigrations(withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'test' }), url.toString()));
  return url.toString();
}

/**
 * Points this test file at a scratch database of its own: call it first in the file, before any
 * hook that starts an app or a client. Jest gives each test file its own copy of process.env.
 */
export function useScratchDatabase(label: string): void {
  beforeAll(async () => {
    process.env.DATABASE_URL = await createScratchDatabase(label);
  }, 60_000);
}

async function adminQuery(url: string, statements: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}
