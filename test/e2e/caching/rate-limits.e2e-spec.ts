import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { Reply, call, expectProblem, instanceEnv, rateHeaders } from './http-helpers';
import { PrivateRedis, sleep } from './private-redis';

/**
 * API rate limits counted in one Redis by two app instances: per principal by the org's plan,
 * per org (the plan's limit × RATE_LIMIT_ORG_MULTIPLIER), RateLimit-* headers on every limited
 * response, 429 problem+json with Retry-After, and public probes never limited.
 */
const FREE = 5;
const PRO = 8;
const MULTIPLIER = 2;

let redis: PrivateRedis;
let one: NestFastifyApplication;
let two: NestFastifyApplication;
let db: Client;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const env = instanceEnv(redis.url(), {
    RATE_LIMIT_WINDOW_SECONDS: '60',
    RATE_LIMIT_FREE: String(FREE),
    RATE_LIMIT_PRO: String(PRO),
    RATE_LIMIT_ORG_MULTIPLIER: String(MULTIPLIER),
  });
  ({ app: one } = await createTestApp({ env }));
  ({ app: two } = await createTestApp({ env }));
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await one?.close();
  await two?.close();
  await redis?.dispose();
});

/** The n-th request of a sequence goes to instance 1 when n is even, else to instance 2. */
const instance = (n: number) => (n % 2 === 0 ? one : two);

function expectLimited(response: Reply, limit: number): void {
  expectProblem(response, 429, 'RATE_LIMITED');
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  expect(rateHeaders(response)).toEqual({ limit, remaining: 0, reset: retryAfter });
}

describe('API rate limits across two instances on one Redis (e2e)', () => {
  it('counts one API key across both instances and refuses the request after the limit with 429', async () => {
    const owner = await signup(one);
    const key = await createApiKey(one, owner, ['contacts:read']);
    const seen: { status: number; limit: number; remaining: number; reset: number }[] = [];
    for (let n = 0; n < FREE; n++) {
      const response = await call(instance(n), 'GET', '/v1/contacts', key.secret);
      seen.push({ status: response.statusCode, ...rateHeaders(response) });
    }
    expect(seen.map(({ status, limit, remaining }) => ({ status, limit, remaining }))).toEqual(
      [4, 3, 2, 1, 0].map((remaining) => ({ status: 200, limit: FREE, remaining })),
    );
    for (const { reset } of seen) expect(reset >= 1 && reset <= 60).toBe(true);

    expectLimited(await call(instance(FREE), 'GET', '/v1/contacts', key.secret), FREE);
    expectLimited(await call(instance(FREE + 1), 'GET', '/v1/contacts', key.secret), FREE);
  });

  it('counts every route against the one limit of a principal, not each route separately', async () => {
    const owner = await signup(one);
    const key = await createApiKey(one, owner, ['contacts:read']);
    const urls = ['/v1/contacts', '/v1/companies', `/v1/contacts/${randomUUID()}`, '/v1/companies', '/v1/contacts'];
    const remaining: number[] = [];
    for (const [n, url] of urls.entries()) remaining.push(rateHeaders(await call(instance(n), 'GET', url, key.secret)).remaining);
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expectLimited(await call(one, 'GET', '/v1/companies', key.secret), FREE);
  });

  it('never limits /health/live or /metrics, even for a caller whose key is limited', async () => {
    const owner = await signup(one);
    const key = await createApiKey(one, owner, ['contacts:read']);
    for (let n = 0; n <= FREE; n++) await call(instance(n), 'GET', '/v1/contacts', key.secret);
    expectLimited(await call(one, 'GET', '/v1/contacts', key.secret), FREE);

    for (let n = 0; n < 3 * FREE * MULTIPLIER; n++) {
      for (const url of ['/health/live', '/metrics']) {
        const anonymous = await instance(n).inject({ method: 'GET', url });
        const withKey = await call(instance(n), 'GET', url, key.secret);
        for (const response of [anonymous, withKey]) {
          expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
          expect(response.headers['ratelimit-limit']).toBeUndefined();
        }
      }
    }
  });

  it('lets another API key of the org pass while one is limited, until the org limit is reached', async () => {
    const owner = await signup(one);
    const [a, b, c] = [
      await createApiKey(one, owner, ['contacts:read']),
      await createApiKey(one, owner, ['contacts:read']),
      await createApiKey(one, owner, ['contacts:read']),
    ];
    const orgLimit = FREE * MULTIPLIER;
    for (let n = 0; n < FREE; n++) expect((await call(instance(n), 'GET', '/v1/contacts', a.secret)).statusCode).toBe(200);
    expectLimited(await call(one, 'GET', '/v1/contacts', a.secret), FREE);

    // B is another principal: it passes although A is limited...
    expect((await call(two, 'GET', '/v1/contacts', b.secret)).statusCode).toBe(200);
    // ...until the org's 10 are used up (how many of them the owner's key creations took depends on
    // route scoping, tested above), and then B or C is refused by the org limit, under their own.
    const sent = new Map([
      [b.secret, 1],
      [c.secret, 0],
    ]);
    let refused: { reply: Reply; ownCount: number } | undefined;
    for (const key of [b, b, b, b, c]) {
      const reply = await call(instance(sent.get(key.secret) ?? 0), 'GET', '/v1/contacts', key.secret);
      sent.set(key.secret, (sent.get(key.secret) ?? 0) + 1);
      if (reply.statusCode !== 200) {
        refused = { reply, ownCount: sent.get(key.secret) ?? 0 };
        break;
      }
    }
    expect(refused).toBeDefined();
    expectLimited(refused!.reply, orgLimit);
    expect(refused!.ownCount).toBeLessThanOrEqual(FREE);
    // The whole org is refused now, its owner's session included.
    expectLimited(await call(one, 'GET', '/v1/contacts', c.secret), orgLimit);
    expectLimited(await call(two, 'GET', '/v1/contacts', owner.token), orgLimit);
  });

  it("applies the org's plan: an org moved to pro gets the pro limit within a couple of seconds", async () => {
    const owner = await signup(one);
    const key = await createApiKey(one, owner, ['contacts:read']);
    expect(rateHeaders(await call(one, 'GET', '/v1/contacts', key.secret))).toMatchObject({ limit: FREE, remaining: FREE - 1 });

    await db.query(`update organizations set plan = 'pro' where id = $1`, [owner.orgId]);
    await sleep(1_200); // credentials (with the plan) are near-cached for one second per instance

    const statuses: number[] = [];
    for (let n = 1; n < PRO; n++) {
      const response = await call(instance(n), 'GET', '/v1/contacts', key.secret);
      statuses.push(response.statusCode);
      expect(rateHeaders(response)).toMatchObject({ limit: PRO, remaining: PRO - n - 1 });
    }
    expect(statuses).toEqual(Array(PRO - 1).fill(200));
    expectLimited(await call(one, 'GET', '/v1/contacts', key.secret), PRO);
  });
});
