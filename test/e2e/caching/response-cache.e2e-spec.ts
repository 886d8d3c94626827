import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { addMember, createApiKey, signup } from '../../support/factories';
import { createContact } from '../../support/client';
import { createTestApp } from '../../support/test-app';
import { Reply, cacheDelta, call, instanceEnv } from './http-helpers';
import { PrivateRedis } from './private-redis';

/**
 * The response cache and the query cache against a real Redis shared by two app instances:
 * tenant isolation of cached entries, read-your-writes on one instance and across instances,
 * ETags of cached responses, and separate entries per permission set.
 */
let redis: PrivateRedis;
let one: NestFastifyApplication;
let two: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const env = instanceEnv(redis.url());
  ({ app: one } = await createTestApp({ env }));
  ({ app: two } = await createTestApp({ env }));
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await redis?.dispose();
});

function ok(response: Reply, status = 200): Reply {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return response;
}

const names = (response: Reply): string[] => (response.json().data as { firstName: string }[]).map((c) => c.firstName);

describe('Response and query cache on a shared Redis (e2e)', () => {
  it('never serves one org the rows cached for another at the same URL', async () => {
    const orgA = await signup(one);
    const orgB = await signup(one);
    const domain = `shared-${randomUUID().slice(0, 8)}.example`;
    const companyA = ok(await call(one, 'POST', '/v1/companies', orgA.token, { name: 'A Corp', domain }), 201).json();
    const companyB = ok(await call(one, 'POST', '/v1/companies', orgB.token, { name: 'B Corp', domain }), 201).json();
    await createContact(one, orgA, { firstName: 'OnlyInA', lastName: 'Cached' });
    const companiesUrl = `/v1/companies?domain=${domain}`;

    // A's responses are cached: A's second identical call is a hit, on either instance.
    ok(await call(one, 'GET', companiesUrl, orgA.token));
    ok(await call(one, 'GET', '/v1/contacts', orgA.token));
    let again: Reply[] = [];
    const hitsForA = await cacheDelta(one, 'response', async () => {
      again = [await call(two, 'GET', companiesUrl, orgA.token), await call(two, 'GET', '/v1/contacts', orgA.token)];
    });
    expect(hitsForA).toEqual({ hit: 2, miss: 0 });
    expect(again[0].json().data.map((c: { id: string }) => c.id)).toEqual([companyA.id]);
    expect(names(again[1])).toEqual(['OnlyInA']);
    expect(await redis.keys(`*r:${orgA.orgId}:*`)).toHaveLength(2);

    // B asks for the very same URLs: a miss each, and only B's rows.
    let forB: Reply[] = [];
    const lookupsForB = await cacheDelta(one, 'response', async () => {
      forB = [await call(one, 'GET', companiesUrl, orgB.token), await call(two, 'GET', '/v1/contacts', orgB.token)];
    });
    expect(lookupsForB).toEqual({ hit: 0, miss: 2 });
    expect(
      ok(forB[0])
        .json()
        .data.map((c: { id: string }) => c.id),
    ).toEqual([companyB.id]);
    expect(ok(forB[1]).json().data).toEqual([]);

    // Nor can B read A's contact through the query cache, even right after A cached it.
    const contactA = (again[1].json().data as { id: string }[])[0];
    ok(await call(one, 'GET', `/v1/contacts/${contactA.id}`, orgA.token));
    const crossTenant = await call(two, 'GET', `/v1/contacts/${contactA.id}`, orgB.token);
    expect(crossTenant.statusCode).toBe(404);
    expect(crossTenant.json().code).toBe('CONTACT_NOT_FOUND');
  });

  it('returns the new value to a GET right after a PATCH on the same instance', async () => {
    const owner = await signup(one);
    const contact = await createContact(one, owner, { firstName: 'Before', lastName: 'Cached' });
    ok(await call(one, 'GET', `/v1/contacts/${contact.id}`, owner.token));
    ok(await call(one, 'GET', '/v1/contacts', owner.token));
    const warm = await cacheDelta(one, 'contact', async () => ok(await call(one, 'GET', `/v1/contacts/${contact.id}`, owner.token)));
    expect(warm).toEqual({ hit: 1, miss: 0 });

    ok(await call(one, 'PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'After' }));
    const read = ok(await call(one, 'GET', `/v1/contacts/${contact.id}`, owner.token));
    expect(read.json()).toMatchObject({ firstName: 'After', version: 2 });
    expect(names(ok(await call(one, 'GET', '/v1/contacts', owner.token)))).toEqual(['After']);
  });

  it('returns the new value on instance 2 right after a PATCH on instance 1, though instance 2 had it cached', async () => {
    const owner = await signup(one);
    const contact = await createContact(one, owner, { firstName: 'Before', lastName: 'Cached' });
    ok(await call(two, 'GET', `/v1/contacts/${contact.id}`, owner.token));
    ok(await call(two, 'GET', '/v1/contacts', owner.token));
    const cachedOnTwo = await cacheDelta(one, 'response', async () => ok(await call(two, 'GET', '/v1/contacts', owner.token)));
    expect(cachedOnTwo).toEqual({ hit: 1, miss: 0 });

    ok(await call(one, 'PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'After' }));
    expect(ok(await call(two, 'GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toMatchObject({ firstName: 'After', version: 2 });
    expect(names(ok(await call(two, 'GET', '/v1/contacts', owner.token)))).toEqual(['After']);
  });

  it('lists a created row at once, on the same instance and on the other one', async () => {
    const owner = await signup(one);
    await createContact(one, owner, { firstName: 'First', lastName: 'Cached' });
    ok(await call(one, 'GET', '/v1/contacts', owner.token));
    ok(await call(two, 'GET', '/v1/contacts', owner.token));
    ok(await call(two, 'GET', '/v1/companies', owner.token));
    const cached = await cacheDelta(one, 'response', async () => {
      ok(await call(one, 'GET', '/v1/contacts', owner.token));
      ok(await call(two, 'GET', '/v1/companies', owner.token));
    });
    expect(cached).toEqual({ hit: 2, miss: 0 });

    await createContact(one, owner, { firstName: 'Second', lastName: 'Cached' });
    expect(names(ok(await call(one, 'GET', '/v1/contacts', owner.token)))).toEqual(['First', 'Second']);
    await createContact(one, owner, { firstName: 'Third', lastName: 'Cached' });
    expect(names(ok(await call(two, 'GET', '/v1/contacts', owner.token)))).toEqual(['First', 'Second', 'Third']);

    ok(await call(one, 'POST', '/v1/companies', owner.token, { name: 'Fresh Co' }), 201);
    const companies = ok(await call(two, 'GET', '/v1/companies', owner.token)).json().data as { name: string }[];
    expect(companies.map((c) => c.name)).toEqual(['Fresh Co']);
  });

  it('drops cached contacts embedding a renamed company, and a deleted contact, on the other instance', async () => {
    const owner = await signup(one);
    const company = ok(await call(one, 'POST', '/v1/companies', owner.token, { name: 'Old Name' }), 201).json();
    const contact = ok(
      await call(one, 'POST', '/v1/contacts', owner.token, { firstName: 'Emb', lastName: 'Edded', companyId: company.id }),
      201,
    ).json();
    for (let i = 0; i < 2; i++) {
      ok(await call(two, 'GET', `/v1/contacts/${contact.id}`, owner.token));
      ok(await call(two, 'GET', '/v1/contacts', owner.token));
    }

    ok(await call(one, 'PATCH', `/v1/companies/${company.id}`, owner.token, { name: 'New Name' }));
    expect(ok(await call(two, 'GET', `/v1/contacts/${contact.id}`, owner.token)).json().company).toEqual({
      id: company.id,
      name: 'New Name',
    });
    expect(ok(await call(two, 'GET', '/v1/contacts', owner.token)).json().data[0].company).toEqual({ id: company.id, name: 'New Name' });

    expect((await call(one, 'DELETE', `/v1/contacts/${contact.id}`, owner.token)).statusCode).toBe(204);
    const gone = await call(two, 'GET', `/v1/contacts/${contact.id}`, owner.token);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('CONTACT_NOT_FOUND');
    expect(ok(await call(two, 'GET', '/v1/contacts', owner.token)).json().data).toEqual([]);
  });

  it('gives a cached response the ETag of the uncached one and answers 304 to it', async () => {
    const owner = await signup(one);
    await createContact(one, owner, { firstName: 'Tagged', lastName: 'Cached' });
    let uncached!: Reply;
    expect(await cacheDelta(one, 'response', async () => (uncached = ok(await call(one, 'GET', '/v1/contacts', owner.token))))).toEqual({
      hit: 0,
      miss: 1,
    });
    const etag = uncached.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);

    for (const app of [one, two]) {
      let cached!: Reply;
      expect(await cacheDelta(one, 'response', async () => (cached = ok(await call(app, 'GET', '/v1/contacts', owner.token))))).toEqual({
        hit: 1,
        miss: 0,
      });
      expect(cached.headers.etag).toBe(etag);
      expect(cached.body).toBe(uncached.body);

      let notModified!: Reply;
      const conditional = await cacheDelta(one, 'response', async () => {
        notModified = await call(app, 'GET', '/v1/contacts', owner.token, undefined, { headers: { 'if-none-match': etag } });
      });
      expect(conditional).toEqual({ hit: 1, miss: 0 });
      expect(notModified.statusCode).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe(etag);
    }
  });

  it('keeps separate cache entries for callers with different permission sets', async () => {
    const owner = await signup(one);
    await createContact(one, owner, { firstName: 'Shared', lastName: 'Cached' });
    const readOnly = await createApiKey(one, owner, ['contacts:read']);
    const readOnlyToo = await createApiKey(one, owner, ['contacts:read']);
    const viewer = await addMember(one, owner, 'viewer');

    const ownerFirst = await cacheDelta(one, 'response', async () => ok(await call(one, 'GET', '/v1/contacts', owner.token)));
    expect(ownerFirst).toEqual({ hit: 0, miss: 1 });
    // The owner's entry is cached; a key with only contacts:read and a viewer each get their own.
    const others = await cacheDelta(one, 'response', async () => {
      expect(names(ok(await call(two, 'GET', '/v1/contacts', readOnly.secret)))).toEqual(['Shared']);
      expect(names(ok(await call(one, 'GET', '/v1/contacts', viewer.token)))).toEqual(['Shared']);
    });
    expect(others).toEqual({ hit: 0, miss: 2 });
    expect(await redis.keys(`*r:${owner.orgId}:*`)).toHaveLength(3);

    // Callers with the same permission set share an entry.
    const sameSet = await cacheDelta(one, 'response', async () => {
      ok(await call(one, 'GET', '/v1/contacts', readOnlyToo.secret));
      ok(await call(two, 'GET', '/v1/contacts', owner.token));
    });
    expect(sameSet).toEqual({ hit: 2, miss: 0 });
  });
});
