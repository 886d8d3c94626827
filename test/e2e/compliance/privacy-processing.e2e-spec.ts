import { OrganizationCacheEntries } from '../../../src/caching';
import { Jobs } from '../../../src/platform/jobs';
import { PrivacyRequestProcessor } from '../../../src/compliance/privacy/privacy-request-processor.service';
import { RETENTION_CATEGORIES } from '../../../src/compliance/retention/retention-categories';
import { Signed, addMember, signup } from '../../support/factories';
import { Json, caller, createContact, expectProblem } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { createTestApp } from '../../support/test-app';
import { createPrivacyRequest, distinctiveSubject, seedRequest, waitUntilDone } from './privacy-support';

const suite = useTestAppWithOwnerDb();
const call = caller(() => suite.app);

async function get(user: Signed, id: string): Promise<Json> {
  const response = await call('GET', `/v1/privacy/requests/${id}`, user.token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function completions(user: Signed, id: string): Promise<number> {
  const events = (await call('GET', `/v1/audit-events?targetId=${id}&action=privacy-request.complete`, user.token)).json().data;
  return events.length;
}

/** Reads that leave the org's contact views in the response and query caches. */
async function warmCaches(user: Signed, contactId: string): Promise<void> {
  for (const url of [`/v1/contacts/${contactId}`, '/v1/contacts?limit=100'])
    expect((await call('GET', url, user.token)).statusCode).toBe(200);
}

describe('Privacy request processing (e2e)', () => {
  it('publishes the Art. 30 record: every personal-data field with purpose, retention, storage, and the other stores', async () => {
    const owner = await signup(suite.app);
    const auditor = await addMember(suite.app, owner, 'auditor');
    const response = await call('GET', '/v1/privacy/processing-records', auditor.token);
    expect(response.statusCode).toBe(200);
    const record = response.json();
    expect(record.controller).toMatchObject({ role: 'controller', organizationId: owner.orgId, name: expect.any(String) });
    expect(record.processor).toMatchObject({ role: 'processor', name: 'Atrium', basis: expect.stringContaining('Art. 28') });
    const field = (entity: string, name: string) => record.fields.find((f: Json) => f.entity === entity && f.field === name);
    expect(field('Contact', 'firstName')).toMatchObject({
      category: 'identity',
      purpose: expect.any(String),
      erasure: 'anonymise',
      storage: { table: 'contacts', column: 'first_name' },
      retention: {
        category: 'inactive_contacts',
        defaultDays: RETENTION_CATEGORIES.inactive_contacts.defaultDays,
        defaultAction: 'anonymise',
        organizationPolicy: null,
      },
    });
    expect(field('Contact', 'customFields')).toMatchObject({ category: 'custom', storage: { table: 'contacts', column: 'custom_fields' } });
    expect(field('Activity', 'body')).toMatchObject({ category: 'free_text', storage: { table: 'activities', column: 'body' } });
    expect(field('Invitation', 'email')).toMatchObject({
      erasure: 'delete',
      retention: { category: 'expired_invitations', defaultDays: 30 },
    });
    expect(field('User', 'email')).toMatchObject({
      storage: { table: 'users', column: 'email' },
      retention: { category: 'accounts', defaultDays: null, description: expect.stringMatching(/while the account exists/) },
    });
    // The identity provider's identifiers for a member: with the account, like its email and name.
    expect(field('SsoIdentity', 'subject')).toMatchObject({
      category: 'online_identifiers',
      dataSubjects: expect.stringMatching(/identity provider/),
      erasure: 'delete',
      storage: { table: 'sso_identities', column: 'subject' },
      retention: { category: 'accounts' },
    });
    expect(field('ScimUser', 'externalId')).toMatchObject({
      category: 'online_identifiers',
      dataSubjects: expect.stringMatching(/SCIM/),
      erasure: 'delete',
      storage: { table: 'scim_users', column: 'external_id' },
      retention: { category: 'accounts' },
    });
    expect(record.fields.filter((f: Json) => f.dataSubjects === 'Not specified')).toEqual([]);
    const stores = record.otherStores.map((store: Json) => store.store);
    expect(stores).toEqual(
      expect.arrayContaining([
        'response and query cache',
        'idempotency_records',
        'audit_events',
        'privacy_requests',
        'application logs',
        'backups',
      ]),
    );
    const cache = record.otherStores.find((store: Json) => store.store === 'response and query cache');
    expect(cache).toMatchObject({
      location: process.env.REDIS_URL ? 'Redis' : 'In-process memory (embedded mode)',
      retention: expect.stringContaining('60 seconds'),
    });
    expect(record.otherStores.find((store: Json) => store.store === 'idempotency_records').retention).toMatch(/24 hours/);

    expectProblem(
      await call('GET', '/v1/privacy/processing-records', (await addMember(suite.app, owner, 'member')).token),
      403,
      'FORBIDDEN',
    );
    expectProblem(await call('GET', '/v1/privacy/processing-records'), 401, 'UNAUTHENTICATED');
  });

  it('the job picks up requests whose start was lost and resumes those whose handler died, leaving live claims alone', async () => {
    const owner = await signup(suite.app);
    const s = distinctiveSubject();
    await createContact(suite.app, owner, { firstName: s.firstName, lastName: s.lastName, email: s.email });
    const lost = await seedRequest(suite.db, owner.orgId, { type: 'access', email: s.email });
    const live = await seedRequest(suite.db, owner.orgId, { type: 'erasure', status: 'in_progress', startedAt: new Date() });
    // An erasure whose instance died after committing the database part: the email is already gone.
    const died = await seedRequest(suite.db, owner.orgId, {
      type: 'erasure',
      status: 'in_progress',
      startedAt: new Date(Date.now() - 3_600_000),
    });
    await suite.db.query(
      `update privacy_requests set subject_email = null, result = '{"phase": "records-erased", "contactsAnonymised": 1}' where id = $1`,
      [died],
    );

    const run = await suite.app.get(Jobs).runNow('privacy-requests');
    expect(run).toMatchObject({ status: 'succeeded', counts: { handled: expect.any(Number), failed: 0 } });

    expect(await get(owner, lost)).toMatchObject({ status: 'completed', result: { contactsFound: 1 } });
    expect(await get(owner, live)).toMatchObject({ status: 'in_progress' });
    const resumed = await get(owner, died);
    expect(resumed).toMatchObject({ status: 'completed', result: { contactsAnonymised: 1 } });
    const { certificate } = (await call('GET', `/v1/privacy/requests/${died}/certificate`, owner.token)).json();
    // It cannot search for values it no longer has, and says so instead of claiming a clean result.
    expect(certificate.verification).toMatchObject({ performed: false, searchedFor: [] });
    expect(certificate.verification.storesNotScanned).toEqual(
      expect.arrayContaining(['contacts', process.env.REDIS_URL ? 'redis cache' : 'in-process cache']),
    );
    expect(certificate.records.contactsAnonymised).toBe(1);
  });

  it('two handlers running at once never handle one request twice', async () => {
    const owner = await signup(suite.app);
    const seeded: string[] = [];
    for (let i = 0; i < 6; i += 1) seeded.push(await seedRequest(suite.db, owner.orgId, { type: i % 2 ? 'erasure' : 'access' }));
    const processor = suite.app.get(PrivacyRequestProcessor);
    const [first, second] = await Promise.all([processor.processWaiting(), processor.processWaiting()]);
    expect(first.failed + second.failed).toBe(0);
    for (const id of seeded) {
      expect((await get(owner, id)).status).toBe('completed');
      expect(await completions(owner, id)).toBe(1);
    }
  });

  it('purges every cached entry of one organization, and only of that organization', async () => {
    const a = await signup(suite.app);
    const b = await signup(suite.app);
    await warmCaches(a, (await createContact(suite.app, a, { firstName: 'Cache', lastName: 'Alpha' })).id);
    await warmCaches(b, (await createContact(suite.app, b, { firstName: 'Cache', lastName: 'Beta' })).id);
    const entries = suite.app.get(OrganizationCacheEntries);
    const store = process.env.REDIS_URL ? 'redis' : 'in-process';
    expect(entries.store).toBe(store);
    expect((await entries.scan(a.orgId, ['alpha'])).matching).toBeGreaterThanOrEqual(2);
    const beforeB = await entries.scan(b.orgId, ['beta']);
    expect(beforeB.matching).toBeGreaterThanOrEqual(2);

    expect(await entries.purge(a.orgId)).toBeGreaterThanOrEqual(2);
    expect(await entries.scan(a.orgId, ['alpha'])).toEqual({ store, scanned: 0, matching: 0 });
    expect(await entries.scan(b.orgId, ['beta'])).toEqual(beforeB);
    // Purged entries are simply misses: the next read is served (and cached) again.
    expect((await call('GET', '/v1/contacts?limit=100', a.token)).json().data).toHaveLength(1);
  });

  it('erases from the in-process cache when running without Redis (embedded mode)', async () => {
    const embedded = await createTestApp({ env: { REDIS_URL: '' } });
    const local = caller(() => embedded.app);
    try {
      const owner = await signup(embedded.app);
      const s = distinctiveSubject();
      const contact = await createContact(embedded.app, owner, {
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        phone: s.phone,
      });
      for (const url of [`/v1/contacts/${contact.id}`, '/v1/contacts?limit=100'])
        expect((await local('GET', url, owner.token)).statusCode).toBe(200);
      const entries = embedded.app.get(OrganizationCacheEntries);
      expect(entries.store).toBe('in-process');
      expect((await entries.scan(owner.orgId, [s.email])).matching).toBeGreaterThanOrEqual(2);

      const erasure = await createPrivacyRequest(local, owner, 'erasure', s.email);
      const done = await waitUntilDone(local, owner.token, erasure.id);
      expect(done.result).toMatchObject({ contactsAnonymised: 1, residualMatches: 0 });
      expect(done.result.cacheEntriesEvicted).toBeGreaterThanOrEqual(2);
      expect((await entries.scan(owner.orgId, [s.email, s.lastName])).matching).toBe(0);
      const { certificate } = (await local('GET', `/v1/privacy/requests/${erasure.id}/certificate`, owner.token)).json();
      expect(certificate.storesCovered).toContain('in-process cache');
      expect(certificate.verification.perStore['in-process cache']).toBe(0);
    } finally {
      await embedded.app.close();
    }
  });
});
