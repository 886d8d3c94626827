import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../../src/compliance';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { Json, call } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { enrolMfa } from '../../support/totp';
import { asOwnerWithoutTrigger } from './audit-tampering';

/** Collects now (the last 24 hours) and returns the full record of one check. */
async function evidenceOf(user: Signed, checkId: string): Promise<Json> {
  const collected = await call(suite.app, 'POST', '/v1/compliance/evidence/collections', { token: user.token, body: {} });
  expect(collected.statusCode).toBe(201);
  const { id } = collected.json().data.find((record: Json) => record.checkId === checkId);
  const response = await call(suite.app, 'GET', `/v1/compliance/evidence/${id}`, { token: user.token });
  expect(response.statusCode).toBe(200);
  return response.json();
}

const suite = useTestAppWithOwnerDb();

describe('access-snapshot', () => {
  it('lists every member with role, permissions and last sign-in, and flags dormant privileged accounts', async () => {
    const user = await signup(suite.app);
    const admin = await addMember(suite.app, user, 'admin');
    const member = await addMember(suite.app, user, 'member');
    await addMember(suite.app, user, 'viewer');
    await suite.db.query(`update users set last_login_at = now() - interval '100 days' where id = any($1)`, [
      [admin.userId, member.userId],
    ]);

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

describe('sign-in-assurance', () => {
  it('lists each member with their second factor and SSO, and flags privileged access on a password alone', async () => {
    const owner = await signup(suite.app);
    await enrolMfa(suite.app, owner);
    const admin = await addMember(suite.app, owner, 'admin');
    const member = await addMember(suite.app, owner, 'member');

    const evidence = await evidenceOf(owner, 'sign-in-assurance');
    expect(evidence.criteria).toEqual(['CC6.1']);
    expect(evidence.summary).toMatchObject({ mfaRequired: false, ssoEnforced: false, members: 3, withMfa: 1, withNeither: 2 });
    expect(evidence.population.find((row: Json) => row.userId === owner.userId)).toMatchObject({ role: 'owner', ssoEnforced: false });
    expect(evidence.population.find((row: Json) => row.userId === owner.userId).mfaEnabledAt).toEqual(expect.any(String));
    // Without an MFA policy only the admin is an exception: the member's access is not privileged.
    expect(evidence.exceptions).toEqual([
      { userId: admin.userId, role: 'admin', reason: 'privileged member without a second factor or enforced SSO' },
    ]);
    expect(evidence.result).toBe('exceptions');
    expect(member.userId).not.toBe(admin.userId);
  });

  it('holds members to the MFA policy, and counts enforced SSO as their second factor', async () => {
    const owner = await signup(suite.app);
    await enrolMfa(suite.app, owner);
    const admin = await addMember(suite.app, owner, 'admin');
    const member = await addMember(suite.app, owner, 'member');
    // The admin signs in through the org's enforced SSO: their email is in a domain the org verified.
    const domain = `${randomUUID()}.example`;
    await suite.db.query(`update users set email = $1 where id = $2`, [`admin@${domain}`, admin.userId]);
    await suite.db.query(
      `insert into sso_connections (id, org_id, type, settings, secret_sealed, enabled, enforced, jit_provisioning, default_role)
       values ($1, $2, 'oidc', '{}', 'v1.sealed', true, true, false, 'member')`,
      [randomUUID(), owner.orgId],
    );
    await suite.db.query(
      `insert into sso_domains (id, org_id, domain, verification_token, verified_at) values ($1, $2, $3, 'token', now())`,
      [randomUUID(), owner.orgId, domain],
    );
    await suite.db.query(`update organizations set settings = settings || '{"mfaRequired": true}' where id = $1`, [owner.orgId]);

    const evidence = await evidenceOf(owner, 'sign-in-assurance');
    expect(evidence.summary).toMatchObject({
      mfaRequired: true,
      ssoEnabled: true,
      ssoEnforced: true,
      verifiedDomains: 1,
      members: 3,
      withMfa: 1,
      underEnforcedSso: 1,
      withNeither: 1,
    });
    expect(evidence.population.find((row: Json) => row.userId === admin.userId)).toMatchObject({ ssoEnforced: true, mfaEnabledAt: null });
    expect(evidence.exceptions).toEqual([
      { userId: member.userId, role: 'member', reason: 'the organization requires MFA; no second factor and not under enforced SSO' },
    ]);
  });
});

describe('scim-deprovisioning', () => {
  it('lists the identity provider’s deprovisionings, and flags anyone it deprovisioned who kept access', async () => {
    const owner = await signup(suite.app);
    const domain = `${randomUUID()}.example`;
    await suite.db.query(
      `insert into sso_domains (id, org_id, domain, verification_token, verified_at) values ($1, $2, $3, 'token', now())`,
      [randomUUID(), owner.orgId, domain],
    );
    const created = await call(suite.app, 'POST', '/v1/scim-tokens', { token: owner.token, body: { name: 'IdP' } });
    expect(created.statusCode).toBe(201);
    const scim = (method: 'POST' | 'PATCH', path: string, body: Json) =>
      suite.app.inject({
        method,
        url: `/scim/v2${path}`,
        headers: { authorization: `Bearer ${created.json().token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(body),
      });
    const email = `leaver@${domain}`;
    const user = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: email,
      name: { givenName: 'Lea', familyName: 'Ver' },
      emails: [{ value: email, primary: true }],
      active: true,
    });
    expect(user.statusCode).toBe(201);
    const userId = user.json().id as string;
    const patched = await scim('PATCH', `/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(patched.statusCode).toBe(200);

    const evidence = await evidenceOf(owner, 'scim-deprovisioning');
    expect(evidence.criteria).toEqual(['CC6.2']);
    expect(evidence.summary).toMatchObject({ scimTokensActive: 1, deprovisionings: 1, deprovisionedWithAccess: 0 });
    expect(evidence.population).toEqual([expect.objectContaining({ userId, at: expect.any(String) })]);
    expect(evidence.exceptions).toEqual([]);
    expect(evidence.result).toBe('pass');

    // Access that should have ended but did not (written behind the API's back): the check finds it.
    await suite.db.query(`insert into memberships (id, org_id, user_id, role, created_at) values ($1, $2, $3, 'member', now())`, [
      randomUUID(),
      owner.orgId,
      userId,
    ]);
    const after = await evidenceOf(owner, 'scim-deprovisioning');
    expect(after.exceptions).toEqual([{ userId, reason: 'still a member' }]);
    expect(after.result).toBe('exceptions');
  });
});

describe('provisioning', () => {
  it('lists accepted invitations and removals, with revocation in the same request', async () => {
    const user = await signup(suite.app);
    const member = await addMember(suite.app, user, 'member');
    const removed = await call(suite.app, 'DELETE', `/v1/members/${member.userId}`, { token: user.token });
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
    const user = await signup(suite.app);
    const audit = suite.app.get(AuditLog);
    const missing = randomUUID();
    const late = randomUUID();
    const actor = { type: 'user', id: user.userId } as const;
    await audit.append({ orgId: user.orgId, action: 'member.remove', actor, target: { type: 'member', id: missing } });
    const lateRemoval = await audit.append({ orgId: user.orgId, action: 'member.remove', actor, target: { type: 'member', id: late } });
    await audit.append({ orgId: user.orgId, action: 'member.removed', actor, target: { type: 'user', id: late } });
    await asOwnerWithoutTrigger(suite.db, `update audit_events set occurred_at = occurred_at - interval '2 hours' where id = $1`, [
      lateRemoval.id,
    ]);

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
    const user = await signup(suite.app);
    const fresh = await createApiKey(suite.app, user, ['contacts:read'], 'fresh');
    const unused = await createApiKey(suite.app, user, ['contacts:read', 'contacts:write'], 'unused');
    const old = await createApiKey(suite.app, user, ['contacts:read'], 'old but busy');
    const revoked = await createApiKey(suite.app, user, ['contacts:read'], 'revoked');
    await suite.db.query(`update api_keys set created_at = now() - interval '100 days' where id = $1`, [unused.id]);
    await suite.db.query(`update api_keys set created_at = now() - interval '400 days', last_used_at = now() where id = $1`, [old.id]);
    expect((await call(suite.app, 'DELETE', `/v1/api-keys/${revoked.id}`, { token: user.token })).statusCode).toBe(204);

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
    const user = await signup(suite.app);
    const viewer = await addMember(suite.app, user, 'viewer');
    const failed = await call(suite.app, 'POST', '/v1/auth/login', { body: { email: user.email, password: 'not the password at all' } });
    expect(failed.statusCode).toBe(401);
    const denied = await call(suite.app, 'POST', '/v1/contacts', { token: viewer.token, body: { firstName: 'No', lastName: 'Way' } });
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
    const user = await signup(suite.app);
    await asOwnerWithoutTrigger(suite.db, `update audit_events set details = '{"tampered": true}' where org_id = $1 and seq = 1`, [
      user.orgId,
    ]);
    const evidence = await evidenceOf(user, 'monitoring');
    expect(evidence.summary).toMatchObject({ chainValid: false, chainFirstBrokenSeq: 1 });
    expect(evidence.exceptions).toEqual([expect.objectContaining({ reason: 'audit chain does not verify', firstBrokenSeq: 1 })]);
    expect(evidence.result).toBe('fail');
  });
});

describe('change-management', () => {
  it('states the version, the commit and every applied migration', async () => {
    const user = await signup(suite.app);
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
    const user = await signup(suite.app);
    const [succeeded, failed, earlier] = [randomUUID(), randomUUID(), randomUUID()];
    await suite.db.query(
      `insert into retention_runs (id, org_id, started_at, finished_at, outcome, counts, duration_ms, error) values
        ($1, $4, now() - interval '2 hours', now() - interval '2 hours', 'succeeded', '{"activities": 3, "inactive_contacts": 2}', 40, null),
        ($2, $4, now() - interval '1 hour', now() - interval '1 hour', 'failed', '{}', 10, 'boom'),
        ($3, $4, now() - interval '3 days', now() - interval '3 days', 'succeeded', '{"activities": 9}', 40, null)`,
      [succeeded, failed, earlier, user.orgId],
    );
    const [active, released, long] = [randomUUID(), randomUUID(), randomUUID()];
    await suite.db.query(
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
    const user = await signup(suite.app);
    const ids = {
      open: randomUUID(),
      overdue: randomUUID(),
      late: randomUUID(),
      onTime: randomUUID(),
      extended: randomUUID(),
      old: randomUUID(),
    };
    const insert = (id: string, status: string, received: string, due: string, extended: string | null, completed: string | null) =>
      suite.db.query(
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
