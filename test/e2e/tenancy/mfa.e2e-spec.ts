import { createHash, randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { SHARED_STORE, SharedStore } from '../../../src/caching';
import { RUNTIME_DB_ROLE } from '../../../src/database';
import { Json, Reply, call, expectFieldError, expectProblem } from '../../support/client';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp, useTestAppWithOwnerDb } from '../../support/suite';
import { createTestApp } from '../../support/test-app';
import { MfaUser, currentStep, enrolMfa, totpAt } from '../../support/totp';

/**
 * MFA: TOTP enrolment with recovery codes, the second step of sign-in, and the organization
 * policy "MFA required". Codes are computed by test/support/totp.ts (node:crypto), not by the
 * library the app uses.
 */
describe('MFA (e2e)', () => {
  const suite = useTestAppWithOwnerDb();

  const get = (url: string, token?: string) => call(suite.app, 'GET', url, { token });
  const post = (url: string, body?: object, token?: string) => call(suite.app, 'POST', url, { token, body });
  const patch = (url: string, body: object, token: string) => call(suite.app, 'PATCH', url, { token, body });

  const login = (user: Pick<Signed, 'email' | 'password'>, organizationId?: string) =>
    post('/v1/auth/login', { email: user.email, password: user.password, ...(organizationId ? { organizationId } : {}) });

  /** The password step of a user with MFA: a challenge, no session. */
  async function challengeFor(user: Signed, organizationId?: string): Promise<string> {
    const response = await login(user, organizationId);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['challengeToken', 'expiresAt', 'mfaRequired']);
    expect(body.mfaRequired).toBe(true);
    return body.challengeToken;
  }

  const completeLogin = (challengeToken: string, proof: { code?: string; recoveryCode?: string }) =>
    post('/v1/auth/login/mfa', { challengeToken, ...proof });

  async function mfaSession(user: Signed, mfa: MfaUser, step: number): Promise<string> {
    const response = await completeLogin(await challengeFor(user), { code: totpAt(mfa.secret, step) });
    expect(response.statusCode).toBe(200);
    return response.json().token;
  }

  async function auditActions(token: string, action: string): Promise<Json[]> {
    const response = await get(`/v1/audit-events?action=${encodeURIComponent(action)}`, token);
    expect(response.statusCode).toBe(200);
    return response.json().data;
  }

  /** The org's audit events that carry security event `type` (the audit log folds a request's security events into its entry). */
  async function audited(token: string, type: string): Promise<Json[]> {
    const response = await get('/v1/audit-events?limit=100', token);
    expect(response.statusCode).toBe(200);
    return response.json().data.filter((event: Json) => event.action === type || (event.details.events ?? []).includes(type));
  }

  it('computes codes in the test as RFC 6238 does (Appendix B, SHA-1, T = 59 s)', () => {
    // 94287082 is the 8-digit code; a 6-digit code keeps its last six digits.
    expect(totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1)).toBe('287082');
  });

  describe('enrolment', () => {
    it('shows the secret once, turns MFA on with a code, and returns ten recovery codes once', async () => {
      const user = await signup(suite.app);
      expect((await get('/v1/me/mfa', user.token)).json()).toEqual({
        enabled: false,
        enrolmentPending: false,
        enabledAt: null,
        recoveryCodesRemaining: 0,
        sessionVerified: false,
        organizationRequiresMfa: false,
      });

      const started = await post('/v1/me/mfa/totp', undefined, user.token);
      expect(started.statusCode).toBe(201);
      expect(started.headers['cache-control']).toContain('no-store');
      const { secret, otpauthUri, issuer, account } = started.json();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(otpauthUri).toBe(
        `otpauth://totp/Atrium:${encodeURIComponent(user.email)}?issuer=Atrium&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
      );
      expect({ issuer, account }).toEqual({ issuer: 'Atrium', account: user.email });
      expect((await get('/v1/me/mfa', user.token)).json()).toMatchObject({ enabled: false, enrolmentPending: true });

      const step = currentStep();
      const wrong = await post('/v1/me/mfa/totp/confirm', { code: totpAt(secret, step + 5) }, user.token);
      expectProblem(wrong, 400, 'MFA_CODE_INVALID');
      expect(wrong.json().errors).toEqual([{ field: 'code', message: 'is not valid' }]);

      const confirmed = await post('/v1/me/mfa/totp/confirm', { code: totpAt(secret, step) }, user.token);
      expect(confirmed.statusCode).toBe(200);
      const codes: string[] = confirmed.json().recoveryCodes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);

      const status = (await get('/v1/me/mfa', user.token)).json();
      expect(status).toMatchObject({ enabled: true, enrolmentPending: false, recoveryCodesRemaining: 10, sessionVerified: true });
      expect(Date.parse(status.enabledAt)).not.toBeNaN();
      expect(JSON.stringify(status)).not.toContain(secret);

      expectProblem(await post('/v1/me/mfa/totp', undefined, user.token), 409, 'MFA_ALREADY_ENABLED');
      expectProblem(await post('/v1/me/mfa/totp/confirm', { code: totpAt(secret, step + 1) }, user.token), 409, 'MFA_ALREADY_ENABLED');

      expect(await audited(user.token, 'mfa.enabled')).toEqual([expect.objectContaining({ outcome: 'success' })]);
      expect(await audited(user.token, 'mfa.enrolment.started')).toHaveLength(1);
      expect(await audited(user.token, 'mfa.verification.failed')).toEqual([
        expect.objectContaining({ outcome: 'failure', details: expect.objectContaining({ code: 'MFA_CODE_INVALID' }) }),
      ]);
    });

    it('keeps the seed sealed and the recovery codes hashed at rest', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      const factor = await suite.db.query('select * from mfa_totp_factors where user_id = $1', [user.userId]);
      expect(factor.rows).toHaveLength(1);
      const stored = JSON.stringify(factor.rows);
      expect(stored).not.toContain(mfa.secret);
      expect(factor.rows[0].secret_sealed).toMatch(/^v1\./);
      const codes = await suite.db.query('select code_hash from mfa_recovery_codes where user_id = $1', [user.userId]);
      expect(codes.rows).toHaveLength(10);
      const dump = JSON.stringify(codes.rows);
      for (const code of mfa.recoveryCodes) {
        expect(dump).not.toContain(code);
        expect(dump).not.toContain(code.replace(/-/g, ''));
      }
    });

    it('starting again before confirming replaces the secret; confirming without a start is refused', async () => {
      const user = await signup(suite.app);
      expectProblem(await post('/v1/me/mfa/totp/confirm', { code: '123456' }, user.token), 409, 'MFA_ENROLMENT_NOT_STARTED');
      const first = (await post('/v1/me/mfa/totp', undefined, user.token)).json().secret;
      const second = (await post('/v1/me/mfa/totp', undefined, user.token)).json().secret;
      expect(second).not.toBe(first);
      const step = currentStep();
      expectProblem(await post('/v1/me/mfa/totp/confirm', { code: totpAt(first, step) }, user.token), 400, 'MFA_CODE_INVALID');
      expect((await post('/v1/me/mfa/totp/confirm', { code: totpAt(second, step) }, user.token)).statusCode).toBe(200);
    });

    it('validates codes and refuses API keys and anonymous callers', async () => {
      const user = await signup(suite.app);
      await post('/v1/me/mfa/totp', undefined, user.token);
      expectFieldError(await post('/v1/me/mfa/totp/confirm', { code: '12345' }, user.token), 'code');
      expectFieldError(await post('/v1/me/mfa/totp/confirm', { code: 123456 }, user.token), 'code');
      expectFieldError(await post('/v1/me/mfa/totp/confirm', {}, user.token), 'code');
      expectProblem(await post('/v1/me/mfa/totp/confirm', { code: '123456', extra: true }, user.token), 400, 'VALIDATION_FAILED');
      expectFieldError(await post('/v1/me/mfa/verify', { recoveryCode: 'not a code' }, user.token), 'recoveryCode');

      const key = await createApiKey(suite.app, user, ['members:read']);
      for (const [method, url] of [
        ['GET', '/v1/me/mfa'],
        ['POST', '/v1/me/mfa/totp'],
      ] as const) {
        expectProblem(await call(suite.app, method, url, { token: key.secret }), 403, 'FORBIDDEN');
        expectProblem(await call(suite.app, method, url), 401, 'UNAUTHENTICATED');
      }
      expectProblem(await post('/v1/me/mfa/totp/confirm', { code: '123456' }), 401, 'UNAUTHENTICATED');
      expectProblem(await post('/v1/me/mfa/disable', { code: '123456' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('sign-in with MFA', () => {
    it('answers the password with a challenge, then gives a session for a fresh code, and refuses a replayed one', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);

      const challenge = await challengeFor(user);
      expect(challenge).toMatch(/^mfa_[A-Za-z0-9_-]+$/);
      expectProblem(await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step + 7) }), 401, 'MFA_CODE_INVALID');
      // The code that confirmed the enrolment was used already: same time step, refused.
      expectProblem(await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step) }), 401, 'MFA_CODE_INVALID');

      const passed = await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step + 1) });
      expect(passed.statusCode).toBe(200);
      expect(Object.keys(passed.json()).sort()).toEqual(['expiresAt', 'organization', 'token']);
      expect(passed.json().organization.id).toBe(user.orgId);
      const session = passed.json().token;
      expect((await get('/v1/me', session)).statusCode).toBe(200);
      expect((await get('/v1/me/mfa', session)).json()).toMatchObject({ sessionVerified: true });

      // Single use: the challenge is spent, and the code of that step cannot start another session.
      expectProblem(await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step + 1) }), 401, 'MFA_CHALLENGE_INVALID');
      expectProblem(await completeLogin(await challengeFor(user), { code: totpAt(mfa.secret, mfa.step + 1) }), 401, 'MFA_CODE_INVALID');

      const failures = await audited(session, 'mfa.challenge.failed');
      expect(failures.map((event) => [event.outcome, event.details.code])).toEqual(Array(3).fill(['denied', 'MFA_CODE_INVALID']));
      expect(await audited(session, 'mfa.challenge.issued')).toHaveLength(2);
      expect(await audited(session, 'auth.login.succeeded')).toHaveLength(1);
    });

    it('takes each recovery code once', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      const [code] = mfa.recoveryCodes;

      const first = await completeLogin(await challengeFor(user), { recoveryCode: code.toLowerCase() });
      expect(first.statusCode).toBe(200);
      expectProblem(await completeLogin(await challengeFor(user), { recoveryCode: code }), 401, 'MFA_CODE_INVALID');
      expect((await get('/v1/me/mfa', first.json().token)).json()).toMatchObject({ recoveryCodesRemaining: 9 });
    });

    it('spends a challenge after five wrong codes', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      const challenge = await challengeFor(user);
      for (let attempt = 0; attempt < 5; attempt++) {
        expectProblem(await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step + 10 + attempt) }), 401, 'MFA_CODE_INVALID');
      }
      expectProblem(await completeLogin(challenge, { code: totpAt(mfa.secret, mfa.step + 1) }), 401, 'MFA_CHALLENGE_INVALID');
      // A new password step gets a new challenge, and the good code still works there.
      expect((await completeLogin(await challengeFor(user), { code: totpAt(mfa.secret, mfa.step + 1) })).statusCode).toBe(200);
    });

    it('validates the second step and refuses unknown challenges alike', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      const challenge = await challengeFor(user);
      const code = totpAt(mfa.secret, mfa.step + 1);
      expectFieldError(await completeLogin(challenge, {}), 'code');
      expectFieldError(await completeLogin(challenge, { code, recoveryCode: mfa.recoveryCodes[0] }), 'code');
      expectFieldError(await post('/v1/auth/login/mfa', { code }), 'challengeToken');
      expectProblem(await completeLogin('mfa_not-a-challenge', { code }), 401, 'MFA_CHALLENGE_INVALID');
      // Well-formed, naming this user, but never issued.
      const forged = `mfa_${challenge.slice(4, 26)}${'A'.repeat(challenge.length - 26)}`;
      expectProblem(await completeLogin(forged, { code }), 401, 'MFA_CHALLENGE_INVALID');
      // Nothing above spent the real challenge.
      expect((await completeLogin(challenge, { code })).statusCode).toBe(200);
    });

    it('leaves the sign-in of a user without MFA as it was', async () => {
      const user = await signup(suite.app);
      const response = await login(user);
      expect(response.statusCode).toBe(200);
      expect(Object.keys(response.json()).sort()).toEqual(['expiresAt', 'organization', 'token']);
      expect((await get('/v1/me/mfa', response.json().token)).json()).toMatchObject({ enabled: false, sessionVerified: false });
    });

    it('gives an existing account with MFA a challenge, not a session, when it accepts an invitation by password', async () => {
      const owner = await signup(suite.app);
      const invitee = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, invitee);
      const invited = await post('/v1/invitations', { email: invitee.email, role: 'member' }, owner.token);
      expect(invited.statusCode).toBe(201);
      const accepted = await post('/v1/invitations/accept', { token: invited.json().token, password: invitee.password });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toMatchObject({ mfaRequired: true, role: 'member', organization: { id: owner.orgId } });
      expect(accepted.json().token).toBeUndefined();
      const session = await completeLogin(accepted.json().challengeToken, { code: totpAt(mfa.secret, mfa.step + 1) });
      expect(session.statusCode).toBe(200);
      expect(session.json().organization.id).toBe(owner.orgId);
    });
  });

  describe('new recovery codes', () => {
    it('replace the old ones, for a current code or a recovery code', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      expectProblem(
        await post('/v1/me/mfa/recovery-codes', { code: totpAt(mfa.secret, mfa.step + 8) }, user.token),
        400,
        'MFA_CODE_INVALID',
      );
      const renewed = await post('/v1/me/mfa/recovery-codes', { recoveryCode: mfa.recoveryCodes[0] }, user.token);
      expect(renewed.statusCode).toBe(200);
      const codes: string[] = renewed.json().recoveryCodes;
      expect(codes).toHaveLength(10);
      expect(codes.filter((code) => mfa.recoveryCodes.includes(code))).toEqual([]);
      expect((await get('/v1/me/mfa', user.token)).json()).toMatchObject({ recoveryCodesRemaining: 10 });

      // An old code no longer signs in; a new one does.
      expectProblem(await completeLogin(await challengeFor(user), { recoveryCode: mfa.recoveryCodes[1] }), 401, 'MFA_CODE_INVALID');
      expect((await completeLogin(await challengeFor(user), { recoveryCode: codes[0] })).statusCode).toBe(200);
      expect(await audited(user.token, 'mfa.recovery-codes.regenerated')).toHaveLength(1);

      const without = await signup(suite.app);
      expectProblem(await post('/v1/me/mfa/recovery-codes', { code: '123456' }, without.token), 409, 'MFA_NOT_ENABLED');
    });
  });

  describe('turning MFA off', () => {
    it('needs a current code or a recovery code, then sign-in needs the password alone', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      expectProblem(await post('/v1/me/mfa/disable', { code: totpAt(mfa.secret, mfa.step + 9) }, user.token), 400, 'MFA_CODE_INVALID');
      expectProblem(await post('/v1/me/mfa/disable', { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' }, user.token), 400, 'MFA_CODE_INVALID');
      expectFieldError(await post('/v1/me/mfa/disable', {}, user.token), 'code');
      expect((await post('/v1/me/mfa/disable', { recoveryCode: mfa.recoveryCodes[3] }, user.token)).statusCode).toBe(204);

      expect((await get('/v1/me/mfa', user.token)).json()).toMatchObject({
        enabled: false,
        sessionVerified: false,
        recoveryCodesRemaining: 0,
      });
      expectProblem(await post('/v1/me/mfa/disable', { code: totpAt(mfa.secret, mfa.step + 1) }, user.token), 409, 'MFA_NOT_ENABLED');
      expect(Object.keys((await login(user)).json()).sort()).toEqual(['expiresAt', 'organization', 'token']);
      expect(await audited(user.token, 'mfa.disabled')).toEqual([expect.objectContaining({ outcome: 'success' })]);
    });
  });

  describe('organization policy "MFA required"', () => {
    const requireMfa = (token: string, mfaRequired: boolean) => patch('/v1/organization', { settings: { mfaRequired } }, token);

    /** An owner with MFA whose org requires it, a member without MFA, and an API key of the owner. */
    async function orgRequiringMfa(): Promise<{ owner: Signed; ownerMfa: MfaUser; member: Signed; key: string }> {
      const owner = await signup(suite.app);
      const member = await addMember(suite.app, owner, 'member');
      const key = (await createApiKey(suite.app, owner, ['contacts:read'])).secret;
      expectProblem(await requireMfa(owner.token, true), 409, 'MFA_SESSION_NOT_VERIFIED');
      const ownerMfa = await enrolMfa(suite.app, owner);
      const set = await requireMfa(owner.token, true);
      expect(set.statusCode).toBe(200);
      expect(set.json().settings).toMatchObject({ mfaRequired: true });
      return { owner, ownerMfa, member, key };
    }

    it('holds back members without MFA to enrolment, /v1/me and logout, until they enrol', async () => {
      const { owner, member, key } = await orgRequiringMfa();
      const blocked = expectProblem(await get('/v1/contacts', member.token), 403, 'MFA_ENROLMENT_REQUIRED');
      expect(blocked.detail).toContain('/v1/me/mfa');
      expectProblem(await get('/v1/organization', member.token), 403, 'MFA_ENROLMENT_REQUIRED');
      expect((await get('/v1/me', member.token)).statusCode).toBe(200);
      expect((await get('/v1/me/mfa', member.token)).json()).toMatchObject({ organizationRequiresMfa: true, sessionVerified: false });

      // API keys are not affected; the owner's MFA-verified session is not either.
      expect((await get('/v1/contacts', key)).statusCode).toBe(200);
      expect((await get('/v1/contacts', owner.token)).statusCode).toBe(200);

      await enrolMfa(suite.app, member);
      expect((await get('/v1/contacts', member.token)).statusCode).toBe(200);

      const denied = await auditActions(owner.token, 'permission.denied');
      expect(denied.some((event) => event.details.reason === 'mfa_enrolment_required')).toBe(true);
      expect(await audited(owner.token, 'mfa.policy.changed')).toEqual([expect.objectContaining({ outcome: 'success' })]);
    });

    it('lets a held-back member log out, and a member with MFA sign in to a session that passes the policy', async () => {
      const { member } = await orgRequiringMfa();
      const second = (await login(member)).json().token as string;
      expect((await post('/v1/auth/logout', undefined, second)).statusCode).toBe(204);
      expectProblem(await get('/v1/me', second), 401, 'INVALID_CREDENTIALS');

      const mfa = await enrolMfa(suite.app, member);
      const session = await mfaSession(member, mfa, mfa.step + 1);
      expect((await get('/v1/contacts', session)).statusCode).toBe(200);
    });

    it('refuses a session of a member with MFA that did not pass it, until it is verified', async () => {
      const owner = await signup(suite.app);
      const member = await addMember(suite.app, owner, 'member');
      // A session from before the member enrolled passed no second factor (as an SSO session without one).
      const preEnrolment = (await login(member)).json().token as string;
      const mfa = await enrolMfa(suite.app, member);
      await enrolMfa(suite.app, owner);
      expect((await requireMfa(owner.token, true)).statusCode).toBe(200);

      expectProblem(await get('/v1/contacts', preEnrolment), 403, 'MFA_ENROLMENT_REQUIRED');
      expectProblem(await post('/v1/me/mfa/verify', { code: totpAt(mfa.secret, mfa.step + 3) }, preEnrolment), 400, 'MFA_CODE_INVALID');
      expect((await post('/v1/me/mfa/verify', { code: totpAt(mfa.secret, mfa.step + 1) }, preEnrolment)).statusCode).toBe(204);
      expect((await get('/v1/contacts', preEnrolment)).statusCode).toBe(200);
      expect((await get('/v1/me/mfa', preEnrolment)).json()).toMatchObject({ sessionVerified: true });

      const pending = await signup(suite.app);
      expectProblem(await post('/v1/me/mfa/verify', { code: '123456' }, pending.token), 409, 'MFA_NOT_ENABLED');
    });

    it('counts a session stored before sessions recorded MFA as one without it', async () => {
      const { owner, member } = await orgRequiringMfa();
      await enrolMfa(suite.app, member);
      expect((await get('/v1/contacts', member.token)).statusCode).toBe(200);
      // Rewrite the member's session record as older versions stored it: no authMethod, no mfa.
      const store = suite.app.get<SharedStore>(SHARED_STORE);
      const key = `session:${createHash('sha256').update(member.token).digest('hex')}`;
      const record = JSON.parse((await store.get(key)) as string);
      expect(record).toMatchObject({ authMethod: 'invitation', mfa: true });
      delete record.authMethod;
      delete record.mfa;
      await store.set(key, JSON.stringify(record), 60_000);
      // Credential resolutions are kept a second in-process; an organization update makes this instance forget them.
      expect((await patch('/v1/organization', { name: 'Renamed' }, owner.token)).statusCode).toBe(200);
      expectProblem(await get('/v1/contacts', member.token), 403, 'MFA_ENROLMENT_REQUIRED');
      expect((await get('/v1/me', member.token)).statusCode).toBe(200);
    });

    it('needs org:manage to change, and can be turned off again', async () => {
      const { owner, member, key } = await orgRequiringMfa();
      await enrolMfa(suite.app, member);
      expectProblem(await requireMfa(member.token, false), 403, 'FORBIDDEN');
      expectProblem(await requireMfa(key, false), 403, 'FORBIDDEN');
      expectFieldError(await patch('/v1/organization', { settings: { mfaRequired: 'yes' } }, owner.token), 'settings.mfaRequired');
      expectFieldError(await patch('/v1/organization', { settings: { mfaRequired: null } }, owner.token), 'settings.mfaRequired');

      const plain = await addMember(suite.app, owner, 'viewer');
      expectProblem(await get('/v1/contacts', plain.token), 403, 'MFA_ENROLMENT_REQUIRED');
      const off = await requireMfa(owner.token, false);
      expect(off.statusCode).toBe(200);
      expect(off.json().settings.mfaRequired).toBe(false);
      expect((await get('/v1/contacts', plain.token)).statusCode).toBe(200);
    });

    it('binds only its own organization: another org of the same user, and other tenants, are not affected', async () => {
      const { owner } = await orgRequiringMfa();
      const other = await signup(suite.app);
      // A member of both orgs, without MFA.
      const both = await addMember(suite.app, other, 'member');
      const invited = await post('/v1/invitations', { email: both.email, role: 'member' }, owner.token);
      const joined = await post('/v1/invitations/accept', { token: invited.json().token, password: both.password });
      expect(joined.statusCode).toBe(200);

      expect((await get('/v1/contacts', both.token)).statusCode).toBe(200);
      expectProblem(await get('/v1/contacts', joined.json().token), 403, 'MFA_ENROLMENT_REQUIRED');
      expect((await get('/v1/organization', other.token)).json().settings.mfaRequired).toBeUndefined();
      expect((await get('/v1/me/mfa', other.token)).json()).toMatchObject({ organizationRequiresMfa: false });

      // The other org's owner cannot read or change the first org's policy: every call names its own org.
      expect((await requireMfa(other.token, false)).json().id).toBe(other.orgId);
      expect((await get('/v1/me/mfa', owner.token)).json()).toMatchObject({ organizationRequiresMfa: true });
    });

    it('lets a held-back session switch to another organization of its user, whose own policy then applies', async () => {
      const { owner } = await orgRequiringMfa();
      const other = await signup(suite.app);
      const both = await addMember(suite.app, other, 'member');
      const invited = await post('/v1/invitations', { email: both.email, role: 'member' }, owner.token);
      const heldBack = (await post('/v1/invitations/accept', { token: invited.json().token, password: both.password })).json().token;
      expectProblem(await get('/v1/contacts', heldBack), 403, 'MFA_ENROLMENT_REQUIRED');

      const switched = await post('/v1/auth/switch-organization', { organizationId: other.orgId }, heldBack);
      expect({ status: switched.statusCode, org: switched.json().organization?.id }).toEqual({ status: 200, org: other.orgId });
      expect((await get('/v1/contacts', switched.json().token)).statusCode).toBe(200);
      // The session it left ended; a new session for the MFA-requiring org is held back like the first.
      expectProblem(await get('/v1/me', heldBack), 401, 'INVALID_CREDENTIALS');
      const back = await post('/v1/auth/switch-organization', { organizationId: owner.orgId }, switched.json().token);
      expect(back.statusCode).toBe(200);
      expectProblem(await get('/v1/contacts', back.json().token), 403, 'MFA_ENROLMENT_REQUIRED');
      expectProblem(
        await post('/v1/auth/switch-organization', { organizationId: randomUUID() }, back.json().token),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
    });
  });

  describe('after SECRETS_ENCRYPTION_KEY changed', () => {
    let rekeyed: NestFastifyApplication;

    beforeAll(async () => {
      // Another instance on the same database and Redis whose key is not the one the seeds were sealed with.
      ({ app: rekeyed } = await createTestApp({ env: { SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') } }));
    });

    afterAll(async () => {
      await rekeyed?.close();
    });

    const onRekeyed = (url: string, body?: object, token?: string) => call(rekeyed, 'POST', url, { token, body });

    it('answers a code with 409 MFA_FACTOR_UNREADABLE (never 500), while recovery codes still sign in and let MFA be reset', async () => {
      const user = await signup(suite.app);
      const mfa = await enrolMfa(suite.app, user);
      const challenge = (await onRekeyed('/v1/auth/login', { email: user.email, password: user.password })).json().challengeToken as string;
      const refused = expectProblem(
        await onRekeyed('/v1/auth/login/mfa', { challengeToken: challenge, code: totpAt(mfa.secret, mfa.step + 1) }),
        409,
        'MFA_FACTOR_UNREADABLE',
      );
      expect(refused.detail).toMatch(/recovery code/);
      // The same challenge, with a recovery code: the seed is not needed for that.
      const session = await onRekeyed('/v1/auth/login/mfa', { challengeToken: challenge, recoveryCode: mfa.recoveryCodes[0] });
      expect(session.statusCode).toBe(200);
      const token = session.json().token as string;
      expectProblem(await onRekeyed('/v1/me/mfa/verify', { code: totpAt(mfa.secret, mfa.step + 2) }, token), 409, 'MFA_FACTOR_UNREADABLE');
      expectProblem(await onRekeyed('/v1/me/mfa/disable', { code: totpAt(mfa.secret, mfa.step + 2) }, token), 409, 'MFA_FACTOR_UNREADABLE');
      // Turning MFA off with a recovery code, then enrolling again, under the new key.
      expect((await onRekeyed('/v1/me/mfa/disable', { recoveryCode: mfa.recoveryCodes[1] }, token)).statusCode).toBe(204);
      const again = await enrolMfa(rekeyed, { token });
      const challengeAgain = (await onRekeyed('/v1/auth/login', { email: user.email, password: user.password })).json().challengeToken;
      const fresh = await onRekeyed('/v1/auth/login/mfa', { challengeToken: challengeAgain, code: totpAt(again.secret, again.step + 1) });
      expect(fresh.statusCode).toBe(200);
    });

    it('asks to start again an enrolment whose secret was sealed under the earlier key', async () => {
      const user = await signup(suite.app);
      const started = await post('/v1/me/mfa/totp', undefined, user.token);
      const code = totpAt(started.json().secret, currentStep());
      expectProblem(await onRekeyed('/v1/me/mfa/totp/confirm', { code }, user.token), 409, 'MFA_FACTOR_UNREADABLE');
      const restarted = await enrolMfa(rekeyed, user);
      expect(restarted.recoveryCodes).toHaveLength(10);
    });
  });

  describe('rate limits', () => {
    const limited = useTestApp({ env: { AUTH_RATE_LIMIT_PER_EMAIL: '3' } });

    it('limits code guesses per sign-in challenge and per signed-in user', async () => {
      const user = await signup(limited.app);
      const mfa = await enrolMfa(limited.app, user);
      const challenge = (await call(limited.app, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } })).json()
        .challengeToken;
      const guess = (attempt: number) =>
        call(limited.app, 'POST', '/v1/auth/login/mfa', {
          body: { challengeToken: challenge, code: totpAt(mfa.secret, mfa.step + 20 + attempt) },
        });
      for (let attempt = 0; attempt < 3; attempt++) expectProblem(await guess(attempt), 401, 'MFA_CODE_INVALID');
      const blocked = await guess(3);
      expectProblem(blocked, 429, 'RATE_LIMITED');
      expect(blocked.headers['retry-after']).toEqual(expect.any(String));

      const verify = () => call(limited.app, 'POST', '/v1/me/mfa/verify', { token: user.token, body: { code: '000000' } });
      // enrolMfa's confirmation was the user's first code check of the window.
      for (let attempt = 0; attempt < 2; attempt++) expect((await verify()).statusCode).not.toBe(429);
      expectProblem(await verify(), 429, 'RATE_LIMITED');
      // A made-up email or SSO state in the query (or an email in the body) buys no fresh budget on a signed-in route.
      for (const url of ['/v1/me/mfa/verify?email=someone-else%40example.com', '/v1/me/mfa/verify?state=fresh']) {
        expectProblem(await call(limited.app, 'POST', url, { token: user.token, body: { code: '000000' } }), 429, 'RATE_LIMITED');
      }
    });
  });

  describe('row-level security', () => {
    let db: Client;
    beforeAll(async () => {
      db = new Client({ connectionString: process.env.DATABASE_URL, options: `-c role=${RUNTIME_DB_ROLE}` });
      await db.connect();
    });
    afterAll(async () => {
      await db.end();
    });

    async function inScope(scope: { orgId?: string; userId?: string }, sql: string, params: unknown[] = []): Promise<Reply | Json[]> {
      await db.query('begin');
      try {
        await db.query("select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)", [
          scope.orgId ?? '',
          scope.userId ?? '',
        ]);
        return (await db.query(sql, params)).rows;
      } finally {
        await db.query('rollback');
      }
    }

    it("shows a user only their own factor and codes, and an org only its members' factors", async () => {
      const a = await signup(suite.app);
      const b = await signup(suite.app);
      await enrolMfa(suite.app, a);
      await enrolMfa(suite.app, b);

      expect(await inScope({ userId: a.userId }, 'select user_id from mfa_totp_factors')).toEqual([{ user_id: a.userId }]);
      expect(
        new Set(((await inScope({ userId: a.userId }, 'select user_id from mfa_recovery_codes')) as Json[]).map((r) => r.user_id)),
      ).toEqual(new Set([a.userId]));
      expect(await inScope({ orgId: a.orgId }, 'select user_id from mfa_totp_factors')).toEqual([{ user_id: a.userId }]);
      expect(await inScope({ orgId: a.orgId }, 'select user_id from mfa_recovery_codes')).toEqual([]);
      expect(await inScope({}, 'select user_id from mfa_totp_factors')).toEqual([]);
      expect(await inScope({ orgId: a.orgId }, 'update mfa_totp_factors set last_used_step = 0 returning user_id')).toEqual([]);
      expect(await inScope({ userId: a.userId }, 'delete from mfa_totp_factors where user_id = $1 returning user_id', [b.userId])).toEqual(
        [],
      );
    });
  });
});
