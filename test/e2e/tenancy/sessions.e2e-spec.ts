import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { ResolvedConfig } from '../../../src/config';
import { ROLE_PERMISSIONS } from '../../../src/tenancy/permissions';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { call, expectProblem } from '../../support/client';
import { createTestApp } from '../../support/test-app';

/** GET/DELETE /v1/auth/sessions, GET /v1/me, POST /v1/me/password. */
describe('Sessions and the caller (e2e)', () => {
  let app: NestFastifyApplication;
  let config: ResolvedConfig;

  beforeAll(async () => {
    ({ app, config } = await createTestApp());
  });

  afterAll(async () => {
    await app.close();
  });

  const NEW_PASSWORD = 'another long passphrase 7731';

  const get = (url: string, token?: string) => call(app, 'GET', url, { token });
  const del = (url: string, token?: string) => call(app, 'DELETE', url, { token });
  const post = (url: string, payload: object | undefined, token?: string) => call(app, 'POST', url, { token, body: payload });

  async function login(user: Pick<Signed, 'email'>, password: string, organizationId?: string): Promise<LightMyRequestResponse> {
    return post('/v1/auth/login', { email: user.email, password, ...(organizationId ? { organizationId } : {}) });
  }

  async function loginToken(user: Signed, organizationId?: string): Promise<string> {
    const response = await login(user, user.password, organizationId);
    expect(response.statusCode).toBe(200);
    return response.json().token;
  }

  /** A user whose sign-up session is ended, then two fresh logins: exactly two sessions. */
  async function userWithTwoSessions(): Promise<{ user: Signed; first: string; second: string }> {
    const user = await signup(app);
    expect((await post('/v1/auth/logout', undefined, user.token)).statusCode).toBe(204);
    return { user, first: await loginToken(user), second: await loginToken(user) };
  }

  describe('GET /v1/auth/sessions', () => {
    it('lists the caller’s sessions and marks the current one', async () => {
      const { user, first } = await userWithTwoSessions();
      const response = await get('/v1/auth/sessions', first);
      expect(response.statusCode).toBe(200);
      const { data, nextCursor } = response.json();
      expect(nextCursor).toBeNull();
      expect(data).toHaveLength(2);
      expect(data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      for (const session of data) {
        expect(session).toMatchObject({
          id: expect.any(String),
          organizationId: user.orgId,
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        });
        expect(JSON.stringify(session)).not.toContain(first);
      }
    });

    it('pages with limit=1: a nextCursor, then the second page, no duplicates', async () => {
      const { first } = await userWithTwoSessions();
      const page1 = await get('/v1/auth/sessions?limit=1', first);
      expect(page1.statusCode).toBe(200);
      expect(page1.json().data).toHaveLength(1);
      expect(page1.json().nextCursor).toEqual(expect.any(String));
      const page2 = await get(`/v1/auth/sessions?limit=1&cursor=${page1.json().nextCursor}`, first);
      expect(page2.statusCode).toBe(200);
      expect(page2.json().data).toHaveLength(1);
      expect(page2.json().nextCursor).toBeNull();
      expect(page2.json().data[0].id).not.toBe(page1.json().data[0].id);
    });

    it('validates limit and cursor with 400', async () => {
      const owner = await signup(app);
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not*a*cursor', 'cursor=bm90LWpzb24']) {
        expectProblem(await get(`/v1/auth/sessions?${query}`, owner.token), 400, 'VALIDATION_FAILED');
      }
    });

    it('never shows another user’s sessions, even in the same org', async () => {
      const owner = await signup(app);
      const member = await addMember(app, owner, 'member');
      const ownSessions = (await get('/v1/auth/sessions', owner.token)).json().data as { id: string }[];
      const memberSessions = (await get('/v1/auth/sessions', member.token)).json().data as { id: string }[];
      expect(ownSessions).toHaveLength(1);
      expect(memberSessions).toHaveLength(1);
      expect(ownSessions[0]?.id).not.toBe(memberSessions[0]?.id);
    });

    it('answers 401 without a token and 403 to an API key', async () => {
      const owner = await signup(app);
      const key = await createApiKey(app, owner, ['org:read']);
      expectProblem(await get('/v1/auth/sessions'), 401, 'UNAUTHENTICATED');
      expectProblem(await get('/v1/auth/sessions', key.secret), 403, 'FORBIDDEN');
    });
  });

  it('keeps a busy session past the idle timeout and ends it at its absolute expiry', async () => {
    const owner = await signup(app);
    const sessions = (await get('/v1/auth/sessions', owner.token)).json().data as { expiresAt: string }[];
    const expiresAt = Date.parse(sessions[0]?.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThan(Date.now());
    // Only the clock moves: timers and I/O stay real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      // Used at 80% of the idle timeout each time, it lives until its absolute expiry.
      const step = Math.floor(config.auth.sessionIdleMs * 0.8);
      expect(step).toBeGreaterThan(60_000);
      for (let at = Date.now() + step; at < expiresAt - 60_000; at += step) {
        jest.setSystemTime(at);
        expect((await get('/v1/me', owner.token)).statusCode).toBe(200);
      }
      jest.setSystemTime(expiresAt + 1000);
      expectProblem(await get('/v1/me', owner.token), 401, 'INVALID_CREDENTIALS');
    } finally {
      jest.useRealTimers();
    }
    expectProblem(await get('/v1/me', owner.token), 401, 'INVALID_CREDENTIALS');
  });

  describe('DELETE /v1/auth/sessions/{id}', () => {
    it('revokes one session: its token is 401 on the next request, the others live', async () => {
      const { first, second } = await userWithTwoSessions();
      const sessions = (await get('/v1/auth/sessions', first)).json().data as { id: string; current: boolean }[];
      const target = sessions.find((s) => !s.current);
      expect(target).toBeDefined();
      expect((await del(`/v1/auth/sessions/${target?.id}`, first)).statusCode).toBe(204);
      expectProblem(await get('/v1/me', second), 401, 'INVALID_CREDENTIALS');
      expect((await get('/v1/me', first)).statusCode).toBe(200);
      expectProblem(await del(`/v1/auth/sessions/${target?.id}`, first), 404, 'SESSION_NOT_FOUND');
    });

    it('revokes the caller’s own current session too', async () => {
      const owner = await signup(app);
      const own = (await get('/v1/auth/sessions', owner.token)).json().data[0];
      expect(own.current).toBe(true);
      expect((await del(`/v1/auth/sessions/${own.id}`, owner.token)).statusCode).toBe(204);
      expectProblem(await get('/v1/me', owner.token), 401, 'INVALID_CREDENTIALS');
    });

    it('answers 404 for another user’s session and leaves it alive', async () => {
      const owner = await signup(app);
      const stranger = await signup(app);
      const strangerSession = (await get('/v1/auth/sessions', stranger.token)).json().data[0].id as string;
      expectProblem(await del(`/v1/auth/sessions/${strangerSession}`, owner.token), 404, 'SESSION_NOT_FOUND');
      expectProblem(await del(`/v1/auth/sessions/${randomUUID()}`, owner.token), 404, 'SESSION_NOT_FOUND');
      expect((await get('/v1/me', stranger.token)).statusCode).toBe(200);
    });

    it('answers 400 for a malformed id, 401 without a token, 403 to an API key', async () => {
      const owner = await signup(app);
      const key = await createApiKey(app, owner, ['org:read']);
      const own = (await get('/v1/auth/sessions', owner.token)).json().data[0].id as string;
      const malformed = await del('/v1/auth/sessions/not-a-uuid', owner.token);
      expectProblem(malformed, 400, 'VALIDATION_FAILED');
      expect(malformed.json().errors).toEqual([expect.objectContaining({ field: 'id' })]);
      expectProblem(await del(`/v1/auth/sessions/${own}`), 401, 'UNAUTHENTICATED');
      expectProblem(await del(`/v1/auth/sessions/${own}`, key.secret), 403, 'FORBIDDEN');
      expect((await get('/v1/me', owner.token)).statusCode).toBe(200);
    });
  });

  describe('GET /v1/me', () => {
    it.each(['member', 'viewer', 'auditor'] as const)('describes a %s session: user, role and that role’s permissions', async (role) => {
      const owner = await signup(app);
      const user = await addMember(app, owner, role);
      const response = await get('/v1/me', user.token);
      expect(response.statusCode).toBe(200);
      const me = response.json();
      expect(me).toMatchObject({
        principal: { type: 'user', id: user.userId },
        user: { id: user.userId, email: user.email },
        apiKey: null,
        organization: { id: owner.orgId },
        role,
      });
      expect([...me.permissions].sort()).toEqual([...ROLE_PERMISSIONS[role]].sort());
    });

    it('describes the owner with every permission', async () => {
      const owner = await signup(app);
      const me = (await get('/v1/me', owner.token)).json();
      expect(me.role).toBe('owner');
      expect([...me.permissions].sort()).toEqual([...ROLE_PERMISSIONS.owner].sort());
    });

    it('describes an API key: principal api_key, no user, permissions = its scopes', async () => {
      const owner = await signup(app);
      const key = await createApiKey(app, owner, ['contacts:read', 'audit:read', 'org:read']);
      const response = await get('/v1/me', key.secret);
      expect(response.statusCode).toBe(200);
      const me = response.json();
      expect(me).toMatchObject({
        principal: { type: 'api_key', id: key.id },
        user: null,
        role: null,
        apiKey: { id: key.id },
        organization: { id: owner.orgId },
      });
      expect([...me.permissions].sort()).toEqual(['audit:read', 'contacts:read', 'org:read']);
    });

    it('cross-tenant: reports the org and role the session is bound to', async () => {
      const host = await signup(app);
      const guest = await signup(app);
      const invited = await post('/v1/invitations', { email: guest.email, role: 'viewer' }, host.token);
      expect((await post('/v1/invitations/accept', { token: invited.json().token, password: guest.password })).statusCode).toBe(200);
      const inHost = (await get('/v1/me', await loginToken(guest, host.orgId))).json();
      expect(inHost).toMatchObject({ organization: { id: host.orgId }, role: 'viewer', user: { id: guest.userId } });
      expect([...inHost.permissions].sort()).toEqual([...ROLE_PERMISSIONS.viewer].sort());
      expect((await get('/v1/me', guest.token)).json()).toMatchObject({ organization: { id: guest.orgId }, role: 'owner' });
    });

    it('reports an API key’s permissions capped by what its creator may still do', async () => {
      const owner = await signup(app);
      const admin = await addMember(app, owner, 'admin');
      const key = await createApiKey(app, admin, ['contacts:read', 'contacts:write']);
      const demoted = await call(app, 'PATCH', `/v1/members/${admin.userId}`, { token: owner.token, body: { role: 'viewer' } });
      expect(demoted.statusCode).toBe(200);
      const me = (await get('/v1/me', key.secret)).json();
      expect(me.permissions).toEqual(['contacts:read']);
      expect(me.apiKey.scopes).toEqual(['contacts:read', 'contacts:write']);
    });

    it('answers 401 without a token and for an unknown token', async () => {
      expectProblem(await get('/v1/me'), 401, 'UNAUTHENTICATED');
      expectProblem(await get('/v1/me', 'y'.repeat(43)), 401, 'INVALID_CREDENTIALS');
      expectProblem(await get('/v1/me', `atr_${'A'.repeat(65)}`), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('POST /v1/me/password', () => {
    it('refuses a wrong current password with 400 on currentPassword', async () => {
      const owner = await signup(app);
      const response = await post('/v1/me/password', { currentPassword: 'definitely not it 123', newPassword: NEW_PASSWORD }, owner.token);
      expectProblem(response, 400, 'WRONG_PASSWORD');
      expect(response.json().errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
      expect((await login(owner, owner.password)).statusCode).toBe(200);
    });

    it.each([
      ['too short', 'short 1'],
      ['common', 'password123!'],
    ])('refuses a %s new password with 400 on newPassword', async (_label, newPassword) => {
      const owner = await signup(app);
      const response = await post('/v1/me/password', { currentPassword: owner.password, newPassword }, owner.token);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual(['newPassword']);
      expect((await login(owner, owner.password)).statusCode).toBe(200);
    });

    it('validates the body: missing and unknown fields are 400', async () => {
      const owner = await signup(app);
      expectProblem(await post('/v1/me/password', { currentPassword: owner.password }, owner.token), 400, 'VALIDATION_FAILED');
      expectProblem(
        await post('/v1/me/password', { currentPassword: owner.password, newPassword: NEW_PASSWORD, userId: owner.userId }, owner.token),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('changes the password, keeps the caller’s session and ends every other one, in every org', async () => {
      const owner = await signup(app);
      const orgB = await post('/v1/organizations', { name: 'Second' }, owner.token);
      expect(orgB.statusCode).toBe(201);
      const otherLogin = await loginToken(owner);
      const otherOrgLogin = await loginToken(owner, orgB.json().id);

      const response = await post('/v1/me/password', { currentPassword: owner.password, newPassword: NEW_PASSWORD }, owner.token);
      expect(response.statusCode).toBe(204);

      expect((await get('/v1/me', owner.token)).statusCode).toBe(200);
      expectProblem(await get('/v1/me', otherLogin), 401, 'INVALID_CREDENTIALS');
      expectProblem(await get('/v1/me', otherOrgLogin), 401, 'INVALID_CREDENTIALS');
      expect((await get('/v1/auth/sessions', owner.token)).json().data).toHaveLength(1);

      expectProblem(await login(owner, owner.password), 401, 'INVALID_CREDENTIALS');
      expect((await login(owner, NEW_PASSWORD)).statusCode).toBe(200);
    });

    it('does not touch another user’s sessions', async () => {
      const owner = await signup(app);
      const member = await addMember(app, owner, 'member');
      expect((await post('/v1/me/password', { currentPassword: owner.password, newPassword: NEW_PASSWORD }, owner.token)).statusCode).toBe(
        204,
      );
      expect((await get('/v1/me', member.token)).statusCode).toBe(200);
    });

    it('answers 401 without a token and 403 to an API key', async () => {
      const owner = await signup(app);
      const key = await createApiKey(app, owner, ['org:read']);
      const body = { currentPassword: owner.password, newPassword: NEW_PASSWORD };
      expectProblem(await post('/v1/me/password', body), 401, 'UNAUTHENTICATED');
      expectProblem(await post('/v1/me/password', body, key.secret), 403, 'FORBIDDEN');
      expect((await login(owner, owner.password)).statusCode).toBe(200);
    });
  });
});
