import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { assertTestDatabase } from '../../support/test-database';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run migration:up` as a deploy runs it (the app started afterwards with MIGRATE_ON_BOOT=false). */
describe('the migration CLI (e2e)', () => {
  const base = process.env.DATABASE_URL as string;
  const url = new URL(base);
  url.pathname = `${url.pathname}_migration_cli`;

  async function query<T>(connection: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: connection });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'src/database/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url.toString(), NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    });

  beforeAll(async () => {
    assertTestDatabase(base);
    const name = url.pathname.slice(1);
    await query(base, `drop database if exists "${name}" with (force)`);
    await query(base, `create database "${name}"`);
  });

  it('applies every migration and installs the job queue, so that nothing is pending after it', async () => {
    const snapshot = join(ROOT, 'src/database/migrations/.snapshot-atrium.json');
    const committed = readFileSync(snapshot, 'utf8');
    await cli('up');
    // Applying never rewrites the committed schema snapshot (only creating a migration does).
    expect(readFileSync(snapshot, 'utf8')).toBe(committed);

    const [queue] = await query<{ version: number }>(url.toString(), 'select version from pgboss.version');
    expect(queue.version).toBeGreaterThan(0);
    const queues = await query<{ name: string }>(url.toString(), 'select name from pgboss.queue order by name');
    expect(queues.map((row) => row.name)).toEqual(expect.arrayContaining(['organization-work', 'background-tasks']));
    await expect(cli('pending')).resolves.toBeDefined(); // exits 2 while a migration is pending
  });

  it('is a no-op the second time', async () => {
    const { stderr, stdout } = await cli('up');
    expect(`${stdout}${stderr}`).toContain('Nothing to apply');
  });
});
