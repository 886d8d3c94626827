import { randomUUID } from 'node:crypto';
import { addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Method, caller, createCompany, createContact, expectFieldError, expectProblem } from '../../support/client';
import { clockPast } from '../../support/waiting';

const suite = useTestApp();
const call = caller(() => suite.app);

async function listCompanyIds(token: string, query = ''): Promise<string[]> {
  const response = await call('GET', `/v1/companies?limit=100${query}`, token);
  expect(response.statusCode).toBe(200);
  return response.json().data.map((company: { id: string }) => company.id);
}

describe('Companies (e2e)', () => {
  it('creates, reads, lists, updates and deletes a company', async () => {
    const owner = await signup(suite.app);
    const created = await call('POST', '/v1/companies', owner.token, {
      name: '  Acme Corp ',
      domain: 'ACME.Example',
      industry: 'Manufacturing',
    });
    expect(created.statusCode).toBe(201);
    const company = created.json();
    expect(company).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/),
      name: 'Acme Corp',
      domain: 'acme.example',
      industry: 'Manufacturing',
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const read = await call('GET', `/v1/companies/${company.id}`, owner.token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(company);
    expect(await listCompanyIds(owner.token)).toEqual([company.id]);

    const patched = await call('PATCH', `/v1/companies/${company.id}`, owner.token, { name: 'Acme Inc', domain: 'Acme-Inc.EXAMPLE' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id: company.id,
      name: 'Acme Inc',
      domain: 'acme-inc.example',
      industry: 'Manufacturing',
      version: 2,
    });
    const cleared = await call('PATCH', `/v1/companies/${company.id}`, owner.token, { domain: null, industry: null });
    expect(cleared.json()).toMatchObject({ name: 'Acme Inc', domain: null, industry: null, version: 3 });
    expect((await call('GET', `/v1/companies/${company.id}`, owner.token)).json()).toEqual(cleared.json());

    const deleted = await call('DELETE', `/v1/companies/${company.id}`, owner.token);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expectProblem(await call('GET', `/v1/companies/${company.id}`, owner.token), 404, 'COMPANY_NOT_FOUND');
    expect(await listCompanyIds(owner.token)).toEqual([]);
  });

  it('rejects invalid bodies with field errors', async () => {
    const owner = await signup(suite.app);
    expectFieldError(await call('POST', '/v1/companies', owner.token, {}), 'name');
    expectFieldError(await call('POST', '/v1/companies', owner.token, { name: '   ' }), 'name');
    expectFieldError(await call('POST', '/v1/companies', owner.token, { name: 'x'.repeat(201) }), 'name');
    expectFieldError(await call('POST', '/v1/companies', owner.token, { name: 'Acme', domain: 'not a host' }), 'domain');
    expectFieldError(await call('POST', '/v1/companies', owner.token, { name: 'Acme', industry: 'i'.repeat(101) }), 'industry');
    expectFieldError(await call('POST', '/v1/companies', owner.token, { name: 'Acme', orgId: owner.orgId }), 'orgId');
    const company = await createCompany(suite.app, owner);
    expectFieldError(await call('PATCH', `/v1/companies/${company.id}`, owner.token, { name: null }), 'name');
    expectFieldError(await call('PATCH', `/v1/companies/${company.id}`, owner.token, { version: 7 }), 'version');
    expectFieldError(await call('GET', '/v1/companies/not-a-uuid', owner.token), 'id');
    expectFieldError(await call('GET', '/v1/companies?limit=0', owner.token), 'limit');
    expectFieldError(await call('GET', '/v1/companies?updatedSince=yesterday', owner.token), 'updatedSince');
    expect((await call('GET', `/v1/companies/${company.id}`, owner.token)).json()).toMatchObject({ version: 1, name: company.name });
    expect(await listCompanyIds(owner.token)).toEqual([company.id]);
  });

  it('answers 401 without a credential or with an unknown one', async () => {
    const owner = await signup(suite.app);
    const company = await createCompany(suite.app, owner);
    const routes: [Method, string, object?][] = [
      ['GET', '/v1/companies'],
      ['POST', '/v1/companies', { name: 'Acme' }],
      ['GET', `/v1/companies/${company.id}`],
      ['PATCH', `/v1/companies/${company.id}`, { name: 'Other' }],
      ['DELETE', `/v1/companies/${company.id}`],
    ];
    for (const [method, url, payload] of routes) {
      expectProblem(await call(method, url, undefined, payload), 401, 'UNAUTHENTICATED');
      expectProblem(await call(method, url, 'x'.repeat(43), payload), 401, 'INVALID_CREDENTIALS');
    }
    expect((await call('GET', `/v1/companies/${company.id}`, owner.token)).json()).toMatchObject({ version: 1, name: company.name });
  });

  it('forbids auditors everything, viewers and read-only keys writes, and lets writers write', async () => {
    const owner = await signup(suite.app);
    const [auditor, viewer, member] = [
      await addMember(suite.app, owner, 'auditor'),
      await addMember(suite.app, owner, 'viewer'),
      await addMember(suite.app, owner, 'member'),
    ];
    const readKey = await createApiKey(suite.app, owner, ['contacts:read']);
    const writeKey = await createApiKey(suite.app, owner, ['contacts:read', 'contacts:write']);
    const company = await createCompany(suite.app, owner);
    const reads: [Method, string][] = [
      ['GET', '/v1/companies'],
      ['GET', `/v1/companies/${company.id}`],
    ];
    const writes: [Method, string, object?][] = [
      ['POST', '/v1/companies', { name: 'Forbidden' }],
      ['PATCH', `/v1/companies/${company.id}`, { name: 'Forbidden' }],
      ['DELETE', `/v1/companies/${company.id}`],
    ];
    for (const [method, url] of reads) {
      expectProblem(await call(method, url, auditor.token), 403, 'FORBIDDEN');
      for (const token of [viewer.token, readKey.secret, member.token]) expect((await call(method, url, token)).statusCode).toBe(200);
    }
    for (const [method, url, payload] of writes) {
      for (const token of [auditor.token, viewer.token, readKey.secret])
        expectProblem(await call(method, url, token, payload), 403, 'FORBIDDEN');
    }
    expect(await listCompanyIds(owner.token)).toEqual([company.id]);
    expect((await call('GET', `/v1/companies/${company.id}`, owner.token)).json()).toMatchObject({ name: company.name, version: 1 });

    const byKey = await call('POST', '/v1/companies', writeKey.secret, { name: 'By key' });
    expect(byKey.statusCode).toBe(201);
    const byMember = await call('PATCH', `/v1/companies/${byKey.json().id}`, member.token, { industry: 'Retail' });
    expect(byMember.json()).toMatchObject({ name: 'By key', industry: 'Retail', version: 2 });
  });

  it('answers 404 COMPANY_NOT_FOUND for an unknown id', async () => {
    const owner = await signup(suite.app);
    const unknown = randomUUID();
    expectProblem(await call('GET', `/v1/companies/${unknown}`, owner.token), 404, 'COMPANY_NOT_FOUND');
    expectProblem(await call('PATCH', `/v1/companies/${unknown}`, owner.token, { name: 'Ghost' }), 404, 'COMPANY_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/companies/${unknown}`, owner.token), 404, 'COMPANY_NOT_FOUND');
  });

  it("hides another org's companies: 404 on every route, absent from lists and filters, left unchanged", async () => {
    const alice = await signup(suite.app);
    const bob = await signup(suite.app);
    const company = await createCompany(suite.app, alice, { domain: 'alice-corp.example' });
    const bobs = await createCompany(suite.app, bob);
    expectProblem(await call('GET', `/v1/companies/${company.id}`, bob.token), 404, 'COMPANY_NOT_FOUND');
    expectProblem(await call('PATCH', `/v1/companies/${company.id}`, bob.token, { name: 'Stolen' }), 404, 'COMPANY_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/companies/${company.id}`, bob.token), 404, 'COMPANY_NOT_FOUND');
    expect(await listCompanyIds(bob.token)).toEqual([bobs.id]);
    expect(await listCompanyIds(bob.token, '&domain=alice-corp.example')).toEqual([]);
    expect(await listCompanyIds(bob.token, '&updatedSince=2000-01-01T00:00:00Z')).toEqual([bobs.id]);

    const unchanged = await call('GET', `/v1/companies/${company.id}`, alice.token);
    expect(unchanged.json()).toEqual(company);
    expect(await listCompanyIds(alice.token)).toEqual([company.id]);
  });

  it('sends a strong ETag and answers a matching If-None-Match with 304', async () => {
    const owner = await signup(suite.app);
    const company = await createCompany(suite.app, owner);
    for (const url of [`/v1/companies/${company.id}`, '/v1/companies']) {
      const first = await call('GET', url, owner.token);
      expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const again = await call('GET', url, owner.token, undefined, { 'if-none-match': first.headers.etag as string });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(first.headers.etag);
    }
    const before = (await call('GET', `/v1/companies/${company.id}`, owner.token)).headers.etag as string;
    await call('PATCH', `/v1/companies/${company.id}`, owner.token, { industry: 'Shipping' });
    const after = await call('GET', `/v1/companies/${company.id}`, owner.token, undefined, { 'if-none-match': before });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ industry: 'Shipping', version: 2 });
    expect(after.headers.etag).not.toBe(before);
  });

  it('honours If-Match on PATCH and DELETE: 412 when stale, success when current', async () => {
    const owner = await signup(suite.app);
    const company = await createCompany(suite.app, owner);
    const stale = (await call('GET', `/v1/companies/${company.id}`, owner.token)).headers.etag as string;
    expect(
      (await call('PATCH', `/v1/companies/${company.id}`, owner.token, { industry: 'A' }, { 'if-match': stale })).json(),
    ).toMatchObject({ version: 2 });

    expectProblem(
      await call('PATCH', `/v1/companies/${company.id}`, owner.token, { industry: 'B' }, { 'if-match': stale }),
      412,
      'PRECONDITION_FAILED',
    );
    expectProblem(
      await call('DELETE', `/v1/companies/${company.id}`, owner.token, undefined, { 'if-match': stale }),
      412,
      'PRECONDITION_FAILED',
    );
    const current = await call('GET', `/v1/companies/${company.id}`, owner.token);
    expect(current.json()).toMatchObject({ industry: 'A', version: 2 });

    expect(
      (await call('DELETE', `/v1/companies/${company.id}`, owner.token, undefined, { 'if-match': current.headers.etag as string }))
        .statusCode,
    ).toBe(204);
    expectProblem(await call('GET', `/v1/companies/${company.id}`, owner.token), 404, 'COMPANY_NOT_FOUND');
  });

  it('replays a POST with the same Idempotency-Key and body, 422 for another body, keys are per org', async () => {
    const alice = await signup(suite.app);
    const bob = await signup(suite.app);
    const key = `company-${randomUUID()}`;
    const body = { name: 'Once Only', domain: 'once.example' };
    const first = await call('POST', '/v1/companies', alice.token, body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await call('POST', '/v1/companies', alice.token, body, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());

    const reused = await call('POST', '/v1/companies', alice.token, { ...body, name: 'Something else' }, { 'idempotency-key': key });
    expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await listCompanyIds(alice.token)).toEqual([first.json().id]);

    const bobs = await call('POST', '/v1/companies', bob.token, body, { 'idempotency-key': key });
    expect(bobs.statusCode).toBe(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    expect(bobs.json().id).not.toBe(first.json().id);
    expect(await listCompanyIds(bob.token)).toEqual([bobs.json().id]);

    expectFieldError(await call('POST', '/v1/companies', alice.token, body, { 'idempotency-key': 'has space' }), 'Idempotency-Key');
    expectFieldError(await call('POST', '/v1/companies', alice.token, body, { 'idempotency-key': 'k'.repeat(256) }), 'Idempotency-Key');
    expect(await listCompanyIds(alice.token)).toEqual([first.json().id]);
  });

  it('creates one company for concurrent POSTs with one Idempotency-Key', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/v1/companies', owner.token, { name: 'Raced Corp' }, { 'idempotency-key': key })),
    );
    expect(responses.map((response) => response.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1);
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await listCompanyIds(owner.token)).toEqual([responses[0].json().id]);
  });

  it('keeps contacts of a deleted company, detached, with their version bumped', async () => {
    const owner = await signup(suite.app);
    const doomed = await createCompany(suite.app, owner);
    const other = await createCompany(suite.app, owner);
    const detached = [
      await createContact(suite.app, owner, { companyId: doomed.id }),
      await createContact(suite.app, owner, { companyId: doomed.id }),
    ];
    const untouched = await createContact(suite.app, owner, { companyId: other.id });
    await clockPast(detached[1].updatedAt);

    expect((await call('DELETE', `/v1/companies/${doomed.id}`, owner.token)).statusCode).toBe(204);
    for (const contact of detached) {
      const read = await call('GET', `/v1/contacts/${contact.id}`, owner.token);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ id: contact.id, companyId: null, company: null, version: 2 });
      expect(Date.parse(read.json().updatedAt)).toBeGreaterThan(Date.parse(contact.updatedAt as string));
    }
    expect((await call('GET', `/v1/contacts/${untouched.id}`, owner.token)).json()).toMatchObject({ companyId: other.id, version: 1 });
    const byCompany = await call('GET', `/v1/contacts?companyId=${doomed.id}`, owner.token);
    expect(byCompany.json()).toEqual({ data: [], nextCursor: null });
  });

  it('filters by domain (case-insensitively) and by updatedSince', async () => {
    const owner = await signup(suite.app);
    const acme = await createCompany(suite.app, owner, { domain: 'acme.example' });
    const globex = await createCompany(suite.app, owner, { domain: 'globex.example' });
    const last = await createCompany(suite.app, owner);
    expect(await listCompanyIds(owner.token, '&domain=ACME.example')).toEqual([acme.id]);
    expect(await listCompanyIds(owner.token, '&domain=nobody.example')).toEqual([]);

    await clockPast(last.updatedAt);
    const cutoff = new Date().toISOString();
    await clockPast(cutoff);
    await call('PATCH', `/v1/companies/${globex.id}`, owner.token, { industry: 'Chemicals' });
    expect(await listCompanyIds(owner.token, `&updatedSince=${encodeURIComponent(cutoff)}`)).toEqual([globex.id]);
    expect(await listCompanyIds(owner.token, '&updatedSince=2000-01-01T00:00:00Z')).toHaveLength(3);
  });

  it('pages in creation order with a cursor, without gaps or duplicates', async () => {
    const owner = await signup(suite.app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await createCompany(suite.app, owner)).id);
    const first = await call('GET', '/v1/companies?limit=2', owner.token);
    expect(first.json().data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    const second = await call('GET', `/v1/companies?limit=2&cursor=${first.json().nextCursor}`, owner.token);
    expect(second.json().data.map((c: { id: string }) => c.id)).toEqual(ids.slice(2, 4));
    const last = await call('GET', `/v1/companies?limit=2&cursor=${second.json().nextCursor}`, owner.token);
    expect(last.json()).toEqual({ data: [expect.objectContaining({ id: ids[4] })], nextCursor: null });
  });
});
