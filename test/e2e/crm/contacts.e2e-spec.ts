import { randomUUID } from 'node:crypto';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Method, caller, createCompany, createContact, expectFieldError, expectProblem } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

async function listIds(owner: Signed, query = ''): Promise<string[]> {
  const response = await call('GET', `/v1/contacts?limit=100${query}`, owner.token);
  expect(response.statusCode).toBe(200);
  return response.json().data.map((contact: { id: string }) => contact.id);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Contacts (e2e)', () => {
  it('creates (201), reads (200), lists, updates (200, version +1) and deletes (204) a contact', async () => {
    const owner = await signup(suite.app);
    const company = await createCompany(suite.app, owner, { name: 'US Navy' });
    const created = await call('POST', '/v1/contacts', owner.token, {
      firstName: ' Grace ',
      lastName: 'Hopper',
      email: 'Grace@Navy.Example',
      phone: '+14155550123',
      companyId: company.id,
      tags: ['vip', 'Q3 lead'],
      customFields: { tier: 'gold', score: 7, nested: { a: { b: true } } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    const contact = created.json();
    expect(contact).toEqual({
      id: expect.stringMatching(UUID),
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example',
      phone: '+14155550123',
      companyId: company.id,
      company: { id: company.id, name: 'US Navy' },
      tags: ['vip', 'Q3 lead'],
      customFields: { tier: 'gold', score: 7, nested: { a: { b: true } } },
      version: 1,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });

    const read = await call('GET', `/v1/contacts/${contact.id}`, owner.token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(contact);
    expect((await call('GET', `/v1/contacts/${contact.id.toUpperCase()}`, owner.token)).json()).toEqual(contact);

    const list = await call('GET', '/v1/contacts', owner.token);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ data: [contact], nextCursor: null });

    const patched = await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, {
      lastName: 'Murray Hopper',
      email: null,
      phone: null,
      companyId: null,
      tags: [],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({
      ...contact,
      lastName: 'Murray Hopper',
      email: null,
      phone: null,
      companyId: null,
      company: null,
      tags: [],
      version: 2,
      updatedAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(patched.json().updatedAt)).toBeGreaterThanOrEqual(Date.parse(contact.updatedAt));
    expect((await call('GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toEqual(patched.json());

    const deleted = await call('DELETE', `/v1/contacts/${contact.id}`, owner.token);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expectProblem(await call('GET', `/v1/contacts/${contact.id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/contacts/${contact.id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
    expect(await listIds(owner)).toEqual([]);
  });

  it.each([
    ['email', 'not an address', { email: 'not-an-email' }],
    ['phone', 'without a plus', { phone: '4155550123' }],
    ['phone', 'with country code 0', { phone: '+0155550123' }],
    ['phone', 'with spaces', { phone: '+1 415 555 0123' }],
    ['tags', '21 tags', { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }],
    ['tags', 'a 41-char tag', { tags: ['x'.repeat(41)] }],
    ['tags', 'a duplicate tag', { tags: ['vip', 'vip'] }],
    ['tags', 'an empty tag', { tags: [''] }],
    ['customFields', '51 keys', { customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }],
    ['customFields', 'a key starting with a digit', { customFields: { '1bad': 1 } }],
    ['customFields', 'a key with a dash', { customFields: { 'bad-key': 1 } }],
    ['customFields', '4 levels deep', { customFields: { a: { b: { c: { d: 1 } } } } }],
    ['customFields', 'over 8192 bytes', { customFields: { big: 'x'.repeat(8200) } }],
    ['customFields', 'an array', { customFields: ['not', 'an', 'object'] }],
    ['customFields.note', 'a value with a NUL byte', { customFields: { note: 'a\u0000b' } }],
    ['companyId', 'not a uuid', { companyId: 'not-a-uuid' }],
    ['companyId', 'an unknown company', { companyId: randomUUID() }],
    ['firstName', 'empty', { firstName: '' }],
    ['firstName', '101 chars long', { firstName: 'x'.repeat(101) }],
    ['firstName', 'a name with a NUL byte', { firstName: 'Gr\u0000ace' }],
    ['lastName', 'a name with a NUL byte', { lastName: 'Hop\u0000per' }],
    ['nickname', 'an unknown field', { nickname: 'Amazing Grace' }],
  ])('refuses a create whose %s is %s (400 with that field)', async (field, _label, body) => {
    const owner = await signup(suite.app);
    expectFieldError(await call('POST', '/v1/contacts', owner.token, { firstName: 'Grace', lastName: 'Hopper', ...body }), field);
    expect(await listIds(owner)).toEqual([]);
  });

  it('accepts the limits themselves: 20 tags of 40 chars, 50 keys, 3 levels deep', async () => {
    const owner = await signup(suite.app);
    const tags = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(40, 'x'));
    const customFields = { ...Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, i])), deep: { a: { b: 1 } } };
    const contact = await createContact(suite.app, owner, { tags, customFields });
    expect(contact).toMatchObject({ tags, customFields });
  });

  it('normalises PATCHed values the way create does (trimmed names, lower-cased email)', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const patched = await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, {
      firstName: '  Ada ',
      email: ' ADA@Engines.Example ',
      tags: [' vip '],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ firstName: 'Ada', lastName: 'Hopper', email: 'ada@engines.example', tags: ['vip'], version: 2 });
  });

  it('refuses bad PATCH bodies (null required fields, unknown fields, bad values) and leaves the contact unchanged', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner, { email: 'grace@navy.example' });
    for (const field of ['firstName', 'lastName', 'tags', 'customFields']) {
      expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { [field]: null }), field);
    }
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { nickname: 'x' }), 'nickname');
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { email: 'nope' }), 'email');
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { phone: '12345' }), 'phone');
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { tags: ['a', 'a'] }), 'tags');
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { companyId: randomUUID() }), 'companyId');
    expectFieldError(await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { id: randomUUID() }), 'id');
    expect((await call('GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toEqual(contact);
  });

  it('answers 400 (never 500) to malformed ids and query parameters', async () => {
    const owner = await signup(suite.app);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      expectFieldError(
        await call(method, '/v1/contacts/not-a-uuid', owner.token, method === 'PATCH' ? { firstName: 'X' } : undefined),
        'id',
      );
    }
    expectFieldError(await call('GET', '/v1/contacts/not-a-uuid/activities', owner.token), 'id');
    expectFieldError(await call('GET', '/v1/contacts?q=ab', owner.token), 'q');
    expectFieldError(await call('GET', '/v1/contacts?limit=0', owner.token), 'limit');
    expectFieldError(await call('GET', '/v1/contacts?limit=101', owner.token), 'limit');
    expectFieldError(await call('GET', '/v1/contacts?limit=ten', owner.token), 'limit');
    expectFieldError(await call('GET', '/v1/contacts?cursor=garbage', owner.token), 'cursor');
    expectFieldError(await call('GET', '/v1/contacts?cursor=%21%21%21', owner.token), 'cursor');
    const forged = Buffer.from(JSON.stringify({ id: '-'.repeat(36) })).toString('base64url');
    expectFieldError(await call('GET', `/v1/contacts?cursor=${forged}`, owner.token), 'cursor');
    expectFieldError(await call('GET', '/v1/contacts?companyId=nope', owner.token), 'companyId');
    expectFieldError(await call('GET', '/v1/contacts?updatedSince=yesterday', owner.token), 'updatedSince');
    expectFieldError(await call('GET', '/v1/contacts?colour=red', owner.token), 'colour');
  });

  it.each([
    ['q', 'a NUL byte', 'q=ab%00cd'],
    ['email', 'a NUL byte', 'email=a%00b%40x.example'],
    ['updatedSince', "a date before PostgreSQL's range", 'updatedSince=-010000-01-01T00:00:00Z'],
  ])('answers 400 (never 500) to a list filter %s with %s', async (field, _label, query) => {
    const owner = await signup(suite.app);
    expectFieldError(await call('GET', `/v1/contacts?${query}`, owner.token), field);
  });

  it('refuses every route without a token (401 UNAUTHENTICATED) or with an unknown one (401 INVALID_CREDENTIALS)', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const routes: [Method, string, object?][] = [
      ['GET', '/v1/contacts'],
      ['POST', '/v1/contacts', { firstName: 'A', lastName: 'B' }],
      ['GET', `/v1/contacts/${contact.id}`],
      ['PATCH', `/v1/contacts/${contact.id}`, { firstName: 'Mallory' }],
      ['DELETE', `/v1/contacts/${contact.id}`],
    ];
    for (const [method, url, payload] of routes) {
      expectProblem(await call(method, url, undefined, payload), 401, 'UNAUTHENTICATED');
      expectProblem(await call(method, url, 'x'.repeat(43), payload), 401, 'INVALID_CREDENTIALS');
    }
    expect((await call('GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toEqual(contact);
  });

  it('lets member write and viewer read; refuses viewer writes and every auditor call (403 FORBIDDEN)', async () => {
    const owner = await signup(suite.app);
    const [admin, member, viewer, auditor] = [
      await addMember(suite.app, owner, 'admin'),
      await addMember(suite.app, owner, 'member'),
      await addMember(suite.app, owner, 'viewer'),
      await addMember(suite.app, owner, 'auditor'),
    ];
    const contact = await createContact(suite.app, member);
    expect((await call('PATCH', `/v1/contacts/${contact.id}`, admin.token, { firstName: 'Ada' })).statusCode).toBe(200);
    const current = (await call('GET', `/v1/contacts/${contact.id}`, viewer.token)).json();
    expect(current).toMatchObject({ id: contact.id, firstName: 'Ada', version: 2 });
    expect((await call('GET', '/v1/contacts', viewer.token)).json().data).toEqual([expect.objectContaining({ id: contact.id })]);

    const writes: [Method, string, object?][] = [
      ['POST', '/v1/contacts', { firstName: 'A', lastName: 'B' }],
      ['PATCH', `/v1/contacts/${contact.id}`, { firstName: 'Mallory' }],
      ['DELETE', `/v1/contacts/${contact.id}`],
    ];
    const reads: [Method, string][] = [
      ['GET', '/v1/contacts'],
      ['GET', `/v1/contacts/${contact.id}`],
    ];
    for (const [method, url, payload] of writes) {
      expectProblem(await call(method, url, viewer.token, payload), 403, 'FORBIDDEN');
      expectProblem(await call(method, url, auditor.token, payload), 403, 'FORBIDDEN');
    }
    for (const [method, url] of reads) expectProblem(await call(method, url, auditor.token), 403, 'FORBIDDEN');
    expect((await call('GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toEqual(current);
    expect(await listIds(owner)).toEqual([contact.id]);
  });

  it('honours API key scopes: contacts:read may list but not create', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const reader = await createApiKey(suite.app, owner, ['contacts:read']);
    const writer = await createApiKey(suite.app, owner, ['contacts:read', 'contacts:write']);
    expect((await call('GET', '/v1/contacts', reader.secret)).json().data).toEqual([expect.objectContaining({ id: contact.id })]);
    expectProblem(await call('POST', '/v1/contacts', reader.secret, { firstName: 'A', lastName: 'B' }), 403, 'FORBIDDEN');
    expect((await call('POST', '/v1/contacts', writer.secret, { firstName: 'A', lastName: 'B' })).statusCode).toBe(201);
  });

  it('answers 404 CONTACT_NOT_FOUND for unknown ids', async () => {
    const owner = await signup(suite.app);
    const id = randomUUID();
    expectProblem(await call('GET', `/v1/contacts/${id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('PATCH', `/v1/contacts/${id}`, owner.token, { firstName: 'X' }), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/contacts/${id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
  });

  it("hides org A's contacts and companies from org B (404, empty lists, 400 companyId) and leaves them unchanged", async () => {
    const a = await signup(suite.app);
    const b = await signup(suite.app);
    const companyA = await createCompany(suite.app, a, { name: 'Alpha Corp' });
    const contactA = await createContact(suite.app, a, {
      firstName: 'Alice',
      lastName: 'Secret',
      email: 'alice@alpha.example',
      companyId: companyA.id,
      tags: ['vip'],
    });
    const contactB = await createContact(suite.app, b, { firstName: 'Bob', lastName: 'Own', tags: ['vip'] });

    expectProblem(await call('GET', `/v1/contacts/${contactA.id}`, b.token), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('PATCH', `/v1/contacts/${contactA.id}`, b.token, { firstName: 'Mallory' }), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/contacts/${contactA.id}`, b.token), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('GET', `/v1/contacts/${contactA.id}/activities`, b.token), 404, 'CONTACT_NOT_FOUND');
    const activity = { type: 'note', subject: 'sneaky', occurredAt: new Date(Date.now() - 60_000).toISOString() };
    expectProblem(await call('POST', `/v1/contacts/${contactA.id}/activities`, b.token, activity), 404, 'CONTACT_NOT_FOUND');

    expect(await listIds(b)).toEqual([contactB.id]);
    for (const query of [
      '&email=alice%40alpha.example',
      '&q=alice',
      '&q=secret',
      `&companyId=${companyA.id}`,
      '&updatedSince=2000-01-01T00:00:00Z',
    ]) {
      expect(await listIds(b, query)).not.toContain(contactA.id);
    }
    expect(await listIds(b, '&tag=vip')).toEqual([contactB.id]);

    expectFieldError(await call('POST', '/v1/contacts', b.token, { firstName: 'X', lastName: 'Y', companyId: companyA.id }), 'companyId');
    expectFieldError(await call('PATCH', `/v1/contacts/${contactB.id}`, b.token, { companyId: companyA.id }), 'companyId');
    expect(await listIds(b)).toEqual([contactB.id]);
    expect((await call('GET', `/v1/contacts/${contactB.id}`, b.token)).json()).toEqual(contactB);

    expect((await call('GET', `/v1/contacts/${contactA.id}`, a.token)).json()).toEqual(contactA);
    expect(await listIds(a)).toEqual([contactA.id]);
    expect((await call('GET', `/v1/contacts/${contactA.id}/activities`, a.token)).json()).toEqual({ data: [], nextCursor: null });
  });

  it("deletes a contact's activities with it (GET /v1/activities/{id} → 404)", async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const other = await createContact(suite.app, owner, { firstName: 'Other' });
    const activityIds: string[] = [];
    for (const [target, type] of [
      [contact, 'note'],
      [contact, 'call'],
      [other, 'meeting'],
    ] as const) {
      const created = await call('POST', `/v1/contacts/${target.id}/activities`, owner.token, {
        type,
        subject: `A ${type}`,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(created.statusCode).toBe(201);
      activityIds.push(created.json().id);
    }
    expect((await call('GET', `/v1/activities/${activityIds[0]}`, owner.token)).statusCode).toBe(200);

    expect((await call('DELETE', `/v1/contacts/${contact.id}`, owner.token)).statusCode).toBe(204);
    expectProblem(await call('GET', `/v1/activities/${activityIds[0]}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
    expectProblem(await call('GET', `/v1/activities/${activityIds[1]}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
    expectProblem(await call('GET', `/v1/contacts/${contact.id}/activities`, owner.token), 404, 'CONTACT_NOT_FOUND');
    expect((await call('GET', `/v1/activities/${activityIds[2]}`, owner.token)).statusCode).toBe(200);
  });
});
