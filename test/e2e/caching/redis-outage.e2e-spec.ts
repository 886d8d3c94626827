import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { Reply, cacheDelta, call, expectProblem, instanceEnv, metric, rateHeaders } from './http-helpers';
import { PrivateRedis, eventually } from './private-redis';

/**
 * Graceful degradation: a private Redis is stopped under a warmed-up app and started again on the
 * same port with the data it held (as after a network outage, or with persistence on). Meanwhile
 * API keys keep working for reads and writes, recently used sessions keep working from the near
 * cache, new sign-ins get 503 SESSIONS_UNAVAILABLE, readiness reports `degraded`, rate limits
 * count per instance, and afterwards caching resumes without hiding writes made during the outage.
 * `strict` is a second instance with CACHE_DEGRADED_FAILS_READINESS=true and a small rate limit.
 */
const STRICT_LIMIT = 3;
const COMPONENTS = ['response-cache', 'contact', 'cache-invalidation', 'rate-limits'] as const;

let redis: PrivateRedis;
let one: NestFastifyApplication;
let strict: NestFastifyApplication;
let owner: Signed;
let member: Signed;
let leaving: Signed;
let apiKey: string;
let strictKey: string;
let contactId: string;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app: one } = await createTestApp({ env: instanceEnv(redis.url()) }));
  ({ app: strict } = await createTestApp({
    env: instanceEnv(redis.url(), {
      CACHE_DEGRADED_FAILS_READINESS: 'true',
      RATE_LIMIT_FREE: String(STRICT_LIMIT),
      RATE_LIMIT_ORG_MULTIPLIER: '1000',
    }),
  }));

  owner = await signup(one);
  member = await addMember(one, owner, 'member');
  leaving = await addMember(one, owner, 'viewer');
  apiKey = (await createApiKey(one, owner, ['contacts:read', 'contacts:write'])).secret;
  strictKey = (await createApiKey(one, owner, ['contacts:read'])).secret;
  const created = await call(one, 'POST', '/v1/contacts', apiKey, { firstName: 'Before', lastName: 'Outage' });
  expect(created.statusCode).toBe(201);
  contactId = created.json().id;
  for (let n = 0; n < 2; n++) {
    expect((await call(one, 'GET', `/v1/contacts/${contactId}`, apiKey)).statusCode).toBe(200);
    expect((await call(one, 'GET', '/v1/contacts', apiKey)).statusCode).toBe(200);
    expect((await call(strict, 'GET', '/v1/contacts', strictKey)).statusCode).toBe(200);
  }
  for (const user of [owner, member]) expect((await call(one, 'GET', '/v1/contacts', user.token)).statusCode).toBe(200);
  expect(await redis.keys(`*q:${owner.orgId}:contact:*`)).toHaveLength(1);
});

afterAll(async () => {
  await one?.close();
  await strict?.close();
  await redis?.dispose();
});

async function readiness(app: NestFastifyApplication): Promise<{ status: number; cache: Record<string, unknown> }> {
  const response = await app.inject({ method: 'GET', url: '/health/ready' });
  return { status: response.statusCode, cache: response.json().details?.cache ?? {} };
}

const fallbacks = async (component: string) => metric(one, 'atrium_cache_fallback_total', { component });

describe('Redis outage and recovery (e2e)', () => {
  describe('while Redis is down', () => {
    const before: Record<string, number> = {};

    beforeAll(async () => {
      for (const component of COMPONENTS) before[component] = await fallbacks(component);
      await redis.stop({ keepData: true });
      expect(await eventually(async () => (await readiness(one)).cache.state === 'degraded', 5_000)).toBe(true);
    });

    it('serves reads and writes with an API key, never with a 5xx, and never a stale value', async () => {
      const replies: Reply[] = [];
      const send = async (...args: Parameters<typeof call>) => {
        const reply = await call(...args);
        replies.push(reply);
        return reply;
      };
      expect((await send(one, 'GET', '/v1/contacts', apiKey)).statusCode).toBe(200);
      expect((await send(one, 'GET', `/v1/contacts/${contactId}`, apiKey)).json().firstName).toBe('Before');
      expect((await send(one, 'PATCH', `/v1/contacts/${contactId}`, apiKey, { firstName: 'During' })).statusCode).toBe(200);
      expect((await send(one, 'GET', `/v1/contacts/${contactId}`, apiKey)).json()).toMatchObject({ firstName: 'During', version: 2 });
      expect((await send(one, 'POST', '/v1/contacts', apiKey, { firstName: 'Added', lastName: 'Meanwhile' })).statusCode).toBe(201);
      const list = await send(one, 'GET', '/v1/contacts', apiKey);
      expect((list.json().data as { firstName: string }[]).map((c) => c.firstName)).toEqual(['During', 'Added']);
      expect((await send(one, 'POST', '/v1/companies', apiKey, { name: 'Outage Co' })).statusCode).toBe(201);
      expect((await send(one, 'GET', '/v1/companies', apiKey)).json().data).toHaveLength(1);
      expect(replies.filter((r) => r.statusCode >= 500).map((r) => r.body)).toEqual([]);
    });

    it('keeps a session used within the last minute working (near cache, stale if error)', async () => {
      const response = await call(one, 'GET', '/v1/contacts', owner.token);
      expect(response.statusCode).toBe(200);
      expect(response.json().data).toHaveLength(2);
    });

    it('answers 503 SESSIONS_UNAVAILABLE to a new sign-in and to a session this instance has not seen', async () => {
      const login = await one.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: owner.email, password: owner.password } });
      expectProblem(login, 503, 'SESSIONS_UNAVAILABLE');
      expect(login.headers['retry-after']).toBe('5');
      expectProblem(await call(strict, 'GET', '/v1/contacts', owner.token), 503, 'SESSIONS_UNAVAILABLE');
    });

    it('answers 503 SESSIONS_UNAVAILABLE, not 500, where sessions must be read or ended in Redis', async () => {
      expectProblem(await call(one, 'GET', '/v1/auth/sessions', owner.token), 503, 'SESSIONS_UNAVAILABLE');
      expectProblem(await call(one, 'POST', '/v1/auth/logout', member.token), 503, 'SESSIONS_UNAVAILABLE');
    });

    it('does not change a password whose other sessions it cannot end', async () => {
      const db = new Client({ connectionString: process.env.DATABASE_URL });
      await db.connect();
      const hashOf = async () => (await db.query('select password_hash from users where id = $1', [member.userId])).rows[0].password_hash;
      try {
        const before = await hashOf();
        const changed = await call(one, 'POST', '/v1/me/password', member.token, {
          currentPassword: member.password,
          newPassword: 'a brand new passphrase for 2 sessions',
        });
        expect({ status: changed.statusCode, code: changed.json().code, passwordChanged: (await hashOf()) !== before }).toEqual({
          status: 503,
          code: 'SESSIONS_UNAVAILABLE',
          passwordChanged: false,
        });
      } finally {
        await db.end();
      }
    });

    it('removes a member either completely (204) or not at all (503), never with a 500', async () => {
      const removal = await call(one, 'DELETE', `/v1/members/${leaving.userId}`, owner.token);
      const members = await call(one, 'GET', '/v1/members', owner.token);
      expect(members.statusCode).toBe(200);
      const stillMember = (members.json().data as { userId: string }[]).some((m) => m.userId === leaving.userId);
      const outcome = { status: removal.statusCode, code: removal.body ? removal.json().code : undefined, stillMember };
      expect([
        { status: 204, code: undefined, stillMember: false },
        { status: 503, code: 'SESSIONS_UNAVAILABLE', stillMember: true },
      ]).toContainEqual(outcome);
    });

    it('stays ready with the cache degraded, or fails readiness where so configured', async () => {
      expect(await readiness(one)).toEqual({
        status: 200,
        cache: expect.objectContaining({ status: 'up', store: 'redis', state: 'degraded' }),
      });
      expect(await readiness(strict)).toEqual({
        status: 503,
        cache: expect.objectContaining({ status: 'down', store: 'redis', state: 'degraded' }),
      });
    });

    it('counts every fallback in atrium_cache_fallback_total', async () => {
      for (const component of COMPONENTS)
        expect({ component, grew: (await fallbacks(component)) > before[component] }).toEqual({ component, grew: true });
    });

    it('still applies rate limits, counted per instance', async () => {
      // strictKey used 2 of its 3 in Redis before; this instance now counts on its own, from zero.
      const replies: Reply[] = [];
      for (let n = 0; n <= STRICT_LIMIT; n++) replies.push(await call(strict, 'GET', '/v1/contacts', strictKey));
      expect(replies.map((r) => [r.statusCode, rateHeaders(r).remaining])).toEqual([
        [200, 2],
        [200, 1],
        [200, 0],
        [429, 0],
      ]);
      expectProblem(replies[STRICT_LIMIT], 429, 'RATE_LIMITED');
      expect(Number(replies[STRICT_LIMIT].headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('after Redis returns on the same port', () => {
    let recoveredWithinMs = Infinity;

    beforeAll(async () => {
      const started = Date.now();
      await redis.resume();
      await eventually(async () => (await readiness(one)).cache.state === 'connected' && (await readiness(strict)).status === 200, 10_000);
      recoveredWithinMs = Date.now() - started;
    });

    it('reports the cache connected again within a few seconds', async () => {
      expect(recoveredWithinMs).toBeLessThan(5_000);
      expect(await readiness(one)).toEqual({ status: 200, cache: expect.objectContaining({ status: 'up', state: 'connected' }) });
      expect(await readiness(strict)).toEqual({ status: 200, cache: expect.objectContaining({ status: 'up', state: 'connected' }) });
    });

    it('never hides a write made during the outage behind an entry cached before it', async () => {
      // The entries cached before the outage came back with Redis...
      expect(await redis.keys(`*q:${owner.orgId}:contact:*`)).toHaveLength(1);
      // ...yet reads return what was written meanwhile.
      expect((await call(one, 'GET', `/v1/contacts/${contactId}`, apiKey)).json()).toMatchObject({ firstName: 'During', version: 2 });
      const list = await call(one, 'GET', '/v1/contacts', apiKey);
      expect((list.json().data as { firstName: string }[]).map((c) => c.firstName)).toEqual(['During', 'Added']);
    });

    it('caches again: a repeated GET is a hit', async () => {
      // A miss answers before its fill is written: wait for each fill to land in Redis before reading again.
      const responseEntries = async () => (await redis.keys(`*r:${owner.orgId}:*`)).length;
      const before = await responseEntries();
      expect((await call(one, 'GET', '/v1/companies', apiKey)).statusCode).toBe(200);
      expect(await eventually(async () => (await responseEntries()) > before, 10_000)).toBe(true);
      // The contact read after the outage's write (above) cached its new version beside the old entry.
      expect(await eventually(async () => (await redis.keys(`*q:${owner.orgId}:contact:*`)).length === 2, 10_000)).toBe(true);
      const again = await cacheDelta(one, 'response', async () =>
        expect((await call(one, 'GET', '/v1/companies', apiKey)).statusCode).toBe(200),
      );
      expect(again).toEqual({ hit: 1, miss: 0 });
      const contact = await cacheDelta(one, 'contact', async () =>
        expect((await call(one, 'GET', `/v1/contacts/${contactId}`, apiKey)).statusCode).toBe(200),
      );
      expect(contact).toEqual({ hit: 1, miss: 0 });
    });

    it('signs in again', async () => {
      const login = await one.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: owner.email, password: owner.password } });
      expect(login.statusCode).toBe(200);
      const afterLogin = await call(strict, 'GET', '/v1/contacts', login.json().token);
      expect(afterLogin.statusCode).toBe(200);
    });
  });
});
