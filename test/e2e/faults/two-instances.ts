import { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createTestApp } from '../../support/test-app';
import { instanceEnv } from '../caching/http-helpers';
import { PrivateRedis } from '../caching/private-redis';

/** Two app instances on one private Redis, and a direct PostgreSQL connection to inspect the backlog. */
export interface TwoInstances {
  readonly redis: PrivateRedis;
  readonly a: NestFastifyApplication;
  readonly b: NestFastifyApplication;
  readonly db: pg.Client;
}

export async function startTwoInstances(): Promise<TwoInstances> {
  const redis = await PrivateRedis.start();
  const { app: a } = await createTestApp({ env: instanceEnv(redis.url()) });
  const { app: b } = await createTestApp({ env: instanceEnv(redis.url()) });
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
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
