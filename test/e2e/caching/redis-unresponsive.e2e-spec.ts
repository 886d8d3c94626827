import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { Reply, call, instanceEnv } from './http-helpers';
import { PrivateRedis, eventually } from './private-redis';

/**
 * A Redis that stops answering without closing its connections (overloaded, or a network black
 * hole) must degrade like one that is gone: API-key requests still answer, within seconds.
 */
let redis: PrivateRedis;
let app: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app } = await createTestApp({ env: instanceEnv(redis.url()) }));
});

afterAll(async () => {
  redis?.thaw();
  await app?.close();
  await redis?.dispose();
});

/** The reply, or 'no answer' when none came within `ms`. */
async function within(ms: number, request: Promise<Reply>): Promise<Reply | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), ms)));
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Unresponsive Redis (e2e)', () => {
  it('still answers API-key reads and readiness within a few seconds', async () => {
    const owner = await signup(app);
    const key = (await createApiKey(app, owner, ['contacts:read'])).secret;
    expect((await call(app, 'GET', '/v1/contacts', key)).statusCode).toBe(200);

    redis.freeze();
    const pending: Promise<Reply>[] = [];
    try {
      // Readiness answers from the background checks at once; they notice the hang within moments.
      const degraded = await eventually(async () => {
        const readiness = await within(1_000, app.inject({ method: 'GET', url: '/health/ready' }));
        return readiness !== 'no answer' && readiness.json().details.cache.state === 'degraded';
      }, 5_000);
      expect(degraded).toBe(true);

      const read = call(app, 'GET', '/v1/contacts', key);
      pending.push(read);
      const answer = await within(5_000, read);
      expect(answer === 'no answer' ? answer : answer.statusCode).toBe(200);
    } finally {
      redis.thaw();
      await Promise.allSettled(pending);
    }
  });
});
