import { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApiKey, signup } from '../../support/factories';
import { call } from '../caching/http-helpers';
import { PrivateRedis, eventually } from '../caching/private-redis';
import { TwoInstances, startTwoInstances, stopTwoInstances } from './two-instances';

/**
 * Two instances on one Redis that freezes (SIGSTOP) while instance A writes: A's version bump
 * cannot be written, so it goes to the invalidation backlog in PostgreSQL before A answers, and
 * instance B, which cached the contact before the freeze, must never serve that old value again,
 * neither while Redis is frozen nor after it thaws, for a single read or a list.
 */
let setup: TwoInstances;
let redis: PrivateRedis;
let a: NestFastifyApplication;
let b: NestFastifyApplication;
let db: pg.Client;

beforeAll(async () => {
  setup = await startTwoInstances('stale_read_freeze');
  ({ redis, a, b, db } = setup);
});

afterAll(() => stopTwoInstances(setup));

async function backlogOf(orgId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from cache_invalidation_backlog where cache_scope = $1', [
    orgId,
  ]);
  return rows[0].n;
}

describe('No stale read across instances after a Redis freeze (e2e)', () => {
  it('B never serves the contact as it was before a PATCH made on A while Redis was frozen', async () => {
    const owner = await signup(a);
    const key = (await createApiKey(a, owner, ['contacts:read', 'contacts:write'])).secret;
    const contact = (await call(a, 'POST', '/v1/contacts', key, { firstName: 'Before', lastName: 'Freeze' })).json();
    const hits = async () => (await redis.keys(`*q:${owner.orgId}:contact:*`)).length;
    for (let i = 0; i < 2; i += 1) {
      expect((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName).toBe('Before');
      expect((await call(b, 'GET', '/v1/contacts', key)).json().data[0].firstName).toBe('Before');
    }
    expect(await hits()).toBeGreaterThan(0); // B has the old value cached in Redis

    redis.freeze();
    try {
      const patched = await call(a, 'PATCH', `/v1/contacts/${contact.id}`, key, { firstName: 'After' });
      expect(patched.statusCode).toBe(200);
      expect(await backlogOf(owner.orgId)).toBe(1);
      // B makes no request during the freeze: it never sees the outage itself.
    } finally {
      redis.thaw();
    }

    // From the thaw until the backlog has been applied and B caches again: every read is the new value.
    const seen: string[] = [];
    const settled = await eventually(async () => {
      seen.push((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName);
      seen.push((await call(b, 'GET', '/v1/contacts', key)).json().data[0].firstName);
      return (await backlogOf(owner.orgId)) === 0;
    }, 10_000);
    expect(settled).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      seen.push((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName);
      seen.push((await call(b, 'GET', '/v1/contacts', key)).json().data[0].firstName);
    }
    expect(new Set(seen)).toEqual(new Set(['After']));
    // And the cache is in use again on B (a hit after the reads above).
    const before = await hits();
    expect(before).toBeGreaterThan(0);
  });
});
