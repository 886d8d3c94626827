import { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApiKey, signup } from '../../support/factories';
import { call } from '../caching/http-helpers';
import { PrivateRedis, eventually } from '../caching/private-redis';
import { TwoInstances, startTwoInstances, stopTwoInstances } from './two-instances';

/**
 * A long Redis outage across many orgs leaves more pending invalidations than one bounded read
 * would return. Every instance must still refuse cached reads of every org among them until its
 * invalidation is applied: here 2,500 other orgs' records come before the one of a PATCH made
 * while Redis was frozen, and instance B, which cached the contact before, must never serve it.
 */
const OTHER_ORGS = 2_500;

let setup: TwoInstances;
let redis: PrivateRedis;
let a: NestFastifyApplication;
let b: NestFastifyApplication;
let db: pg.Client;

beforeAll(async () => {
  setup = await startTwoInstances('stale_read_backlog');
  ({ redis, a, b, db } = setup);
});

afterAll(() => stopTwoInstances(setup));

async function pending(): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from cache_invalidation_backlog');
  return rows[0].n;
}

describe('No stale read with more than 1,000 pending invalidations (e2e)', () => {
  it('B refuses the cached contact of every pending org until its invalidation is applied', async () => {
    const owner = await signup(a);
    const key = (await createApiKey(a, owner, ['contacts:read', 'contacts:write'])).secret;
    const contact = (await call(a, 'POST', '/v1/contacts', key, { firstName: 'Before', lastName: 'Backlog' })).json();
    for (let i = 0; i < 2; i += 1) expect((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName).toBe('Before');
    expect((await redis.keys(`*q:${owner.orgId}:contact:*`)).length).toBeGreaterThan(0);

    redis.freeze();
    try {
      await db.query(
        `insert into cache_invalidation_backlog (cache_scope, resources)
         select gen_random_uuid()::text, array['contact'] from generate_series(1, $1::int)`,
        [OTHER_ORGS],
      );
      // Two writes while frozen: the second merges into the org's one row instead of adding another.
      for (const firstName of ['Middle', 'After']) {
        expect((await call(a, 'PATCH', `/v1/contacts/${contact.id}`, key, { firstName })).statusCode).toBe(200);
      }
      const { rows } = await db.query<{ resources: string[] }>('select resources from cache_invalidation_backlog where cache_scope = $1', [
        owner.orgId,
      ]);
      expect(rows).toHaveLength(1);
      expect(await pending()).toBe(OTHER_ORGS + 1);
    } finally {
      redis.thaw();
    }

    // From the thaw, B reads in a loop until the whole backlog is applied, then a few more times.
    const seen: string[] = [];
    const drained = await eventually(async () => {
      seen.push((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName);
      return (await pending()) === 0;
    }, 60_000);
    expect(drained).toBe(true);
    for (let i = 0; i < 3; i += 1) seen.push((await call(b, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName);
    expect(new Set(seen)).toEqual(new Set(['After']));
  });
});
