import { randomUUID } from 'node:crypto';
import { Jobs } from '../../../src/platform/jobs';
import { Signed, signup, uniqueEmail } from '../../support/factories';
import { Method, caller } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { CATEGORIES } from './retention-categories';

/**
 * The nightly retention job against real data made old with direct SQL (as the superuser the
 * tests connect with): the preview's counts are exactly what the job then does, per category and
 * org; legal holds stop both; the audit chain stays verifiable after its prefix is pruned.
 */

type Counts = Record<string, number>;

const NOTHING: Counts = Object.fromEntries(CATEGORIES.map((category) => [category, 0]));

const call = caller(() => suite.app);

async function created(method: Method, url: string, token: string, payload: object, headers: Record<string, string> = {}): Promise<string> {
  const response = await call(method, url, token, payload, headers);
  if (response.statusCode !== 201) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

/** Makes rows old: `column = now() - age` for the given ids. */
async function age(table: string, column: string, ids: string[], interval: string): Promise<void> {
  await suite.db.query(`update ${table} set ${column} = now() - $2::interval where id = any($1::uuid[])`, [ids, interval]);
}

/** Backdates the first events of an org's chain; audit_events refuses updates, so triggers are off for this session. */
async function ageAuditEvents(orgId: string, throughSeq: number, interval: string): Promise<void> {
  await suite.db.query('begin');
  await suite.db.query('set local session_replication_role = replica');
  await suite.db.query(`update audit_events set occurred_at = now() - $3::interval where org_id = $1 and seq <= $2`, [
    orgId,
    throughSeq,
    interval,
  ]);
  await suite.db.query('commit');
}

interface Seeded {
  keptContact: string;
  oldActivities: string[];
  recentActivity: string;
  inactiveContact: string;
  inactiveWithHistory: string;
  historyActivity: string;
  inactiveButCalled: string;
  oldExports: string[];
  freshExport: string;
  oldInvitations: string[];
  freshInvitation: string;
  oldIdempotencyRecord: string;
}

/**
 * One of everything each category reaches, and a near miss for each. With the default policies
 * the preview counts: inactive_contacts 2, activities 4, audit_events 3, privacy_exports 2,
 * expired_invitations 2, expired_idempotency_records 1.
 */
async function seed(owner: Signed): Promise<Seeded> {
  const contact = (body: object = {}) => created('POST', '/v1/contacts', owner.token, { firstName: 'Ada', lastName: 'Lovelace', ...body });
  const activity = (contactId: string, occurredAt: string) =>
    created('POST', `/v1/contacts/${contactId}/activities`, owner.token, {
      type: 'call',
      subject: 'Pricing call',
      body: 'Talked',
      occurredAt,
    });
  const longAgo = '2019-03-01T10:00:00.000Z';

  const keptContact = await contact();
  const oldActivities = [await activity(keptContact, longAgo), await activity(keptContact, longAgo), await activity(keptContact, longAgo)];
  const recentActivity = await activity(keptContact, new Date().toISOString());

  const inactiveContact = await contact({
    email: 'ada@example.test',
    phone: '+14155550123',
    customFields: { tier: 'gold' },
    tags: ['vip'],
  });
  const inactiveWithHistory = await contact();
  const historyActivity = await activity(inactiveWithHistory, longAgo);
  const inactiveButCalled = await contact();
  await activity(inactiveButCalled, new Date(Date.now() - 30 * 86_400_000).toISOString());
  await age('contacts', 'updated_at', [inactiveContact, inactiveWithHistory, inactiveButCalled], '4 years');
  await age('activities', 'created_at', [historyActivity], '4 years');

  const idempotent = randomUUID();
  await created('POST', '/v1/contacts', owner.token, { firstName: 'Idem', lastName: 'Potent' }, { 'idempotency-key': idempotent });
  await created('POST', '/v1/contacts', owner.token, { firstName: 'Idem', lastName: 'Fresh' }, { 'idempotency-key': randomUUID() });
  const { rows } = await suite.db.query('select id from idempotency_records where org_id = $1 and key = $2', [owner.orgId, idempotent]);
  const oldIdempotencyRecord = rows[0].id;
  await age('idempotency_records', 'expires_at', [oldIdempotencyRecord], '2 days');

  const invitation = () => created('POST', '/v1/invitations', owner.token, { email: uniqueEmail('invitee'), role: 'member' });
  const oldInvitations = [await invitation(), await invitation()];
  const freshInvitation = await invitation();
  await age('invitations', 'expires_at', [oldInvitations[0]], '40 days');
  await age('invitations', 'revoked_at', [oldInvitations[1]], '31 days');

  const exportRow = async (completedAgo: string, expiresIn: string) => {
    const id = randomUUID();
    await suite.db.query(
      `insert into privacy_requests (id, org_id, type, status, subject_hash, due_at, requested_by_type, completed_at, export, export_expires_at)
       values ($1, $2, 'access', 'completed', 'hash', now(), 'user', now() - $3::interval, '{"contacts": []}', now() + $4::interval)`,
      [id, owner.orgId, completedAgo, expiresIn],
    );
    return id;
  };
  const oldExports = [await exportRow('40 days', '-10 days'), await exportRow('2 days', '-1 hour')];
  const freshExport = await exportRow('1 day', '29 days');

  await ageAuditEvents(owner.orgId, 3, '8 years');
  return {
    keptContact,
    oldActivities,
    recentActivity,
    inactiveContact,
    inactiveWithHistory,
    historyActivity,
    inactiveButCalled,
    oldExports,
    freshExport,
    oldInvitations,
    freshInvitation,
    oldIdempotencyRecord,
  };
}

interface PreviewEntry {
  category: string;
  action: string;
  durationDays: number;
  cutoff: string;
  count: number;
  cascadedActivities?: number;
  heldBy?: string[];
}

interface ChainVerification {
  valid: boolean;
  checked: number;
  lastSeq: number;
  checkpoint: { seq: number; signatureValid: boolean } | null;
}

async function preview(owner: Signed): Promise<PreviewEntry[]> {
  const response = await call('POST', '/v1/retention-policies/preview', owner.token);
  expect(response.statusCode).toBe(200);
  return response.json().categories;
}

async function previewCounts(owner: Signed): Promise<Counts> {
  return Object.fromEntries((await preview(owner)).map((entry) => [entry.category, entry.count]));
}

async function runRetention(): Promise<string> {
  const result = await suite.app.get(Jobs).runNow('retention');
  if (result.status !== 'succeeded') throw new Error(`retention run: ${JSON.stringify(result)}`);
  return result.runId;
}

async function lastRun(orgId: string): Promise<{ id: string; outcome: string; counts: Counts; job_run_id: string; duration_ms: number }> {
  const { rows } = await suite.db.query('select * from retention_runs where org_id = $1 order by started_at desc, id desc limit 1', [
    orgId,
  ]);
  return rows[0];
}

/** What the run did for the org, per category (cascaded activities apart). */
function categoryCounts(counts: Counts): Counts {
  return Object.fromEntries(CATEGORIES.map((category) => [category, counts[category]]));
}

async function setPolicy(owner: Signed, category: string, durationDays: number, action = 'delete'): Promise<void> {
  expect((await call('PUT', `/v1/retention-policies/${category}`, owner.token, { durationDays, action })).statusCode).toBe(200);
}

async function hold(owner: Signed, body: object): Promise<string> {
  return created('POST', '/v1/legal-holds', owner.token, { reason: 'Litigation hold', ...body });
}

async function release(owner: Signed, id: string): Promise<void> {
  expect((await call('DELETE', `/v1/legal-holds/${id}`, owner.token)).statusCode).toBe(204);
}

async function existing(table: string, ids: string[]): Promise<string[]> {
  const { rows } = await suite.db.query(`select id from ${table} where id = any($1::uuid[]) order by id`, [ids]);
  return rows.map((row: { id: string }) => row.id);
}

async function verifyChain(owner: Signed): Promise<ChainVerification> {
  const response = await call('GET', '/v1/audit-events/verify', owner.token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

const DEFAULT_EXPECTED: Counts = {
  activities: 4,
  inactive_contacts: 2,
  audit_events: 3,
  privacy_exports: 2,
  expired_invitations: 2,
  expired_idempotency_records: 1,
};

// Its jobs visit every organization: a database of its own keeps them to this file's orgs.
const suite = useTestAppWithOwnerDb({ scratchDatabase: 'retention_job' });

/**
 * A run visits every organization in the database, so the scenarios share runs: each gets its
 * own organizations, seeded and previewed before the run, and checked after it.
 */
describe('one nightly run does what the preview showed', () => {
  const orgs: Record<string, Signed> = {};
  const seeded: Record<string, Seeded> = {};
  const previews: Record<string, PreviewEntry[]> = {};
  const holds: Record<string, string> = {};
  let runId: string;
  let cachedBefore: { firstName: string; email: string | null; version: number };
  let checkpointSeq: number;

  beforeAll(async () => {
    for (const name of ['defaults', 'other', 'deleting', 'anonymising', 'orgHeld', 'scopeHeld', 'activitiesHeld']) {
      orgs[name] = await signup(suite.app);
      seeded[name] = await seed(orgs[name]);
    }
    for (const category of CATEGORIES) await setPolicy(orgs.other, category, 36500);
    await setPolicy(orgs.deleting, 'inactive_contacts', 1095, 'delete');
    await setPolicy(orgs.anonymising, 'activities', 365, 'anonymise');
    holds.organization = await hold(orgs.orgHeld, { scope: 'organization' });
    holds.keptContact = await hold(orgs.scopeHeld, { scope: 'contact', contactId: seeded.scopeHeld.keptContact });
    holds.inactiveContact = await hold(orgs.scopeHeld, { scope: 'contact', contactId: seeded.scopeHeld.inactiveContact });
    holds.auditEvents = await hold(orgs.scopeHeld, { scope: 'category', category: 'audit_events' });
    await setPolicy(orgs.activitiesHeld, 'inactive_contacts', 1095, 'delete');
    holds.activities = await hold(orgs.activitiesHeld, { scope: 'category', category: 'activities' });

    // An org whose whole chain is old, up to and including its newest signed checkpoint.
    orgs.checkpointed = await signup(suite.app);
    await call('POST', '/v1/contacts', orgs.checkpointed.token, { firstName: 'Check', lastName: 'Point' });
    expect((await suite.app.get(Jobs).runNow('audit-checkpoint')).status).toBe('succeeded');
    checkpointSeq = (await verifyChain(orgs.checkpointed)).checkpoint?.seq ?? 0;
    // Backdating rewrites the events (and so breaks their hashes): this org shows where pruning stops, not /verify.
    await ageAuditEvents(orgs.checkpointed.orgId, checkpointSeq, '8 years');

    // A cached read before the run must not be served after it.
    cachedBefore = (await call('GET', `/v1/contacts/${seeded.defaults.inactiveContact}`, orgs.defaults.token)).json();
    expect(cachedBefore).toMatchObject({ firstName: 'Ada', email: 'ada@example.test' });
    expect(await verifyChain(orgs.defaults)).toMatchObject({ valid: false });

    for (const [name, owner] of Object.entries(orgs)) previews[name] = await preview(owner);
    runId = await runRetention();
  });

  const countsOf = (name: string): Counts => Object.fromEntries(previews[name].map((entry) => [entry.category, entry.count]));

  it('applies the default policies to every category, and the next preview finds nothing', async () => {
    const { defaults: owner } = orgs;
    const mine = seeded.defaults;
    expect(countsOf('defaults')).toEqual(DEFAULT_EXPECTED);
    const run = await lastRun(owner.orgId);
    expect(run).toMatchObject({ outcome: 'succeeded', job_run_id: runId });
    expect(categoryCounts(run.counts)).toEqual(DEFAULT_EXPECTED);
    expect(await previewCounts(owner)).toEqual(NOTHING);

    expect(await existing('activities', [...mine.oldActivities, mine.historyActivity, mine.recentActivity])).toEqual([mine.recentActivity]);
    const anonymised = (await call('GET', `/v1/contacts/${mine.inactiveContact}`, owner.token)).json();
    expect(anonymised).toMatchObject({
      firstName: '[erased]',
      lastName: '[erased]',
      email: null,
      phone: null,
      customFields: {},
      tags: ['vip'],
    });
    expect(anonymised.version).toBeGreaterThan(cachedBefore.version);
    expect((await call('GET', `/v1/contacts/${mine.inactiveButCalled}`, owner.token)).json()).toMatchObject({ firstName: 'Ada' });
    expect(await existing('invitations', [...mine.oldInvitations, mine.freshInvitation])).toEqual([mine.freshInvitation]);
    expect(await existing('idempotency_records', [mine.oldIdempotencyRecord])).toEqual([]);
    const { rows: exports } = await suite.db.query('select id from privacy_requests where org_id = $1 and export is not null', [
      owner.orgId,
    ]);
    expect(exports.map((row: { id: string }) => row.id)).toEqual([mine.freshExport]);
  });

  it('prunes the old prefix of the audit chain, which still verifies from its new start', async () => {
    const owner = orgs.defaults;
    const events = (await call('GET', '/v1/audit-events?limit=100', owner.token)).json().data;
    expect(Math.min(...events.map((event: { seq: number }) => event.seq))).toBe(4);
    const verified = await verifyChain(owner);
    // Recomputed from its new start. Its backdated (so broken) prefix kept the checkpoint job from signing it before the run.
    expect(verified).toMatchObject({ valid: true, checked: verified.lastSeq - 3, checkpointedThrough: 0, checkpoint: null });
    const { rows } = await suite.db.query('select pruned_through_seq from audit_chain_heads where org_id = $1', [owner.orgId]);
    expect(Number(rows[0].pruned_through_seq)).toBe(3);
  });

  it('stops pruning before the newest signed checkpoint’s event, which /verify checks against its row', async () => {
    const owner = orgs.checkpointed;
    expect(countsOf('checkpointed').audit_events).toBe(checkpointSeq - 1);
    expect((await lastRun(owner.orgId)).counts.audit_events).toBe(checkpointSeq - 1);
    const { rows } = await suite.db.query(
      'select pruned_through_seq, (select min(seq) from audit_events where org_id = $1) as first_seq from audit_chain_heads where org_id = $1',
      [owner.orgId],
    );
    expect(rows[0]).toEqual({ pruned_through_seq: String(checkpointSeq - 1), first_seq: String(checkpointSeq) });
  });

  it('leaves another organization’s data to its own policies', async () => {
    const { other } = orgs;
    const theirs = seeded.other;
    // Exports past their download deadline go whatever the policy's duration.
    expect(countsOf('other')).toEqual({ ...NOTHING, privacy_exports: 2 });
    expect(categoryCounts((await lastRun(other.orgId)).counts)).toEqual({ ...NOTHING, privacy_exports: 2 });
    expect(await existing('activities', theirs.oldActivities)).toHaveLength(3);
    expect(await existing('invitations', theirs.oldInvitations)).toHaveLength(2);
    expect((await call('GET', `/v1/contacts/${theirs.inactiveContact}`, other.token)).json()).toMatchObject({ email: 'ada@example.test' });
    const events = (await call('GET', '/v1/audit-events?limit=100', other.token)).json().data;
    expect(Math.min(...events.map((event: { seq: number }) => event.seq))).toBe(1);
  });

  it('records the run in job_runs and retention_runs, and in each organization’s audit log', async () => {
    const { rows } = await suite.db.query('select * from job_runs where id = $1', [runId]);
    expect(rows[0]).toMatchObject({ job: 'retention', trigger: 'manual', outcome: 'succeeded', error: null });
    expect(rows[0].counts.organizations).toBeGreaterThanOrEqual(Object.keys(orgs).length);
    expect(rows[0].counts.activities).toBeGreaterThanOrEqual(4);
    const run = await lastRun(orgs.defaults.orgId);
    expect(run.duration_ms).toEqual(expect.any(Number));

    const [event] = (await call('GET', '/v1/audit-events?action=retention.run', orgs.defaults.token)).json().data;
    expect(event).toMatchObject({
      actor: { type: 'system', id: 'retention' },
      target: { type: 'retention-run', id: run.id },
      outcome: 'success',
      details: expect.objectContaining(DEFAULT_EXPECTED),
    });
  });

  it('deletes inactive contacts with their activities when the policy says delete', async () => {
    const { deleting: owner } = orgs;
    const mine = seeded.deleting;
    expect(previews.deleting.find((entry) => entry.category === 'inactive_contacts')).toMatchObject({ count: 2, cascadedActivities: 1 });
    const expected = { ...DEFAULT_EXPECTED, activities: 3 };
    expect(countsOf('deleting')).toEqual(expected);
    const run = await lastRun(owner.orgId);
    expect(categoryCounts(run.counts)).toEqual(expected);
    expect(run.counts.inactive_contacts_cascaded_activities).toBe(1);
    expect(await existing('contacts', [mine.inactiveContact, mine.inactiveWithHistory, mine.inactiveButCalled])).toEqual([
      mine.inactiveButCalled,
    ]);
    expect(await existing('activities', [mine.historyActivity])).toEqual([]);
    expect((await call('GET', `/v1/contacts/${mine.inactiveContact}`, owner.token)).statusCode).toBe(404);
  });

  it('anonymises activities when the policy says so, once', async () => {
    const { anonymising: owner } = orgs;
    expect(countsOf('anonymising')).toEqual(DEFAULT_EXPECTED);
    expect(categoryCounts((await lastRun(owner.orgId)).counts)).toEqual(DEFAULT_EXPECTED);
    const activity = (await call('GET', `/v1/activities/${seeded.anonymising.oldActivities[0]}`, owner.token)).json();
    expect(activity).toMatchObject({ subject: '[erased]', body: null, type: 'call', occurredAt: '2019-03-01T10:00:00.000Z' });
    expect(await previewCounts(owner)).toEqual(NOTHING);
  });

  it('does nothing under an organization-wide hold', async () => {
    for (const entry of previews.orgHeld) expect(entry).toMatchObject({ count: 0, heldBy: [holds.organization] });
    expect(categoryCounts((await lastRun(orgs.orgHeld.orgId)).counts)).toEqual(NOTHING);
    expect(await existing('activities', seeded.orgHeld.oldActivities)).toHaveLength(3);
  });

  it('keeps only the scope of contact and category holds', async () => {
    const { scopeHeld: owner } = orgs;
    const mine = seeded.scopeHeld;
    const heldBy = Object.fromEntries(previews.scopeHeld.map((entry) => [entry.category, entry.heldBy]));
    expect(heldBy).toEqual({
      activities: [holds.keptContact, holds.inactiveContact],
      inactive_contacts: [holds.keptContact, holds.inactiveContact],
      audit_events: [holds.auditEvents],
      privacy_exports: undefined,
      expired_invitations: undefined,
      expired_idempotency_records: undefined,
    });
    const expected = { ...DEFAULT_EXPECTED, activities: 1, inactive_contacts: 1, audit_events: 0 };
    expect(countsOf('scopeHeld')).toEqual(expected);
    expect(categoryCounts((await lastRun(owner.orgId)).counts)).toEqual(expected);
    expect(await existing('activities', mine.oldActivities)).toHaveLength(3);
    expect((await call('GET', `/v1/contacts/${mine.inactiveContact}`, owner.token)).json()).toMatchObject({ firstName: 'Ada' });
    expect((await call('GET', `/v1/contacts/${mine.inactiveWithHistory}`, owner.token)).json()).toMatchObject({
      firstName: '[erased]',
    });
  });

  it('does not delete contacts that still have activities while activities are on hold', async () => {
    const mine = seeded.activitiesHeld;
    expect(previews.activitiesHeld.find((entry) => entry.category === 'inactive_contacts')).toMatchObject({
      count: 1,
      cascadedActivities: 0,
    });
    expect(previews.activitiesHeld.find((entry) => entry.category === 'activities')).toMatchObject({
      count: 0,
      heldBy: [holds.activities],
    });
    expect((await lastRun(orgs.activitiesHeld.orgId)).counts).toMatchObject({
      inactive_contacts: 1,
      activities: 0,
      inactive_contacts_cascaded_activities: 0,
    });
    expect(await existing('contacts', [mine.inactiveContact, mine.inactiveWithHistory])).toEqual([mine.inactiveWithHistory]);
    expect(await existing('activities', [mine.historyActivity])).toEqual([mine.historyActivity]);
  });

  describe('after the holds are released', () => {
    const after: Record<string, Counts> = {};

    beforeAll(async () => {
      await release(orgs.orgHeld, holds.organization);
      for (const id of [holds.keptContact, holds.inactiveContact, holds.auditEvents]) await release(orgs.scopeHeld, id);
      after.orgHeld = await previewCounts(orgs.orgHeld);
      after.scopeHeld = await previewCounts(orgs.scopeHeld);
      await runRetention();
    });

    it('the next run applies the policies there too, as previewed', async () => {
      expect(after.orgHeld).toEqual(DEFAULT_EXPECTED);
      expect(categoryCounts((await lastRun(orgs.orgHeld.orgId)).counts)).toEqual(DEFAULT_EXPECTED);
      const scoped = { ...NOTHING, activities: 3, inactive_contacts: 1, audit_events: 3 };
      expect(after.scopeHeld).toEqual(scoped);
      expect(categoryCounts((await lastRun(orgs.scopeHeld.orgId)).counts)).toEqual(scoped);
      expect(await existing('activities', seeded.scopeHeld.oldActivities)).toEqual([]);
    });
  });
});

describe('failures', () => {
  it('one organization failing does not stop the others, but fails the job run', async () => {
    const failing = await signup(suite.app);
    const fine = await signup(suite.app);
    const failingSeed = await seed(failing);
    await seed(fine);
    await suite.db.query(`create or replace function retention_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'refused for the test'; end $$`);
    await suite.db.query(`create trigger retention_test_refuse before delete on invitations for each row
      when (old.org_id = '${failing.orgId}') execute function retention_test_refuse()`);
    try {
      const result = await suite.app.get(Jobs).runNow('retention');
      expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/failed for 1 of \d+ organizations/) });
    } finally {
      await suite.db.query('drop trigger retention_test_refuse on invitations');
      await suite.db.query('drop function retention_test_refuse()');
    }
    const failed = await lastRun(failing.orgId);
    expect(failed).toMatchObject({ outcome: 'failed', error: expect.stringContaining('refused for the test') });
    // Categories applied before the failing one are reported.
    expect(failed.counts).toMatchObject({ inactive_contacts: 2, activities: 4, audit_events: 3, privacy_exports: 2 });
    expect(await existing('invitations', failingSeed.oldInvitations)).toHaveLength(2);
    const [event] = (await call('GET', '/v1/audit-events?action=retention.run', failing.token)).json().data;
    expect(event).toMatchObject({ outcome: 'failure' });

    expect(await lastRun(fine.orgId)).toMatchObject({ outcome: 'succeeded', counts: expect.objectContaining(DEFAULT_EXPECTED) });
  });
});
