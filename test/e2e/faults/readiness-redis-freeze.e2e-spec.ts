import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp } from '../../support/test-app';
import { instanceEnv } from '../caching/http-helpers';
import { PrivateRedis, eventually } from '../caching/private-redis';

/**
 * Readiness answers from what the instance already knows: a frozen Redis (SIGSTOP: connections
 * open, nothing answers) must not make the probe wait, or a balancer whose check times out after
 * 1 s takes every instance out of rotation at once. With CACHE_DEGRADED_FAILS_READINESS=false
 * (the default) the instance stays ready and reports the cache as degraded.
 */
const READINESS_BOUND_MS = 250;

let redis: PrivateRedis;
let app: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app } = await createTestApp({ env: instanceEnv(redis.url(), { CACHE_DEGRADED_FAILS_READINESS: 'false' }) }));
});

afterAll(async () => {
  redis?.thaw();
  await app?.close();
  await redis?.dispose();
});

async function timedReadiness(): Promise<{ ms: number; status: number; cache: { state?: string; message?: string } }> {
  const started = performance.now();
  const response = await app.inject({ method: 'GET', url: '/health/ready' });
  return { ms: performance.now() - started, status: response.statusCode, cache: response.json().details.cache };
}

describe('Readiness while Redis is frozen (e2e)', () => {
  it(`answers within ${READINESS_BOUND_MS} ms with 200, reports the hang, and recovers after SIGCONT`, async () => {
    expect(await eventually(async () => (await timedReadiness()).cache.state === 'connected')).toBe(true);

    redis.freeze();
    try {
      // Every probe during the freeze is timed, from the first one after SIGSTOP until the hang shows.
      const samples: Awaited<ReturnType<typeof timedReadiness>>[] = [];
      const sawHang = await eventually(async () => {
        const sample = await timedReadiness();
        samples.push(sample);
        return sample.cache.state === 'degraded';
      }, 5_000);
      expect(sawHang).toBe(true);
      for (const sample of samples) {
        expect(sample.ms).toBeLessThan(READINESS_BOUND_MS);
        expect(sample.status).toBe(200);
      }
      expect(samples.at(-1)?.cache).toMatchObject({
        state: 'degraded',
        message: expect.stringMatching(/redis: (no answer|commands timing out)/),
      });

      // Still degraded, still ready, still fast, for as long as the freeze lasts.
      for (let i = 0; i < 5; i += 1) {
        const sample = await timedReadiness();
        expect(sample).toMatchObject({ status: 200, cache: { state: 'degraded' } });
        expect(sample.ms).toBeLessThan(READINESS_BOUND_MS);
      }
    } finally {
      redis.thaw();
    }

    expect(await eventually(async () => (await timedReadiness()).cache.state === 'connected', 10_000)).toBe(true);
  });

  it('fails readiness during the freeze when CACHE_DEGRADED_FAILS_READINESS=true, still within the bound', async () => {
    const { app: strict } = await createTestApp({ env: instanceEnv(redis.url(), { CACHE_DEGRADED_FAILS_READINESS: 'true' }) });
    try {
      redis.freeze();
      const failed = await eventually(async () => {
        const started = performance.now();
        const response = await strict.inject({ method: 'GET', url: '/health/ready' });
        expect(performance.now() - started).toBeLessThan(READINESS_BOUND_MS);
        return response.statusCode === 503;
      }, 5_000);
      expect(failed).toBe(true);
    } finally {
      redis.thaw();
      await strict.close();
    }
  });
});
