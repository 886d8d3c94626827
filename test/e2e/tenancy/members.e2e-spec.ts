import { randomUUID } from 'node:crypto';
import { STRONG_PASSWORD, Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Reply, caller, expectProblem } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

async function roleOf(caller: Signed, userId: string): Promise<string | undefined> {
  const list = await call('GET', '/v1/members?limit=100', caller.token);
  expect(list.statusCode).toBe(200);
  return (list.json().data as { userId: string; role: string }[]).find((m) => m.userId === userId)?.role;
}

describe('Members (e2e)', () => {
  describe('GET /v1/members', () => {
    it('lists the members with their roles to every role that has members:read, paginated', async () => {
      const owner = await signup(suite.app);
      const member = await addMember(suite.app, owner, 'member');
      const viewer = await addMember(suite.app, owner, 'viewer');
      const admin = await addMember(suite.app, owner, 'admin');

      for (const caller of [owner, admin, member, viewer]) {
        const list = await call('GET', '/v1/members', caller.token);
        expect(list.statusCode).toBe(200);
        expect(list.json().nextCursor).toBeNull();
        const data = list.json().data as Record<string, unknown>[];
        expect(data).toHaveLength(4);
        expect(data).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ userId: owner.userId, email: owner.email, role: 'owner', name: 'Test Owner' }),
            expect.objectContaining({ userId: member.userId, email: member.email, role: 'member' }),
            expect.objectContaining({ userId: viewer.userId, role: 'viewer' }),
            expect.objectContaining({ userId: admin.userId, role: 'admin' }),
          ]),
        );
        for (const row of data) expect(Number.isNaN(Date.parse(row.joinedAt as string))).toBe(false);
      }

      const first = await call('GET', '/v1/members?limit=3', owner.token);
      expect(first.json().data).toHaveLength(3);
      expect(typeof first.json().nextCursor).toBe('string');
      const second = await call('GET', `/v1/members?limit=3&cursor=${first.json().nextCursor}`, owner.token);
      expect(second.json().data).toHaveLength(1);
      expect(second.json().nextCursor).toBeNull();
      const ids = [...first.json().data, ...second.json().data].map((m: { userId: string }) => m.userId);
      expect(new Set(ids)).toEqual(new Set([owner.userId, member.userId, viewer.userId, admin.userId]));
    });

    it('never shows members of another organization', async () => {
      const orgA = await signup(suite.app);
      const orgB = await signup(suite.app);
      await addMember(suite.app, orgB, 'member');
      const list = await call('GET', '/v1/members', orgA.token);
      expect(list.json().data.map((m: { userId: string }) => m.userId)).toEqual([orgA.userId]);
    });

    it('refuses the auditor (403) and callers without a valid token (401)', async () => {
      const owner = await signup(suite.app);
      const auditor = await addMember(suite.app, owner, 'auditor');
      expectProblem(await call('GET', '/v1/members', auditor.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', '/v1/members'), 401, 'UNAUTHENTICATED');
      expectProblem(await call('GET', '/v1/members', 'not-a-real-session-token-0123456789abcdefghij'), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('PATCH and DELETE /v1/members/{userId}', () => {
    it('lets an owner change a role and an admin remove a member', async () => {
      const owner = await signup(suite.app);
      const admin = await addMember(suite.app, owner, 'admin');
      const member = await addMember(suite.app, owner, 'member');

      const patched = await call('PATCH', `/v1/members/${member.userId}`, owner.token, { role: 'viewer' });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ userId: member.userId, email: member.email, role: 'viewer' });
      const me = await call('GET', '/v1/me', member.token);
      expect(me.json()).toMatchObject({ role: 'viewer' });

      const removed = await call('DELETE', `/v1/members/${member.userId}`, admin.token);
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect(await roleOf(owner, member.userId)).toBeUndefined();
    });

    it('validates the body and the path (400 VALIDATION_FAILED)', async () => {
      const owner = await signup(suite.app);
      const member = await addMember(suite.app, owner, 'member');

      const badRole = await call('PATCH', `/v1/members/${member.userId}`, owner.token, { role: 'superuser' });
      expectProblem(badRole, 400, 'VALIDATION_FAILED');
      expect(badRole.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));

      const missing = await call('PATCH', `/v1/members/${member.userId}`, owner.token, {});
      expectProblem(missing, 400, 'VALIDATION_FAILED');
      expect(missing.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));

      const unknown = await call('PATCH', `/v1/members/${member.userId}`, owner.token, { role: 'viewer', orgId: randomUUID() });
      expectProblem(unknown, 400, 'VALIDATION_FAILED');
      expect(unknown.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'orgId' })]));

      const badPatchId = await call('PATCH', '/v1/members/not-a-uuid', owner.token, { role: 'viewer' });
      expectProblem(badPatchId, 400, 'VALIDATION_FAILED');
      expect(badPatchId.json().errors).toEqual([expect.objectContaining({ field: 'userId' })]);
      expectProblem(await call('DELETE', '/v1/members/123', owner.token), 400, 'VALIDATION_FAILED');

      expect(await roleOf(owner, member.userId)).toBe('member');
    });

    it('answers 401 without a token and 403 to member, viewer and auditor', async () => {
      const owner = await signup(suite.app);
      const target = await addMember(suite.app, owner, 'member');
      expectProblem(await call('PATCH', `/v1/members/${target.userId}`, undefined, { role: 'viewer' }), 401, 'UNAUTHENTICATED');
      expectProblem(await call('DELETE', `/v1/members/${target.userId}`), 401, 'UNAUTHENTICATED');
      for (const role of ['member', 'viewer', 'auditor'] as const) {
        const caller = await addMember(suite.app, owner, role);
        expectProblem(await call('PATCH', `/v1/members/${target.userId}`, caller.token, { role: 'admin' }), 403, 'FORBIDDEN');
        expectProblem(await call('PATCH', `/v1/members/${caller.userId}`, caller.token, { role: 'admin' }), 403, 'FORBIDDEN');
        expectProblem(await call('DELETE', `/v1/members/${target.userId}`, caller.token), 403, 'FORBIDDEN');
      }
      expect(await roleOf(owner, target.userId)).toBe('member');
    });

    it("answers 404 MEMBER_NOT_FOUND for another organization's user and an unknown id", async () => {
      const orgA = await signup(suite.app);
      const orgB = await signup(suite.app);
      const memberB = await addMember(suite.app, orgB, 'member');
      for (const userId of [memberB.userId, orgB.userId, randomUUID()]) {
        expectProblem(await call('PATCH', `/v1/members/${userId}`, orgA.token, { role: 'viewer' }), 404, 'MEMBER_NOT_FOUND');
        expectProblem(await call('DELETE', `/v1/members/${userId}`, orgA.token), 404, 'MEMBER_NOT_FOUND');
      }
      expect(await roleOf(orgB, memberB.userId)).toBe('member');
      expect(await roleOf(orgB, orgB.userId)).toBe('owner');
    });
  });

  describe('owners', () => {
    it('keeps the last owner (409 LAST_OWNER) until a second owner exists', async () => {
      const owner = await signup(suite.app);
      const other = await addMember(suite.app, owner, 'member');

      expectProblem(await call('PATCH', `/v1/members/${owner.userId}`, owner.token, { role: 'admin' }), 409, 'LAST_OWNER');
      expectProblem(await call('DELETE', `/v1/members/${owner.userId}`, owner.token), 409, 'LAST_OWNER');
      expect(await roleOf(owner, owner.userId)).toBe('owner');
      const stillOwner = await call('PATCH', `/v1/members/${owner.userId}`, owner.token, { role: 'owner' });
      expect(stillOwner.statusCode).toBe(200);

      const promoted = await call('PATCH', `/v1/members/${other.userId}`, owner.token, { role: 'owner' });
      expect(promoted.statusCode).toBe(200);
      expect(promoted.json().role).toBe('owner');

      const demoted = await call('PATCH', `/v1/members/${owner.userId}`, owner.token, { role: 'admin' });
      expect(demoted.statusCode).toBe(200);
      expect(demoted.json().role).toBe('admin');

      // `other` is the only owner now.
      expectProblem(await call('PATCH', `/v1/members/${other.userId}`, other.token, { role: 'member' }), 409, 'LAST_OWNER');
      expectProblem(await call('DELETE', `/v1/members/${other.userId}`, other.token), 409, 'LAST_OWNER');
    });

    it('lets an owner remove another owner, but not the last one', async () => {
      const owner = await signup(suite.app);
      const second = await addMember(suite.app, owner, 'owner');
      const removed = await call('DELETE', `/v1/members/${second.userId}`, owner.token);
      expect(removed.statusCode).toBe(204);
      expect(await roleOf(owner, second.userId)).toBeUndefined();
      expectProblem(await call('DELETE', `/v1/members/${owner.userId}`, owner.token), 409, 'LAST_OWNER');
    });

    it('forbids an admin to make, unmake or remove an owner (403)', async () => {
      const owner = await signup(suite.app);
      const second = await addMember(suite.app, owner, 'owner');
      const admin = await addMember(suite.app, owner, 'admin');
      const member = await addMember(suite.app, owner, 'member');

      expectProblem(await call('PATCH', `/v1/members/${member.userId}`, admin.token, { role: 'owner' }), 403, 'FORBIDDEN');
      expectProblem(await call('PATCH', `/v1/members/${admin.userId}`, admin.token, { role: 'owner' }), 403, 'FORBIDDEN');
      expectProblem(await call('PATCH', `/v1/members/${second.userId}`, admin.token, { role: 'viewer' }), 403, 'FORBIDDEN');
      expectProblem(await call('DELETE', `/v1/members/${second.userId}`, admin.token), 403, 'FORBIDDEN');

      expect(await roleOf(owner, member.userId)).toBe('member');
      expect(await roleOf(owner, admin.userId)).toBe('admin');
      expect(await roleOf(owner, second.userId)).toBe('owner');

      const allowed = await call('PATCH', `/v1/members/${member.userId}`, admin.token, { role: 'admin' });
      expect(allowed.statusCode).toBe(200);
    });

    it('keeps an owner when two owners demote themselves at the same time (exactly one 409 LAST_OWNER)', async () => {
      const owner = await signup(suite.app);
      const second = await addMember(suite.app, owner, 'owner');
      const results = await Promise.all([
        call('PATCH', `/v1/members/${owner.userId}`, owner.token, { role: 'admin' }),
        call('PATCH', `/v1/members/${second.userId}`, second.token, { role: 'admin' }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expectProblem(results.find((r) => r.statusCode === 409) as Reply, 409, 'LAST_OWNER');
      const roles = [await roleOf(owner, owner.userId), await roleOf(owner, second.userId)];
      expect(roles.sort()).toEqual(['admin', 'owner']);
    });
  });

  describe('changes count from the next request', () => {
    it('ends every session of a removed member in this organization at once (401), not in their other organizations', async () => {
      const owner = await signup(suite.app);
      const ownOrg = await signup(suite.app); // the future member owns an organization of their own
      const invited = await call('POST', '/v1/invitations', owner.token, { email: ownOrg.email, role: 'admin' });
      const accepted = await call('POST', '/v1/invitations/accept', undefined, { token: invited.json().token, password: STRONG_PASSWORD });
      expect(accepted.statusCode).toBe(200);
      const sessionInOrg = accepted.json().token as string;
      const login = await call('POST', '/v1/auth/login', undefined, {
        email: ownOrg.email,
        password: STRONG_PASSWORD,
        organizationId: owner.orgId,
      });
      expect(login.statusCode).toBe(200);
      const secondSession = login.json().token as string;

      expect((await call('GET', '/v1/members', sessionInOrg)).statusCode).toBe(200);
      expect((await call('DELETE', `/v1/members/${ownOrg.userId}`, owner.token)).statusCode).toBe(204);

      expectProblem(await call('GET', '/v1/members', sessionInOrg), 401, 'INVALID_CREDENTIALS');
      expectProblem(await call('GET', '/v1/me', secondSession), 401, 'INVALID_CREDENTIALS');
      const elsewhere = await call('GET', '/v1/me', ownOrg.token);
      expect(elsewhere.statusCode).toBe(200);
      expect(elsewhere.json()).toMatchObject({ organization: { id: ownOrg.orgId }, role: 'owner' });
    });

    it('applies a lowered role (admin → viewer) on the very next request', async () => {
      const owner = await signup(suite.app);
      const admin = await addMember(suite.app, owner, 'admin');
      const member = await addMember(suite.app, owner, 'member');
      expect((await call('PATCH', `/v1/members/${member.userId}`, admin.token, { role: 'viewer' })).statusCode).toBe(200);

      expect((await call('PATCH', `/v1/members/${admin.userId}`, owner.token, { role: 'viewer' })).statusCode).toBe(200);

      expectProblem(await call('PATCH', `/v1/members/${member.userId}`, admin.token, { role: 'member' }), 403, 'FORBIDDEN');
      expectProblem(await call('DELETE', `/v1/members/${member.userId}`, admin.token), 403, 'FORBIDDEN');
      expectProblem(
        await call('POST', '/v1/invitations', admin.token, { email: `late-${randomUUID().slice(0, 8)}@example.test`, role: 'admin' }),
        403,
        'FORBIDDEN',
      );
      const me = await call('GET', '/v1/me', admin.token);
      expect(me.json()).toMatchObject({ role: 'viewer', permissions: ['contacts:read', 'members:read', 'org:read'] });
      expect(await roleOf(owner, member.userId)).toBe('viewer');
    });

    it('stops the API keys of a removed member (401)', async () => {
      const owner = await signup(suite.app);
      const admin = await addMember(suite.app, owner, 'admin');
      const key = await createApiKey(suite.app, admin, ['members:read', 'contacts:read']);
      expect((await call('GET', '/v1/members', key.secret)).statusCode).toBe(200);

      expect((await call('DELETE', `/v1/members/${admin.userId}`, owner.token)).statusCode).toBe(204);

      expectProblem(await call('GET', '/v1/members', key.secret), 401, 'INVALID_CREDENTIALS');
      expectProblem(await call('GET', '/v1/me', key.secret), 401, 'INVALID_CREDENTIALS');
    });

    it('keeps the API keys of a removed member dead when that person is invited back', async () => {
      const owner = await signup(suite.app);
      const admin = await addMember(suite.app, owner, 'admin');
      const key = await createApiKey(suite.app, admin, ['members:read', 'contacts:read']);
      expect((await call('DELETE', `/v1/members/${admin.userId}`, owner.token)).statusCode).toBe(204);
      expectProblem(await call('GET', '/v1/me', key.secret), 401, 'INVALID_CREDENTIALS');

      const reinvited = await call('POST', '/v1/invitations', owner.token, { email: admin.email, role: 'viewer' });
      expect(reinvited.statusCode).toBe(201);
      const rejoined = await call('POST', '/v1/invitations/accept', undefined, {
        token: reinvited.json().token,
        password: STRONG_PASSWORD,
      });
      expect(rejoined.statusCode).toBe(200);
      expect(rejoined.json().role).toBe('viewer');

      // The removal ended the old session for good; the old key must stay dead just the same.
      expectProblem(await call('GET', '/v1/me', admin.token), 401, 'INVALID_CREDENTIALS');
      expectProblem(await call('GET', '/v1/members', key.secret), 401, 'INVALID_CREDENTIALS');
    });
  });
});
