import { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createScratchDatabase } from '../../support/scratch-database';
import { createTestApp } from '../../support/test-app';
import { instanceEnv } from '../caching/http-helpers';
import { PrivateRedis } from '../caching/private-redis';

/**
 * Two app instances on one private Redis and a scratch database of their own, and a direct
 * PostgreSQL connection to inspect the invalidation backlog. The backlog belongs to one database and
 * the Redis its instances share: in the shared test database, the apps of test files running in
 * other Jest workers (on another Redis) would apply and clear these instances' pending invalidations.
 */
export interface TwoInstances {
  readonly redis: PrivateRedis;
  readonly a: NestFastifyApplication;
  readonly b: NestFastifyApplication;
  readonly db: pg.Client;
}

export async function startTwoInstances(label: string): Promise<TwoInstances> {
  const databaseUrl = await createScratchDatabase(label);
  const redis = await PrivateRedis.start();
  const env = instanceEnv(redis.url(), { DATABASE_URL: databaseUrl });
  const { app: a } = await createTestApp({ env });
  const { app: b } = await createTestApp({ env });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  return { redis, a, b, db };
}

export async function stopTwoInstances(setup: TwoInstances | undefined): Promise<void> {
  setup?.redis.thaw();
  await setup?.a.close();
  await setup?.b.close();
  await setup?.db.end();
  await setup?.redis.dispose();
}
