import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import type { ResolvedConfig } from '../../src/config';
import { useScratchDatabase } from './scratch-database';
import { TestAppOptions, createTestApp } from './test-app';

/**
 * The set-up most e2e files repeat, as Jest hooks: the real app, and beside it a connection as the
 * migrations' owner. Call these at the top of the file and read the handle inside tests: its
 * fields exist once the hooks have run.
 */

export interface SuiteOptions extends TestAppOptions {
  /** Gives the file a scratch database of its own (see useScratchDatabase), made before the app connects. */
  readonly scratchDatabase?: string;
}

export interface TestSuite {
  readonly app: NestFastifyApplication;
  readonly config: ResolvedConfig;
}

export interface TestSuiteWithDb extends TestSuite {
  /** The migrations' owner (a superuser): seeds states the API cannot reach on demand, and reads past RLS. */
  readonly db: Client;
}

/** A connection as the migrations' owner to the file's database; the caller ends it. */
export async function ownerConnection(): Promise<Client> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  return client;
}

/** The real app for the tests of this file (or describe block): made before them, closed after them. */
export function useTestApp(options: SuiteOptions = {}): TestSuite {
  const { scratchDatabase, ...appOptions } = options;
  if (scratchDatabase) useScratchDatabase(scratchDatabase);
  const started: { app?: NestFastifyApplication; config?: ResolvedConfig } = {};
  beforeAll(async () => {
    Object.assign(started, await createTestApp(appOptions));
  });
  afterAll(async () => {
    await started.app?.close();
  });
  return {
    get app() {
      return ready(started.app, 'app');
    },
    get config() {
      return ready(started.config, 'config');
    },
  };
}

/** `useTestApp` and an owner connection beside it, ended after the tests. */
export function useTestAppWithOwnerDb(options: SuiteOptions = {}): TestSuiteWithDb {
  const suite = useTestApp(options);
  let db: Client | undefined;
  beforeAll(async () => {
    db = await ownerConnection();
  });
  afterAll(async () => {
    await db?.end();
  });
  return {
    get app() {
      return suite.app;
    },
    get config() {
      return suite.config;
    },
    get db() {
      return ready(db, 'db');
    },
  };
}

function ready<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`the suite's ${name} is made in beforeAll: read it inside a hook or a test`);
  return value;
}
