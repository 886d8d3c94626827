import { execFile } from 'node:child_process';
import { randomUUID, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { Client } from 'pg';
import { canonicalJson } from '@app/http';
import { OrganizationCacheEntries } from '../../../src/caching';
import { Signed, signup } from '../../support/factories';
import { Json, caller, createContact, expectProblem } from '../../support/client';
import { ownerConnection, useTestApp } from '../../support/suite';
import { createActivity, createPrivacyRequest, distinctiveSubject, seedRequest, waitUntilDone } from './privacy-support';

const suite = useTestApp();
const call = caller(() => suite.app);
const run = promisify(execFile);

/**
 * The whole test database as pg_dump writes it: every row of every table, whoever owns it. The
 * embedded PostgreSQL (the suite's run without services) is newer than any pg_dump Debian ships,
 * and pg_dump refuses a newer server; there the same rows are read as text with SQL instead.
 */
async function databaseDump(): Promise<string> {
  const url = process.env.DATABASE_URL as string;
  try {
    const { stdout } = await run('pg_dump', ['--data-only', `--dbname=${url}`], { maxBuffer: 1024 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if (!/server version mismatch/.test(String((error as { stderr?: string }).stderr))) throw error;
    return everyRowAsText(url);
  }
}

async function everyRowAsText(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    const parts: string[] = [];
    for (const table of tables) {
      const { rows } = await client.query<{ row: string }>(`select t::text as row from "${table.schema}"."${table.name}" t`);
      parts.push(...rows.map((row) => row.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** Which of `values` the org's cache still holds: every key and value in Redis, or the in-process store without it. */
async function cachedValues(orgId: string, values: readonly string[]): Promise<string[]> {
  if (process.env.REDIS_URL) return found(await redisContents(), values);
  const entries = suite.app.get(OrganizationCacheEntries);
  const held: string[] = [];
  for (const value of values) if ((await entries.scan(orgId, [value])).matching > 0) held.push(value);
  return held;
}

const CACHE_STORE = process.env.REDIS_URL ? 'redis cache' : 'in-process cache';

/** Every key and value in this suite's Redis database, whatever its type. */
async function redisContents(): Promise<string> {
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  try {
    const parts: string[] = [];
    for await (const keys of redis.scanIterator({ COUNT: 1000 })) {
      for (const key of keys) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'set') parts.push(...(await redis.sMembers(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hGetAll(key)));
        else if (type === 'list') parts.push(...(await redis.lRange(key, 0, -1)));
        else if (type === 'zset') parts.push(...(await redis.zRange(key, 0, -1)));
      }
    }
    return parts.join('\n');
  } finally {
    await redis.quit();
  }
}

function found(haystack: string, values: readonly string[]): string[] {
  const lowered = haystack.toLowerCase();
  return values.filter((value) => lowered.includes(value.toLowerCase()));
}

async function publicKey(user: Signed): Promise<{ keyId: string; publicKeyPem: string }> {
  const response = await call('GET', '/v1/compliance/signing-key', user.token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('Privacy erasure (e2e)', () => {
  it('erases the subject from every table and cache, keeps a tombstone, and signs a certificate that verifies', async () => {
    const owner = await signup(suite.app);
    const s = distinctiveSubject();
    const values = [s.email, s.phone, s.firstName, s.lastName, s.secret];
    const company = (await call('POST', '/v1/companies', owner.token, { name: 'Erasure Test Co' })).json();
    const subject = await createContact(
      suite.app,
      owner,
      {
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        phone: s.phone,
        companyId: company.id,
        tags: ['vip'],
        customFields: { note: s.secret },
      },
      { 'idempotency-key': randomUUID() },
    );
    const ownActivity = await createActivity(call, owner, subject.id, {
      subject: `Call with ${s.firstName} ${s.lastName}`,
      body: `Reach them on ${s.phone} or ${s.email}`,
    });
    const other = await createContact(suite.app, owner, {
      firstName: 'Other',
      lastName: 'Person',
      email: `other-${randomUUID()}@example.test`,
    });
    const mention = await createActivity(call, owner, other.id, {
      subject: 'Introduction',
      body: `Introduced ${s.firstName} ${s.lastName}`,
    });
    const unrelated = await createActivity(call, owner, other.id, { subject: 'Quarterly review', body: 'Renewal agreed' });
    expect((await call('POST', '/v1/invitations', owner.token, { email: s.email, role: 'viewer' })).statusCode).toBe(201);
    // A request rejected with a reason that names the subject: free text on the request rows is erased too.
    const db = await ownerConnection();
    const rejected = await seedRequest(db, owner.orgId).finally(() => db.end());
    const reason = { reason: `Could not verify that ${s.email} is ${s.firstName} ${s.lastName}` };
    expect((await call('POST', `/v1/privacy/requests/${rejected}/rejection`, owner.token, reason)).statusCode).toBe(200);
    const access = await createPrivacyRequest(call, owner, 'access', s.email);
    await waitUntilDone(call, owner.token, access.id);
    expect(found((await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token)).body, values)).toEqual(values);

    // Reads that leave copies in the response and query caches.
    for (const url of [
      `/v1/contacts/${subject.id}`,
      '/v1/contacts?limit=100',
      `/v1/contacts/${subject.id}/activities`,
      `/v1/contacts?q=${s.lastName.slice(0, 8)}`,
    ]) {
      expect((await call('GET', url, owner.token)).statusCode).toBe(200);
    }
    // The check below means something: before the erasure the dump and Redis do hold the values.
    expect(found(await databaseDump(), values)).toEqual(values);
    expect(await cachedValues(owner.orgId, [s.email, s.firstName, s.lastName])).toEqual([s.email, s.firstName, s.lastName]);

    const created = await call(
      'POST',
      '/v1/privacy/requests',
      owner.token,
      { type: 'erasure', subjectEmail: s.email },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.statusCode).toBe(202);
    const erasure = created.json();
    const done = await waitUntilDone(call, owner.token, erasure.id);
    expect(done).toMatchObject({ status: 'completed', subjectEmail: null, certificateAvailable: true });
    expect(done.result).toMatchObject({
      contactsAnonymised: 1,
      activitiesRedacted: 1,
      mentionsRedacted: 1,
      invitationsDeleted: 1,
      exportsDeleted: 1,
      residualMatches: 0,
    });
    expect(done.result.idempotencyRecordsDeleted).toBe(2); // the contact's creation and this very request's
    expect(done.result.cacheEntriesEvicted).toBeGreaterThanOrEqual(1);

    // The tombstone: same id, company and tags, every personal field erased, a new version.
    const tombstone = await call('GET', `/v1/contacts/${subject.id}`, owner.token);
    expect(tombstone.json()).toMatchObject({
      id: subject.id,
      firstName: '[erased]',
      lastName: '[erased]',
      email: null,
      phone: null,
      customFields: {},
      tags: ['vip'],
      companyId: company.id,
      version: subject.version + 1,
    });
    expect((await call('GET', `/v1/activities/${ownActivity.id}`, owner.token)).json()).toMatchObject({ subject: '[erased]', body: null });
    expect((await call('GET', `/v1/activities/${mention.id}`, owner.token)).json()).toMatchObject({ subject: '[erased]', body: null });
    expect((await call('GET', `/v1/activities/${unrelated.id}`, owner.token)).json()).toMatchObject({
      subject: 'Quarterly review',
      body: 'Renewal agreed',
    });
    expect((await call('GET', `/v1/contacts/${other.id}`, owner.token)).json()).toMatchObject({ firstName: 'Other' });
    const invitations = (await call('GET', '/v1/invitations?limit=100', owner.token)).body;
    expect(invitations).not.toContain(s.email);
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token), 410, 'PRIVACY_EXPORT_EXPIRED');
    expect((await call('GET', `/v1/privacy/requests/${access.id}`, owner.token)).json().subjectEmail).toBeNull();
    expect((await call('GET', `/v1/privacy/requests/${rejected}`, owner.token)).json()).toMatchObject({ rejectionReason: '[erased]' });

    // Nothing of the subject anywhere: not in any table (pg_dump of the whole database), not in Redis.
    expect(found(await databaseDump(), values)).toEqual([]);
    expect(await cachedValues(owner.orgId, values)).toEqual([]);

    // The certificate: no personal values, verifiable with the published key, and tamper-evident.
    const response = await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, owner.token);
    expect(response.statusCode).toBe(200);
    const { certificate, signature } = response.json() as { certificate: Json; signature: Json };
    expect(found(JSON.stringify(certificate), values)).toEqual([]);
    expect(certificate).toMatchObject({
      requestId: erasure.id,
      orgId: owner.orgId,
      subject: { emailSha256: erasure.subjectHash },
      records: { contactsAnonymised: 1, activitiesRedacted: 1, mentionsRedacted: 1, invitationsDeleted: 1, exportsDeleted: 1 },
      method: { 'Contact.firstName': 'anonymise', 'Contact.email': 'null', 'Activity.body': 'null', 'Invitation.email': 'delete (row)' },
      verification: { performed: true, residualMatches: 0, storesNotScanned: [] },
      completedAt: done.completedAt,
    });
    expect(certificate.fields).toEqual(
      expect.arrayContaining(['Contact.firstName', 'Contact.lastName', 'Contact.phone', 'Contact.customFields']),
    );
    expect(certificate.storesCovered).toEqual(
      expect.arrayContaining([
        'contacts',
        'activities',
        'audit_events',
        'idempotency_records',
        'invitations',
        'privacy_requests',
        CACHE_STORE,
      ]),
    );
    expect(certificate.verification.perStore).toMatchObject({ contacts: 0, activities: 0, audit_events: 0, [CACHE_STORE]: 0 });
    expect(certificate.notCovered.backups).toMatch(/Backups taken before .* roll off when rotated \(\d+ days\)/);
    const key = await publicKey(owner);
    expect(signature).toMatchObject({ algorithm: 'ed25519', keyId: key.keyId });
    const valid = (doc: Json) => verify(null, Buffer.from(canonicalJson(doc)), key.publicKeyPem, Buffer.from(signature.value, 'base64'));
    expect(valid(certificate)).toBe(true);
    expect(valid({ ...certificate, records: { ...certificate.records, contactsAnonymised: 0 } })).toBe(false);
    expect(valid({ ...certificate, verification: { ...certificate.verification, residualMatches: 1 } })).toBe(false);

    // Erasure rewrote records, never the audit log: its chain still verifies.
    expect((await call('GET', '/v1/audit-events/verify', owner.token)).json()).toMatchObject({ valid: true });
  });

  it('erases only the requesting organization’s subject: the same email in another organization stays', async () => {
    const a = await signup(suite.app);
    const b = await signup(suite.app);
    const s = distinctiveSubject();
    const inA = await createContact(suite.app, a, { firstName: s.firstName, lastName: s.lastName, email: s.email });
    const inB = await createContact(suite.app, b, { firstName: s.firstName, lastName: s.lastName, email: s.email, phone: s.phone });
    const erasure = await createPrivacyRequest(call, a, 'erasure', s.email);
    await waitUntilDone(call, a.token, erasure.id);
    expect((await call('GET', `/v1/contacts/${inA.id}`, a.token)).json()).toMatchObject({ email: null, firstName: '[erased]' });
    expect((await call('GET', `/v1/contacts/${inB.id}`, b.token)).json()).toMatchObject({
      email: s.email,
      firstName: s.firstName,
      phone: s.phone,
    });
    // The subject hash is per organization: B's request for the same person cannot be linked to A's.
    const inBRequest = await createPrivacyRequest(call, b, 'access', s.email);
    expect(inBRequest.subjectHash).not.toBe(erasure.subjectHash);
    await waitUntilDone(call, b.token, inBRequest.id);
  });

  it('still completes when the search finds the subject somewhere it cannot erase, and says where (never what)', async () => {
    const owner = await signup(suite.app);
    const s = distinctiveSubject();
    await createContact(suite.app, owner, { firstName: s.firstName, lastName: s.lastName, email: s.email });
    // The subject is also a user of this organization: accounts are closed, not erased by a contact request.
    const invited = await call('POST', '/v1/invitations', owner.token, { email: s.email, role: 'viewer' });
    const accepted = await call('POST', '/v1/invitations/accept', undefined, {
      token: invited.json().token,
      name: 'Subject User',
      password: 'plenty of entropy in here 42',
    });
    expect(accepted.statusCode).toBe(200);

    const erasure = await createPrivacyRequest(call, owner, 'erasure', s.email);
    const done = await waitUntilDone(call, owner.token, erasure.id);
    expect(done.status).toBe('completed');
    expect(done.result.residualMatches).toBeGreaterThanOrEqual(1);
    const { certificate } = (await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, owner.token)).json();
    expect(certificate.verification.residualMatches).toBe(done.result.residualMatches);
    expect(certificate.verification.perStore['users (accounts in this organization)']).toBe(1);
    expect(found(JSON.stringify(certificate), [s.email, s.firstName, s.lastName])).toEqual([]);
  });

  it('lists a first or last name found alone as a possible mention, not as a residual match', async () => {
    const owner = await signup(suite.app);
    const s = distinctiveSubject();
    await createContact(suite.app, owner, { firstName: s.firstName, lastName: s.lastName, email: s.email });
    // Someone else who shares only the last name: not the subject's data, and not touched.
    const namesake = await createContact(suite.app, owner, { firstName: 'Alex', lastName: s.lastName });
    const erasure = await createPrivacyRequest(call, owner, 'erasure', s.email);
    const done = await waitUntilDone(call, owner.token, erasure.id);
    expect(done.result).toMatchObject({ contactsAnonymised: 1, residualMatches: 0, possibleMentions: 1 });
    const { certificate } = (await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, owner.token)).json();
    expect(certificate.verification.possibleMentions).toMatchObject({ total: 1, perStore: { contacts: 1 } });
    expect((await call('GET', `/v1/contacts/${namesake.id}`, owner.token)).json()).toMatchObject({ lastName: s.lastName });
  });
});
