import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { AuditLog } from '../../../src/compliance';
import { Signed, addMember, bearer, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';

let app: NestFastifyApplication;
let owner: Client;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions below
type Json = Record<string, any>;

/** Collects now (the last 24 hours) and returns the full record of one check. */
async function evidenceOf(user: Signed, checkId: string): Promise<Json> {
  const collected = await app.inject({
    method: 'POST',
    url: '/v1/compliance/evidence/collections',
    headers: bearer(user.token),
    payload: {},
  });
  expect(collected.statusCode).toBe(201);
  const { id } = collected.json().data.find((record: Json) => record.checkId === checkId);
  const response = await app.inject({ method: 'GET', url: `/v1/compliance/evidence/${id}`, headers: bearer(user.token) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** As the table owner, bypassing the append-only trigger: what an attacker with DBA rights could do. */
async function asOwnerWithoutTrigger(sql: string, params: unknown[]): Promise<void> {
  await owner.query('begin');
  await owner.query('alter table audit_events disable trigger audit_events_append_only');
  await owner.query(sql, params);
  await owner.query('alter table audit_events enable trigger audit_events_append_only');
  await owner.query('commit');
}

beforeAll(async () => {
  ({ app } = await createTestApp());
  owner = new Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  await owner.end();
  await app.close();
});

describe('access-snapshot', () => {
  it('lists every member with role, permissions and last sign-in, and flags dormant privileged accounts', async () => {
    const user = await signup(app);
    const admin = await addMember(app, user, 'admin');
    const member = await addMember(app, user, 'member');
    await addMember(app, user, 'viewer');
    await owner.query(`update users set last_login_at = now() - interval '100 days' where id = any($1)`, [[admin.userId, member.userId]]);

    const evidence = await evidenceOf(user, 'access-snapshot');
    expect(evidence.summary).toMatchObject({
      members: 4,
      privileged: 2,
      dormantPrivileged: 1,
      'members.owner': 1,
      'members.admin': 1,
      'members.member': 1,
      'members.viewer': 1,
      'members.auditor': 0,
      'privileged.admin': true,
      'privileged.auditor': false,
    });
    expect(evidence.summary['permissions.viewer']).toBe('contacts:read members:read org:read');
    expect(evidence.population.find((row: Json) => row.userId === admin.userId)).toMatchObject({
      email: admin.email,
      role: 'admin',
      privileged: true,
      accountAgeDays: 0,
      daysSinceLogin: 100,
    });
    // The member is as dormant, but not privileged: no exception.
    expect(evidence.exceptions).toEqual([expect.objectContaining({ userId: admin.userId, role: 'admin' })]);
    expect(evidence.result).toBe('exceptions');
  });
});

describe('provisioning', () => {
  it('lists accepted invitations and removals, with revocation in the same request', async () => {
    const user = await signup(app);
    const member = await addMember(app, user, 'member');
    const removed = await app.inject({ method: 'DELETE', url: `/v1/members/${member.userId}`, headers: bearer(user.token) });
    expect(removed.statusCode).toBe(204);

    const evidence = await evidenceOf(user, 'provisioning');
    expect(evidence.population).toEqual([
      expect.objectContaining({ kind: 'access-granted', userId: member.userId, role: 'member' }),
      expect.objectContaining({
        kind: 'access-removed',
        userId: member.userId,
        actorId: user.userId,
        revocation: 'same-request',
        revocationSeconds: 0,
      }),
    ]);
    expect(evidence.summary).toMatchObject({
      invitationsAccepted: 1,
      membersRemoved: 1,
      revocationsInSameRequest: 1,
      maxRevocationSeconds: 0,
    });
    expect(evidence).toMatchObject({ exceptions: [], result: 'pass' });
  });

  it('flags a removal with no revocation recorded, and one revoked more than an hour later', async () => {
    const user = await signup(app);
    const audit = app.get(AuditLog);
    const missing = randomUUID();
    const late = randomUUID();
    const actor = { type: 'user', id: user.userId } as const;
    await audit.append({ orgId: user.orgId, action: 'member.remove', actor, target: { type: 'member', id: missing } });
    const lateRemoval = await audit.append({ orgId: user.orgId, action: 'member.remove', actor, target: { type: 'member', id: late } });
    await audit.append({ orgId: user.orgId, action: 'member.removed', actor, target: { type: 'user', id: late } });
    await asOwnerWithoutTrigger(`update audit_events set occurred_at = occurred_at - interval '2 hours' where id = $1`, [lateRemoval.id]);

    const evidence = await evidenceOf(user, 'provisioning');
    expect(evidence.summary).toMatchObject({ membersRemoved: 2, removalsWithoutTimelyRevocation: 2 });
    expect(evidence.exceptions).toEqual([
      expect.objectContaining({ userId: missing, revocationSeconds: null, reason: 'no session revocation recorded for the removal' }),
      expect.objectContaining({ userId: late, revocationSeconds: expect.any(Number) }),
    ]);
    expect(evidence.exceptions[1].revocationSeconds).toBeGreaterThanOrEqual(7200);
    expect(evidence.result).toBe('exceptions');
  });
});

describe('api-keys', () => {
  it('lists active keys and flags unused and unrotated ones', async () => {
    const user = await signup(app);
    const fresh = await createApiKey(app, user, ['contacts:read'], 'fresh');
    const unused = await createApiKey(app, user, ['contacts:read', 'contacts:write'], 'unused');
    const old = await createApiKey(app, user, ['contacts:read'], 'old but busy');
    const revoked = await createApiKey(app, user, ['contacts:read'], 'revoked');
    await owner.query(`update api_keys set created_at = now() - interval '100 days' where id = $1`, [unused.id]);
    await owner.query(`update api_keys set created_at = now() - interval '400 days', last_used_at = now() where id = $1`, [old.id]);
    expect((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${revoked.id}`, headers: bearer(user.token) })).statusCode).toBe(204);

    const evidence = await evidenceOf(user, 'api-keys');
    expect(evidence.population.map((row: Json) => row.id).sort()).toEqual([fresh.id, unused.id, old.id].sort());
    expect(evidence.population.find((row: Json) => row.id === unused.id)).toMatchObject({
      name: 'unused',
      scopes: 'contacts:read contacts:write',
      ageDays: 100,
      lastUsedAt: null,
      expiresAt: null,
    });
    expect(evidence.exceptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: unused.id, reason: expect.stringContaining('never used') }),
        expect.objectContaining({ id: old.id, reason: expect.stringContaining('rotation') }),
      ]),
    );
    expect(evidence.exceptions).toHaveLength(2);
    expect(evidence.summary).toMatchObject({ activeKeys: 3, unusedOrUnrotated: 2 });
    expect(JSON.stringify(evidence)).not.toContain(fresh.secret);
  });
});

describe('monitoring', () => {
  it('counts failed sign-ins and denials, lists the alert rules, and passes while the chain verifies', async () => {
    const user = await signup(app);
    const viewer = await addMember(app, user, 'viewer');
    const failed = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'not the password at all' },
    });
    expect(failed.statusCode).toBe(401);
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(viewer.token),
      payload: { firstName: 'No', lastName: 'Way' },
    });
    expect(denied.statusCode).toBe(403);

    const evidence = await evidenceOf(user, 'monitoring');
    expect(evidence.summary).toMatchObject({ chainValid: true, chainFirstBrokenSeq: null, failedLogins: 1, permissionDenials: 1 });
    expect(evidence.summary.chainChecked).toBeGreaterThan(0);
    expect(evidence.population).toEqual(
      expect.arrayContaining([expect.objectContaining({ alert: 'AtriumJobStalled', severity: expect.any(String) })]),
    );
    expect(evidence).toMatchObject({ criteria: ['CC7.2'], exceptions: [], result: 'pass' });
  });

  it('fails when the audit chain was tampered with', async () => {
    const user = await signup(app);
    await asOwnerWithoutTrigger(`update audit_events set details = '{"tampered": true}' where org_id = $1 and seq = 1`, [user.orgId]);
    const evidence = await evidenceOf(user, 'monitoring');
    expect(evidence.summary).toMatchObject({ chainValid: false, chainFirstBrokenSeq: 1 });
    expect(evidence.exceptions).toEqual([expect.objectContaining({ reason: 'audit chain does not verify', firstBrokenSeq: 1 })]);
    expect(evidence.result).toBe('fail');
  });
});

describe('change-management', () => {
  it('states the version, the commit and every applied migration', async () => {
    const user = await signup(app);
    const evidence = await evidenceOf(user, 'change-management');
    expect(evidence.summary).toMatchObject({ version: '0.1.0', release: 'atrium@0.1.0', migrationsPending: 0 });
    expect(evidence.summary.commit).toMatch(/^([0-9a-f]{7,40}|unknown)$/);
    expect(evidence.population).toEqual(
      expect.arrayContaining([
        { name: 'Migration20261127005550_tenancy', executedAt: expect.any(String) },
        { name: 'Migration20261127050000_compliance_reports', executedAt: expect.any(String) },
      ]),
    );
    expect(evidence.summary.migrationsApplied).toBe(evidence.population.length);
    expect(evidence.result).toBe('pass');
  });
});

describe('disposal', () => {
  it('lists retention runs and legal holds of the period and flags failed runs', async () => {
    const user = await signup(app);
    const [succeeded, failed, earlier] = [randomUUID(), randomUUID(), randomUUID()];
    await owner.query(
      `insert into retention_runs (id, org_id, started_at, finished_at, outcome, counts, duration_ms, error) values
        ($1, $4, now() - interval '2 hours', now() - interval '2 hours', 'succeeded', '{"activities": 3, "inactive_contacts": 2}', 40, null),
        ($2, $4, now() - interval '1 hour', now() - interval '1 hour', 'failed', '{}', 10, 'boom'),
        ($3, $4, now() - interval '3 days', now() - interval '3 days', 'succeeded', '{"activities": 9}', 40, null)`,
      [succeeded, failed, earlier, user.orgId],
    );
    const [active, released, long] = [randomUUID(), randomUUID(), randomUUID()];
    await owner.query(
      `insert into legal_holds (id, org_id, scope, category, reason, created_at, released_at) values
        ($1, $4, 'organization', null, 'Litigation with Jane Doe', now() - interval '1 hour', null),
        ($2, $4, 'category', 'activities', 'audit', now() - interval '10 days', now() - interval '1 hour'),
        ($3, $4, 'organization', null, 'old', now() - interval '30 days', now() - interval '10 days')`,
      [active, released, long, user.orgId],
    );

    const evidence = await evidenceOf(user, 'disposal');
    expect(evidence.population).toEqual([
      expect.objectContaining({
        kind: 'retention-run',
        id: succeeded,
        status: 'succeeded',
        affectedRows: 5,
        detail: 'activities=3 inactive_contacts=2',
      }),
      expect.objectContaining({ kind: 'retention-run', id: failed, status: 'failed' }),
      expect.objectContaining({ kind: 'legal-hold', id: released, status: 'released', scope: 'category:activities' }),
      expect.objectContaining({ kind: 'legal-hold', id: active, status: 'active', scope: 'organization' }),
    ]);
    expect(evidence.summary).toMatchObject({
      retentionRuns: 2,
      retentionRunsSucceeded: 1,
      retentionRunsFailed: 1,
      rowsDisposed: 5,
      legalHoldsActive: 1,
      legalHoldsPlaced: 1,
      legalHoldsReleased: 1,
    });
    expect(evidence.exceptions).toEqual([expect.objectContaining({ id: failed, reason: 'retention run failed' })]);
    expect(evidence.result).toBe('exceptions');
    expect(JSON.stringify(evidence)).not.toContain('Jane Doe');
  });
});

describe('privacy-requests', () => {
  it('judges each request against its due date, naming subjects only by hash', async () => {
    const user = await signup(app);
    const ids = {
      open: randomUUID(),
      overdue: randomUUID(),
      late: randomUUID(),
      onTime: randomUUID(),
      extended: randomUUID(),
      old: randomUUID(),
    };
    const insert = (id: string, status: string, received: string, due: string, extended: string | null, completed: string | null) =>
      owner.query(
        `insert into privacy_requests (id, org_id, type, status, subject_email, subject_hash, received_at, due_at, extended_due_at,
           completed_at, requested_by_type)
         values ($1, $2, 'access', $3, 'subject@example.test', $4, now() - $5::interval, now() + $6::interval,
           now() + $7::interval, now() - $8::interval, 'user')`,
        [id, user.orgId, status, `hash-${id}`, received, due, extended, completed],
      );
    await insert(ids.open, 'pending', '2 hours', '1 month', null, null);
    await insert(ids.overdue, 'in_progress', '40 days', '-10 days', null, null);
    await insert(ids.late, 'completed', '35 days', '-5 days', null, '1 hour');
    await insert(ids.onTime, 'completed', '3 hours', '1 month', null, '1 hour');
    await insert(ids.extended, 'pending', '40 days', '-10 days', '20 days', null);
    await insert(ids.old, 'completed', '40 days', '-10 days', null, '20 days');

    const evidence = await evidenceOf(user, 'privacy-requests');
    const timeliness = Object.fromEntries(evidence.population.map((row: Json) => [row.id, row.timeliness]));
    expect(timeliness).toEqual({ [ids.open]: 'open', [ids.overdue]: 'overdue', [ids.late]: 'late', [ids.onTime]: 'on-time' });
    expect(evidence.summary).toMatchObject({ received: 2, completed: 2, completedOnTime: 1, completedLate: 1, open: 1, overdue: 1 });
    expect(evidence.exceptions.map((row: Json) => row.id).sort()).toEqual([ids.overdue, ids.late].sort());
    expect(evidence.population[0].subjectHash).toMatch(/^hash-/);
    expect(JSON.stringify(evidence)).not.toContain('subject@example.test');
    expect(evidence).toMatchObject({ criteria: ['P5.1', 'P5.2'], result: 'exceptions' });
  });
});
