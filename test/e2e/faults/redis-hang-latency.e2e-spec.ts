import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { call, instanceEnv } from '../caching/http-helpers';
import { PrivateRedis, eventually } from '../caching/private-redis';

/**
 * While Redis hangs, a request waits for at most one Redis command timeout
 * (REDIS_COMMAND_TIMEOUT_MS): the first command that times out suspends Redis use for the whole
 * instance, so the request's later steps (rate limit, cache lookup, cache fill) skip it. And once
 * the dependency monitor's background PING has gone unanswered for a command timeout, Redis stays
 * suspended for as long as the hang lasts: no request after the first 1.5 s of the freeze waits for
 * a timeout at all.
 */
const TIMEOUT_MS = 400;
/** One timeout plus the request's own work, with room for a busy test machine; two timeouts would exceed it. */
const BOUND_MS = TIMEOUT_MS + 350;
/** The PING runs every 500 ms and counts as hung after a timeout (400 ms); a busy machine gets the rest. */
const HANG_SEEN_WITHIN_MS = 1_500;
/** A request that skips Redis entirely; a timeout (400 ms) would exceed it. */
const NO_TIMEOUT_MS = TIMEOUT_MS - 100;

let redis: PrivateRedis;
let app: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app } = await createTestApp({ env: instanceEnv(redis.url(), { REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS) }) }));
});

afterAll(async () => {
  redis?.thaw();
  await app?.close();
  await redis?.dispose();
});

describe('Latency while Redis hangs (e2e)', () => {
  it('makes each request pay for at most one Redis timeout', async () => {
    const owner = await signup(app);
    const key = (await createApiKey(app, owner, ['contacts:read', 'contacts:write'])).secret;
    const contact = (await call(app, 'POST', '/v1/contacts', key, { firstName: 'Slow', lastName: 'Redis' })).json();
    expect((await call(app, 'GET', `/v1/contacts/${contact.id}`, key)).statusCode).toBe(200);

    redis.freeze();
    try {
      // Reads and a write, one after another, across more than one suspension window.
      const timings: { url: string; at: number; ms: number; status: number }[] = [];
      const frozenAt = performance.now();
      const deadline = Date.now() + 3 * Math.max(2_000, 2 * TIMEOUT_MS);
      for (let i = 0; Date.now() < deadline; i += 1) {
        for (const [method, url] of [
          ['GET', `/v1/contacts/${contact.id}`],
          ['GET', '/v1/contacts'],
          ['PATCH', `/v1/contacts/${contact.id}`],
        ] as const) {
          const started = performance.now();
          const response = await call(app, method, url, key, method === 'PATCH' ? { lastName: `Redis ${i}` } : undefined);
          timings.push({ url: `${method} ${url}`, at: started - frozenAt, ms: performance.now() - started, status: response.statusCode });
        }
      }
      for (const timing of timings) expect(timing.status).toBe(200);
      // The PATCH additionally waits out the invalidation backlog's lease (see invalidation-backlog.ts).
      for (const timing of timings.filter((t) => t.url.startsWith('GET'))) expect(timing.ms).toBeLessThan(BOUND_MS);
      for (const timing of timings.filter((t) => t.url.startsWith('PATCH'))) expect(timing.ms).toBeLessThan(BOUND_MS + 1_250);
      const later = timings.filter((t) => t.at > HANG_SEEN_WITHIN_MS);
      expect(later.length).toBeGreaterThan(6);
      expect(later.filter((t) => t.url.startsWith('GET') && t.ms >= NO_TIMEOUT_MS)).toEqual([]);
      expect(later.filter((t) => t.url.startsWith('PATCH') && t.ms >= 1_250 + NO_TIMEOUT_MS)).toEqual([]);
    } finally {
      redis.thaw();
    }
    expect(
      await eventually(
        async () => (await app.inject({ method: 'GET', url: '/health/ready' })).json().details.cache.state === 'connected',
        10_000,
      ),
    ).toBe(true);
  });
});
