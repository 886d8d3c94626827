import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CacheAvailability, REDIS_CLIENT, RedisClient } from '../../../src/caching';
import { RedisTimeoutError, withinRedisTimeout } from '../../../src/caching/redis/timeout';
import { signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { call, instanceEnv } from './http-helpers';
import { PrivateRedis, eventually } from './private-redis';

/**
 * A stall of this process (a long GC pause, CPU-bound work on a busy machine) is not a Redis
 * fault: Redis answered, and its reply waited in the socket while the event loop was blocked.
 * Neither a request's command timeout nor the background PING may count that against Redis, or
 * session checks answer 503 on a healthy Redis (the hostile-input fuzz found three on a busy CI
 * machine). A Redis that really stops answering (SIGSTOP) is still caught within the timeout.
 */
const TIMEOUT_MS = 100;
const STALL_MS = 4 * TIMEOUT_MS;

/** Blocks the event loop, as a long GC pause or a CPU-bound request would. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

function afterTurns(turns: number, then: () => void): void {
  if (turns === 0) then();
  else setImmediate(() => afterTurns(turns - 1, then));
}

let redis: PrivateRedis;
let app: NestFastifyApplication;
let client: RedisClient;
let availability: CacheAvailability;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app } = await createTestApp({ env: instanceEnv(redis.url(), { REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS) }) }));
  client = app.get<RedisClient>(REDIS_CLIENT);
  availability = app.get(CacheAvailability);
});

afterAll(async () => {
  redis?.thaw();
  await app?.close();
  await redis?.dispose();
});

describe('A stalled event loop is not a Redis fault (e2e)', () => {
  it('takes the reply of a command that Redis answered while the process was stalled', async () => {
    for (let i = 0; i < 4; i += 1) {
      const reply = withinRedisTimeout(client.ping(), TIMEOUT_MS);
      stall(STALL_MS);
      await expect(reply).resolves.toBe('PONG');
    }
  });

  it('still times out a command that a frozen Redis never answers', async () => {
    redis.freeze();
    try {
      const started = performance.now();
      await expect(withinRedisTimeout(client.ping(), TIMEOUT_MS)).rejects.toBeInstanceOf(RedisTimeoutError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    } finally {
      redis.thaw();
    }
    expect(await eventually(async () => !availability.suspended)).toBe(true);
  });

  it('does not count a background PING answered during a stall as a hang', async () => {
    for (let i = 0; i < 3; i += 1) {
      availability.pingSent();
      const ping = client.ping().finally(() => availability.pingAnswered());
      // Due just after the PING's deadline, so it runs in the timers phase after the stall, right
      // after the deadline's own timer and before the poll phase reads the PING's reply.
      const seenAfterStall = new Promise<boolean>((resolve) => setTimeout(() => resolve(availability.suspended), TIMEOUT_MS + 1));
      stall(STALL_MS);
      expect(await seenAfterStall).toBe(false);
      await ping;
    }
  });

  it('counts a background PING that a frozen Redis leaves unanswered as a hang', async () => {
    expect(availability.suspended).toBe(false);
    redis.freeze();
    try {
      // The dependency monitor sends its PING every 500 ms; once one waits a command timeout, Redis counts as suspended.
      expect(await eventually(async () => availability.suspended)).toBe(true);
    } finally {
      redis.thaw();
    }
    expect(await eventually(async () => !availability.suspended)).toBe(true);
  });

  it('answers session checks made around stalls from Redis, never with a 503', async () => {
    const owner = await signup(app);
    const statuses: number[] = [];
    for (let turns = 0; turns < 12; turns += 1) {
      // A known session (near-cached for a second after its first use) and an unknown token (a Redis lookup every time).
      const token = turns % 2 === 0 ? owner.token : `unknown-${turns}-${'x'.repeat(32)}`;
      const request = call(app, 'GET', '/v1/me', token);
      // Stall after a growing number of event-loop turns, so that some stalls hit the session's Redis command in flight.
      afterTurns(turns, () => stall(STALL_MS));
      statuses.push((await request).statusCode);
    }
    expect(statuses).toEqual(statuses.map((_, turns) => (turns % 2 === 0 ? 200 : 401)));
  });
});
