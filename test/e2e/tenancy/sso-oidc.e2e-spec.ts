import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { SessionStore } from '../../../src/tenancy/sessions/session-store';
import { Json, Reply, call, expectFieldError, expectProblem } from '../../support/client';
import { STRONG_PASSWORD, Signed, addMember, createApiKey, signup } from '../../support/factories';
import { TxtDnsServer } from '../../support/oidc-domain-dns';
import { ATRIUM_CLIENT, AccountClaims, OidcTestProvider } from '../../support/oidc-provider';
import { ownerConnection } from '../../support/suite';
import { createTestApp } from '../../support/test-app';

/**
 * Single sign-on through a real OpenID provider (`oidc-provider`, in a child process on loopback)
 * and domain verification through a real DNS server (UDP on loopback). The browser is plain HTTP:
 * Atrium's start redirect, the provider's login form, its redirect back to Atrium's callback.
 */
const PUBLIC_URL = 'http://127.0.0.1:3999';
const CALLBACK = `${PUBLIC_URL}/v1/auth/sso/callback`;

interface SsoOrg {
  readonly owner: Signed;
  readonly domain: string;
  readonly domainId: string;
}

describe('Single sign-on with OpenID Connect (e2e)', () => {
  let app: NestFastifyApplication;
  let provider: OidcTestProvider;
  let dns: TxtDnsServer;
  let db: Client;

  beforeAll(async () => {
    [provider, dns] = await Promise.all([OidcTestProvider.start(CALLBACK), TxtDnsServer.start()]);
    ({ app } = await createTestApp({ env: { PUBLIC_URL, SSO_DNS_RESOLVER: dns.address } }));
    db = await ownerConnection();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await Promise.all([provider?.stop(), dns?.stop()]);
  });

  const get = (url: string, token?: string) => call(app, 'GET', url, { token });
  const uniqueDomain = () => `acme-${randomUUID().slice(0, 8)}.example`;

  /** Claims `domain` for the owner's organization, publishes its TXT record and verifies it. */
  async function verifyDomain(owner: Signed, domain: string): Promise<string> {
    const claimed = await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain } });
    expect(claimed.statusCode).toBe(201);
    const record = claimed.json().verificationRecord as Json;
    dns.setTxt(record.name, ['v=spf1 -all', record.value]);
    const verified = await call(app, 'POST', `/v1/sso/domains/${claimed.json().id}/verify`, { token: owner.token });
    expect({ status: verified.statusCode, state: verified.json().status }).toEqual({ status: 200, state: 'verified' });
    return claimed.json().id;
  }

  function connectionBody(overrides: Json = {}): Json {
    return {
      type: 'oidc',
      oidc: {
        issuer: provider.issuer,
        clientId: ATRIUM_CLIENT.id,
        clientSecret: ATRIUM_CLIENT.secret,
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
      enabled: true,
      defaultRole: 'viewer',
      roleMapping: { claim: 'groups', rules: [{ value: 'atrium-admins', role: 'admin' }] },
      ...overrides,
    };
  }

  /** An organization whose owner's domain is verified and whose SSO connection points at the test provider. */
  async function ssoOrg(overrides: Json = {}): Promise<SsoOrg> {
    const domain = uniqueDomain();
    const owner = await signup(app, { email: `owner@${domain}` });
    const domainId = await verifyDomain(owner, domain);
    const put = await call(app, 'PUT', '/v1/sso/connection', { token: owner.token, body: connectionBody(overrides) });
    expect(put.statusCode).toBe(200);
    return { owner, domain, domainId };
  }

  async function account(claims: AccountClaims): Promise<string> {
    const id = `acct-${randomUUID().slice(0, 8)}`;
    await provider.addAccount(id, { email_verified: true, name: 'Grace Hopper', ...claims });
    return id;
  }

  /**
   * The browser-binding cookie (`name=value`) each started sign-in's browser holds, by the sign-in's
   * `state`: as if each sign-in ran in a browser of its own, whose cookie jar the callback draws on.
   */
  const browsers = new Map<string, string>();

  /** The `name=value` of the binding cookie an answer sets. */
  function bindingCookie(reply: Reply): string {
    const set = [reply.headers['set-cookie'] ?? []].flat();
    const cookie = set.map((header) => /^(__Host-atrium-sso=[A-Za-z0-9_-]{43});/.exec(header)?.[1]).find(Boolean);
    expect(cookie).toEqual(expect.any(String));
    return cookie as string;
  }

  /** GET start (in a new browser) → the provider's authorization URL. */
  async function start(query: string): Promise<URL> {
    const started = await get(`/v1/auth/sso/start?${query}`);
    expect({ status: started.statusCode, body: started.body }).toEqual({ status: 302, body: '' });
    const authorization = new URL(started.headers.location as string);
    browsers.set(authorization.searchParams.get('state') as string, bindingCookie(started));
    return authorization;
  }

  /** The callback URL the provider sent the browser back to, for `accountId`. */
  async function throughProvider(orgId: string, accountId: string, amr?: string[]): Promise<URL> {
    const authorization = await start(`organizationId=${orgId}`);
    return provider.signIn(authorization.href, accountId, { amr });
  }

  /** The provider's redirect back, followed by the browser that started the sign-in (its cookie), or as `cookie` says. */
  const callback = (back: URL, cookie = browsers.get(back.searchParams.get('state') ?? '')) =>
    call(app, 'GET', `${back.pathname}${back.search}`, { headers: cookie ? { cookie } : {} });

  async function signInThroughSso(orgId: string, accountId: string, amr?: string[]): Promise<Reply> {
    return callback(await throughProvider(orgId, accountId, amr));
  }

  async function auditActions(owner: Signed, action: string): Promise<Json[]> {
    const listed = await get(`/v1/audit-events?limit=100&action=${action}`, owner.token);
    expect(listed.statusCode).toBe(200);
    return listed.json().data;
  }

  describe('the connection', () => {
    it('is created, read without its secret, replaced keeping the secret, and removed', async () => {
      const owner = await signup(app);
      expectProblem(await get('/v1/sso/connection', owner.token), 404, 'SSO_CONNECTION_NOT_FOUND');
      const created = await call(app, 'PUT', '/v1/sso/connection', { token: owner.token, body: connectionBody() });
      expect(created.statusCode).toBe(200);
      expect(created.json()).toMatchObject({
        type: 'oidc',
        oidc: { issuer: provider.issuer, clientId: 'atrium', clientSecretSet: true, redirectUri: CALLBACK },
        enabled: true,
        enforced: false,
        jitProvisioning: true,
        defaultRole: 'viewer',
        roleMapping: { claim: 'groups', rules: [{ value: 'atrium-admins', role: 'admin' }] },
        signInUrl: `${PUBLIC_URL}/v1/auth/sso/start?organizationId=${owner.orgId}`,
      });
      const read = await get('/v1/sso/connection', owner.token);
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(ATRIUM_CLIENT.secret);

      const { clientSecret: _omitted, ...withoutSecret } = connectionBody().oidc as Json;
      const replaced = await call(app, 'PUT', '/v1/sso/connection', {
        token: owner.token,
        body: connectionBody({ oidc: withoutSecret, enabled: false, roleMapping: null }),
      });
      expect(replaced.json()).toMatchObject({ id: created.json().id, enabled: false, roleMapping: null, oidc: { clientSecretSet: true } });

      // Stored sealed: the database holds no trace of the secret.
      const { rows } = await db.query('select secret_sealed, settings::text as settings from sso_connections where org_id = $1', [
        owner.orgId,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].secret_sealed).toMatch(/^v1\./);
      expect(JSON.stringify(rows)).not.toContain(ATRIUM_CLIENT.secret);

      expect((await call(app, 'DELETE', '/v1/sso/connection', { token: owner.token })).statusCode).toBe(204);
      expectProblem(await get('/v1/sso/connection', owner.token), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await call(app, 'DELETE', '/v1/sso/connection', { token: owner.token }), 404, 'SSO_CONNECTION_NOT_FOUND');
    });

    it('refuses a first connection without secret, scopes without openid, owner as a granted role, and unknown fields', async () => {
      const owner = await signup(app);
      const put = (body: Json) => call(app, 'PUT', '/v1/sso/connection', { token: owner.token, body });
      const { clientSecret: _omitted, ...withoutSecret } = connectionBody().oidc as Json;
      expectFieldError(await put(connectionBody({ oidc: withoutSecret })), 'oidc.clientSecret');
      expectFieldError(await put(connectionBody({ oidc: { ...(connectionBody().oidc as Json), scopes: ['email'] } })), 'oidc.scopes');
      expectFieldError(await put(connectionBody({ defaultRole: 'owner' })), 'defaultRole');
      expectFieldError(
        await put(connectionBody({ roleMapping: { claim: 'groups', rules: [{ value: 'x', role: 'owner' }] } })),
        'roleMapping.rules.0.role',
      );
      expectFieldError(
        await put(connectionBody({ oidc: { ...(connectionBody().oidc as Json), issuer: 'ftp://idp.example' } })),
        'oidc.issuer',
      );
      expectProblem(await put({ ...connectionBody(), clientSecret: 'top level' }), 400, 'VALIDATION_FAILED');
    });

    it('needs identity:manage (owners only): admins, members and a key without it get 403; another org sees only its own', async () => {
      const org = await ssoOrg();
      const member = await addMember(app, org.owner, 'member');
      const key = await createApiKey(app, org.owner, ['members:read']);
      // An admin's identity provider could sign them in as the owner: SSO is the owners' to configure.
      const admin = await addMember(app, org.owner, 'admin');
      for (const token of [admin.token, member.token, key.secret]) {
        expectProblem(await get('/v1/sso/connection', token), 403, 'FORBIDDEN');
        expectProblem(await call(app, 'PUT', '/v1/sso/connection', { token, body: connectionBody() }), 403, 'FORBIDDEN');
        expectProblem(await get('/v1/sso/domains', token), 403, 'FORBIDDEN');
      }
      expect((await get('/v1/sso/connection', org.owner.token)).statusCode).toBe(200);

      const other = await signup(app);
      expectProblem(await get('/v1/sso/connection', other.token), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await call(app, 'DELETE', '/v1/sso/connection', { token: other.token }), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await get(`/v1/sso/domains/${org.domainId}`, other.token), 404, 'SSO_DOMAIN_NOT_FOUND');
      expectProblem(await call(app, 'POST', `/v1/sso/domains/${org.domainId}/verify`, { token: other.token }), 404, 'SSO_DOMAIN_NOT_FOUND');
      expectProblem(await call(app, 'DELETE', `/v1/sso/domains/${org.domainId}`, { token: other.token }), 404, 'SSO_DOMAIN_NOT_FOUND');
      expect((await get('/v1/sso/domains', other.token)).json().data).toEqual([]);
      // A's connection is untouched.
      expect((await get('/v1/sso/connection', org.owner.token)).json()).toMatchObject({ enabled: true });
    });
  });

  describe('verified domains', () => {
    it('verifies a domain only once its TXT record holds the value, and refuses malformed domains', async () => {
      const owner = await signup(app);
      const domain = uniqueDomain();
      const claimed = await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain: `  ${domain.toUpperCase()} ` } });
      expect(claimed.statusCode).toBe(201);
      expect(claimed.json()).toMatchObject({
        domain,
        status: 'pending',
        verifiedAt: null,
        verificationRecord: {
          type: 'TXT',
          name: `_atrium-verification.${domain}`,
          value: expect.stringMatching(/^atrium-domain-verification=/),
        },
      });
      const verify = () => call(app, 'POST', `/v1/sso/domains/${claimed.json().id}/verify`, { token: owner.token });
      expectProblem(await verify(), 422, 'SSO_DOMAIN_NOT_VERIFIED');
      dns.setTxt(`_atrium-verification.${domain}`, ['atrium-domain-verification=someone-elses-token']);
      expectProblem(await verify(), 422, 'SSO_DOMAIN_NOT_VERIFIED');
      dns.setTxt(`_atrium-verification.${domain}`, [claimed.json().verificationRecord.value]);
      const verified = await verify();
      expect(verified.json()).toMatchObject({ status: 'verified', verifiedAt: expect.any(String) });
      expectProblem(await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain } }), 409, 'SSO_DOMAIN_EXISTS');
      // Each check is in the audit log: the request's entry, with the security event it raised.
      const checks = await auditActions(owner, 'sso-domain.verify');
      expect(checks.map((event) => [event.outcome, event.details.code ?? null, event.details.events])).toEqual([
        ['success', null, ['sso.domain.verified']],
        ['failure', 'SSO_DOMAIN_NOT_VERIFIED', ['sso.domain.verification.failed']],
        ['failure', 'SSO_DOMAIN_NOT_VERIFIED', ['sso.domain.verification.failed']],
      ]);

      for (const bad of ['localhost', 'acme', '-acme.example', 'acme..example', 'a@b.example', 'http://acme.example']) {
        expectFieldError(await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain: bad } }), 'domain');
      }
    });

    it('belongs to one organization: another cannot claim it once verified, nor verify its earlier pending claim', async () => {
      const domain = uniqueDomain();
      const first = await signup(app);
      const second = await signup(app);
      const earlyClaim = await call(app, 'POST', '/v1/sso/domains', { token: second.token, body: { domain } });
      expect(earlyClaim.statusCode).toBe(201);
      await verifyDomain(first, domain);
      expectProblem(await call(app, 'POST', '/v1/sso/domains', { token: second.token, body: { domain } }), 409, 'SSO_DOMAIN_TAKEN');
      // Even with its own value published beside the first's, the second organization loses.
      dns.setTxt(`_atrium-verification.${domain}`, [earlyClaim.json().verificationRecord.value]);
      expectProblem(
        await call(app, 'POST', `/v1/sso/domains/${earlyClaim.json().id}/verify`, { token: second.token }),
        409,
        'SSO_DOMAIN_TAKEN',
      );
      const { rows } = await db.query('select org_id from sso_domains where domain = $1 and verified_at is not null', [domain]);
      expect(rows).toEqual([{ org_id: first.orgId }]);
    });
  });

  describe('signing in', () => {
    it('signs a new person in just in time with the default role; the session works and the next sign-in reuses the account', async () => {
      const org = await ssoOrg();
      const person = await account({ email: `grace@${org.domain}` });
      const signedIn = await signInThroughSso(org.owner.orgId, person);
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.headers['cache-control']).toBe('no-store');
      expect(signedIn.json()).toMatchObject({
        token: expect.any(String),
        expiresAt: expect.any(String),
        organization: { id: org.owner.orgId },
      });
      const me = await get('/v1/me', signedIn.json().token);
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ organization: { id: org.owner.orgId }, role: 'viewer' });
      const session = await app.get(SessionStore).resolve(signedIn.json().token);
      expect(session).toMatchObject({ authMethod: 'sso', mfa: false });

      const again = await signInThroughSso(org.owner.orgId, person);
      expect(again.statusCode).toBe(200);
      const members = (await get('/v1/members?limit=100', org.owner.token)).json().data as Json[];
      expect(members.filter((member) => member.email === `grace@${org.domain}`)).toEqual([
        expect.objectContaining({ role: 'viewer', name: 'Grace Hopper' }),
      ]);
      const joined = await auditActions(org.owner, 'member.joined');
      expect(joined).toEqual([expect.objectContaining({ details: expect.objectContaining({ via: 'sso', role: 'viewer' }) })]);
      expect(await auditActions(org.owner, 'sso.login.succeeded')).toHaveLength(2);
    });

    it('maps an IdP group to its role at every sign-in, and finds the organization by email domain', async () => {
      const org = await ssoOrg();
      const person = await account({ email: `ada@${org.domain}`, groups: ['staff', 'atrium-admins'] });
      const authorization = await start(`email=ada@${org.domain}`);
      expect(authorization.searchParams.get('login_hint')).toBe(`ada@${org.domain}`);
      expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorization.searchParams.get('nonce')).toEqual(expect.any(String));
      // An app that opens the URL itself asks for JSON.
      const asJson = await call(app, 'GET', `/v1/auth/sso/start?organizationId=${org.owner.orgId}`, {
        headers: { accept: 'application/json' },
      });
      expect({ status: asJson.statusCode, url: asJson.json().authorizationUrl }).toEqual({
        status: 200,
        url: expect.stringMatching(new RegExp(`^${provider.issuer}/auth\\?`)),
      });
      // It binds the sign-in to the browser too: the app's page must call it with credentials included.
      expect(asJson.headers['set-cookie']).toMatch(
        /^__Host-atrium-sso=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/,
      );
      const signedIn = await callback(await provider.signIn(authorization.href, person));
      expect(signedIn.statusCode).toBe(200);
      expect((await get('/v1/me', signedIn.json().token)).json().role).toBe('admin');

      // Out of the group: the next sign-in keeps the mapped role until a rule says otherwise...
      await provider.addAccount(person, { email: `ada@${org.domain}`, email_verified: true, groups: ['auditors'] });
      await call(app, 'PUT', '/v1/sso/connection', {
        token: org.owner.token,
        body: connectionBody({ roleMapping: { claim: 'groups', rules: [{ value: 'auditors', role: 'auditor' }] } }),
      });
      const mapped = await signInThroughSso(org.owner.orgId, person);
      expect((await get('/v1/me', mapped.json().token)).json().role).toBe('auditor');
      expect(await auditActions(org.owner, 'member.role.changed')).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ from: 'admin', to: 'auditor', via: 'sso' }) }),
      ]);
      // ...and an owner is never changed by a mapping.
      await provider.addAccount('owner-account', { email: org.owner.email, email_verified: true, groups: ['auditors'] });
      const owner = await signInThroughSso(org.owner.orgId, 'owner-account');
      expect((await get('/v1/me', owner.json().token)).json()).toMatchObject({ role: 'owner', principal: { id: org.owner.userId } });
    });

    it('marks the session as MFA only when the ID token says a second factor was used (amr)', async () => {
      const org = await ssoOrg();
      const person = await account({ email: `mfa@${org.domain}` });
      const withOtp = await signInThroughSso(org.owner.orgId, person, ['pwd', 'otp']);
      expect(await app.get(SessionStore).resolve(withOtp.json().token)).toMatchObject({ authMethod: 'sso', mfa: true });
      const withHardwareKey = await signInThroughSso(org.owner.orgId, person, ['hwk']);
      expect(await app.get(SessionStore).resolve(withHardwareKey.json().token)).toMatchObject({ mfa: true });
      const passwordOnly = await signInThroughSso(org.owner.orgId, person, ['pwd']);
      expect(await app.get(SessionStore).resolve(passwordOnly.json().token)).toMatchObject({ mfa: false });

      // The identity provider vouches for its own organization only: switching to another org carries no MFA.
      const other = await call(app, 'POST', '/v1/organizations', { token: withOtp.json().token, body: { name: 'Elsewhere' } });
      expect(other.statusCode).toBe(201);
      const switched = await call(app, 'POST', '/v1/auth/switch-organization', {
        token: withOtp.json().token,
        body: { organizationId: other.json().id },
      });
      expect(switched.statusCode).toBe(200);
      expect(await app.get(SessionStore).resolve(switched.json().token)).toMatchObject({ authMethod: 'sso', mfa: false });
    });

    it('refuses emails outside the verified domains, unverified emails, and strangers when membership is not automatic', async () => {
      const org = await ssoOrg({ jitProvisioning: false });
      const outsider = await account({ email: `mallory@not-${org.domain}` });
      expectProblem(await signInThroughSso(org.owner.orgId, outsider), 403, 'SSO_EMAIL_NOT_ALLOWED');
      const unverified = await account({ email: `eve@${org.domain}`, email_verified: false });
      expectProblem(await signInThroughSso(org.owner.orgId, unverified), 403, 'SSO_EMAIL_NOT_ALLOWED');
      const stranger = await account({ email: `new@${org.domain}` });
      expectProblem(await signInThroughSso(org.owner.orgId, stranger), 403, 'SSO_NOT_A_MEMBER');
      const reasons = (await auditActions(org.owner, 'sso.login.failed')).map((event) => event.details.reason).sort();
      expect(reasons).toEqual(['domain_not_verified', 'email_unverified', 'sso_not_a_member']);
    });

    it('answers 404 for an organization without an enabled connection, and an email domain nobody verified', async () => {
      const disabled = await ssoOrg({ enabled: false });
      expectProblem(await get(`/v1/auth/sso/start?organizationId=${disabled.owner.orgId}`), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await get(`/v1/auth/sso/start?organizationId=${randomUUID()}`), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await get(`/v1/auth/sso/start?email=someone@${uniqueDomain()}`), 404, 'SSO_CONNECTION_NOT_FOUND');
      expectProblem(await get('/v1/auth/sso/start'), 400, 'VALIDATION_FAILED');
      expectProblem(await get(`/v1/auth/sso/start?organizationId=${randomUUID()}&email=a@b.example`), 400, 'VALIDATION_FAILED');
      expectProblem(await get('/v1/auth/sso/start?organizationId=not-a-uuid'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('refused callbacks', () => {
    it("refuses a callback in another browser (no cookie, or another sign-in's) without spending it, and clears the cookie", async () => {
      const org = await ssoOrg();
      const attacker = await account({ email: `mallory@${org.domain}` });
      // Login CSRF: the attacker signs in up to the provider's redirect, and hands the victim that URL.
      const planted = await throughProvider(org.owner.orgId, attacker);
      const victimsOwn = await start(`organizationId=${org.owner.orgId}`);
      const victimsCookie = browsers.get(victimsOwn.searchParams.get('state') as string) as string;

      const inVictimsBrowser = await callback(planted, victimsCookie);
      expectProblem(inVictimsBrowser, 400, 'SSO_BROWSER_MISMATCH');
      expect(inVictimsBrowser.headers['set-cookie']).toBe('__Host-atrium-sso=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax');
      expectProblem(await callback(planted, ''), 400, 'SSO_BROWSER_MISMATCH');
      expectProblem(await callback(planted, '__Host-atrium-sso=not-a-binding'), 400, 'SSO_BROWSER_MISMATCH');
      // A cookie of the same name in a cookie header with others, but not this sign-in's.
      expectProblem(await callback(planted, `theme=dark; ${victimsCookie}`), 400, 'SSO_BROWSER_MISMATCH');

      // Nothing was spent: the browser that started it completes it, once.
      const own = await callback(planted);
      expect(own.statusCode).toBe(200);
      expect(own.headers['set-cookie']).toMatch(/^__Host-atrium-sso=; Max-Age=0;/);
      expectProblem(await callback(planted), 400, 'SSO_STATE_INVALID');
      const reasons = (await auditActions(org.owner, 'sso.login.failed')).map((event) => event.details.reason);
      expect(reasons).toEqual(Array(4).fill('browser_mismatch'));
      // The refusals made nobody a member; the one sign-in that completed did.
      const members = (await get('/v1/members?limit=100', org.owner.token)).json().data as Json[];
      expect(members.map((member) => member.email).sort()).toEqual([org.owner.email, `mallory@${org.domain}`].sort());
    });

    it('refuses a replayed callback and an unknown state', async () => {
      const org = await ssoOrg();
      const person = await account({ email: `replay@${org.domain}` });
      const back = await throughProvider(org.owner.orgId, person);
      expect((await callback(back)).statusCode).toBe(200);
      expectProblem(await callback(back), 400, 'SSO_STATE_INVALID');
      const forged = new URL(back);
      forged.searchParams.set('state', 'a-state-never-issued');
      expectProblem(await callback(forged), 400, 'SSO_STATE_INVALID');
      expectProblem(await get('/v1/auth/sso/callback?code=abc'), 400, 'SSO_STATE_INVALID');
    });

    it("refuses another client's ID token (wrong audience), a tampered signature and another flow's token (wrong nonce)", async () => {
      const org = await ssoOrg();
      const person = await account({ email: `target@${org.domain}` });

      await provider.tamperNextToken({ swapIdToken: await provider.idTokenOfOtherClient(person) });
      expectProblem(await signInThroughSso(org.owner.orgId, person), 401, 'SSO_ID_TOKEN_INVALID');

      await provider.tamperNextToken({ tamperSignature: true });
      expectProblem(await signInThroughSso(org.owner.orgId, person), 401, 'SSO_ID_TOKEN_INVALID');

      await provider.tamperNextToken({ swapIdToken: await provider.idTokenOfAnotherAtriumFlow(person) });
      expectProblem(await signInThroughSso(org.owner.orgId, person), 401, 'SSO_ID_TOKEN_INVALID');

      const reasons = (await auditActions(org.owner, 'sso.login.failed')).map((event) => event.details.reason).sort();
      expect(reasons).toEqual(['bad_signature', 'nonce_mismatch', 'wrong_audience']);
      // None of them made a member.
      const members = (await get('/v1/members?limit=100', org.owner.token)).json().data as Json[];
      expect(members.map((member) => member.email)).toEqual([org.owner.email]);
    });

    it('refuses an expired ID token', async () => {
      const org = await ssoOrg();
      const person = await account({ email: `late@${org.domain}` });
      const back = await throughProvider(org.owner.orgId, person);
      // Our clock two hours on: the provider's ID tokens live one hour.
      const expired = await withClockAhead(2 * 3_600_000, () => callback(back));
      expectProblem(expired, 401, 'SSO_ID_TOKEN_INVALID');
      expect((await auditActions(org.owner, 'sso.login.failed')).map((event) => event.details.reason)).toEqual(['id_token_expired']);
    });

    it("follows a rotation of the provider's signing key (refetches the JWKS for an unknown kid)", async () => {
      const org = await ssoOrg();
      const person = await account({ email: `rotation@${org.domain}` });
      expect((await signInThroughSso(org.owner.orgId, person)).statusCode).toBe(200);
      await provider.rotateKeys();
      const back = await throughProvider(org.owner.orgId, person);
      // openid-client refetches an issuer's JWKS for an unknown kid at most once a minute: a minute on.
      const afterRotation = await withClockAhead(61_000, () => callback(back));
      expect(afterRotation.statusCode).toBe(200);
      expect((await get('/v1/me', afterRotation.json().token)).statusCode).toBe(200);
    });
  });

  it('refuses a token signed with a key rotated in within the refetch minute once, and signs the next one in', async () => {
    // A provider of its own, so that Atrium first fetched its keys just now (the refetch minute is running).
    const own = await OidcTestProvider.start(CALLBACK);
    try {
      const org = await ssoOrg({ oidc: { ...(connectionBody().oidc as Json), issuer: own.issuer } });
      const person = `early-${randomUUID().slice(0, 8)}`;
      await own.addAccount(person, { email: `early@${org.domain}`, email_verified: true });
      const signIn = async () => callback(await own.signIn((await start(`organizationId=${org.owner.orgId}`)).href, person));
      expect((await signIn()).statusCode).toBe(200);
      await own.rotateKeys();
      expectProblem(await signIn(), 401, 'SSO_ID_TOKEN_INVALID');
      // The refusal made Atrium forget the issuer: the next sign-in fetches its keys afresh.
      expect((await signIn()).statusCode).toBe(200);
    } finally {
      await own.stop();
    }
  });

  describe('issuer addresses (SSO_ALLOW_PRIVATE_ISSUERS=false, as in production)', () => {
    let strict: NestFastifyApplication;

    beforeAll(async () => {
      ({ app: strict } = await createTestApp({
        env: { PUBLIC_URL, SSO_DNS_RESOLVER: dns.address, SSO_ALLOW_PRIVATE_ISSUERS: 'false' },
      }));
    });

    afterAll(async () => {
      await strict?.close();
    });

    const withIssuer = (issuer: string) => connectionBody({ oidc: { ...(connectionBody().oidc as Json), issuer } });
    const port = () => new URL(provider.issuer).port;

    it('refuses to save an issuer whose host is, or resolves to, a loopback, private, link-local or metadata address', async () => {
      const owner = await signup(app);
      const put = (issuer: string) => call(strict, 'PUT', '/v1/sso/connection', { token: owner.token, body: withIssuer(issuer) });
      for (const issuer of [
        provider.issuer,
        `http://localhost:${port()}`,
        `http://[::1]:${port()}`,
        `http://[::ffff:127.0.0.1]:${port()}`,
        'http://169.254.169.254/latest',
        'http://[fd00:ec2::254]',
        'https://10.0.0.8/realms/acme',
        'https://192.168.1.20',
        'https://[fe80::1]',
      ]) {
        const refused = await put(issuer);
        expectFieldError(refused, 'oidc.issuer');
        expect(refused.json().errors[0].message).toMatch(/internal address/);
      }
      expectProblem(await get('/v1/sso/connection', owner.token), 404, 'SSO_CONNECTION_NOT_FOUND');
    });

    it('checks again when it fetches: an issuer saved while allowed (or whose DNS changed since) is not fetched', async () => {
      // Saved where the setting allows it (its DNS answered a public address then, say); both apps share the database.
      const byAddress = await ssoOrg();
      const byName = await ssoOrg({ oidc: { ...(connectionBody().oidc as Json), issuer: `http://localhost:${port()}` } });
      for (const org of [byAddress, byName]) {
        const refused = await call(strict, 'GET', `/v1/auth/sso/start?organizationId=${org.owner.orgId}`);
        expect(expectProblem(refused, 422, 'SSO_ISSUER_NOT_ALLOWED').detail).toMatch(/owner must correct/);
      }
      // The permissive instance still signs in through the same connection.
      const person = await account({ email: `allowed@${byAddress.domain}` });
      expect((await signInThroughSso(byAddress.owner.orgId, person)).statusCode).toBe(200);
    });
  });

  describe('after SECRETS_ENCRYPTION_KEY changed', () => {
    let rekeyed: NestFastifyApplication;

    beforeAll(async () => {
      // Another instance on the same database and Redis whose key is not the one the client secrets were sealed with.
      ({ app: rekeyed } = await createTestApp({
        env: { PUBLIC_URL, SSO_DNS_RESOLVER: dns.address, SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
      }));
    });

    afterAll(async () => {
      await rekeyed?.close();
    });

    it('answers 409 SSO_CONNECTION_SECRET_UNREADABLE (never 500) until an owner saves the client secret again', async () => {
      const org = await ssoOrg();
      const start = `/v1/auth/sso/start?organizationId=${org.owner.orgId}`;
      expectProblem(await call(rekeyed, 'GET', start), 409, 'SSO_CONNECTION_SECRET_UNREADABLE');
      const saved = await call(rekeyed, 'PUT', '/v1/sso/connection', { token: org.owner.token, body: connectionBody() });
      expect(saved.statusCode).toBe(200);
      const started = await call(rekeyed, 'GET', start, { headers: { accept: 'application/json' } });
      expect(started.statusCode).toBe(200);
      expect(started.json().authorizationUrl).toContain(provider.issuer);
    });
  });

  describe('rate limits', () => {
    let limited: NestFastifyApplication;

    beforeAll(async () => {
      ({ app: limited } = await createTestApp({
        env: { PUBLIC_URL, SSO_DNS_RESOLVER: dns.address, AUTH_RATE_LIMIT_PER_IP: '3', AUTH_RATE_LIMIT_PER_EMAIL: '2' },
      }));
    });

    afterAll(async () => {
      await limited?.close();
    });

    const someAddress = () => `127.${[0, 0, 0].map(() => 1 + Math.floor(Math.random() * 250)).join('.')}`;
    const startAs = (query: string, remoteAddress: string) => call(limited, 'GET', `/v1/auth/sso/start?${query}`, { remoteAddress });

    it('limits sign-in starts and callbacks per client address, with the rate-limit headers', async () => {
      const address = someAddress();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await startAs(`organizationId=${randomUUID()}`, address));
      // By organization id there is no email to count: the per-address limit (3) is the one that applies.
      const seen = answers.map((answer) => [
        answer.statusCode,
        String(answer.headers['ratelimit-limit']),
        String(answer.headers['ratelimit-remaining']),
      ]);
      expect(seen).toEqual([
        [404, '3', '2'],
        [404, '3', '1'],
        [404, '3', '0'],
      ]);
      const blocked = await call(limited, 'GET', '/v1/auth/sso/callback?state=anything', { remoteAddress: address });
      expectProblem(blocked, 429, 'RATE_LIMITED');
      expect(blocked.headers['retry-after']).toEqual(expect.any(String));
    });

    it('limits starts per email across addresses, while starts by organization share no bucket', async () => {
      const email = `someone-${randomUUID().slice(0, 8)}@${uniqueDomain()}`;
      const byEmail = [];
      for (let i = 0; i < 3; i++) byEmail.push((await startAs(`email=${email}`, someAddress())).statusCode);
      expect(byEmail).toEqual([404, 404, 429]);
      const byOrganization = [];
      for (let i = 0; i < 3; i++) byOrganization.push((await startAs(`organizationId=${randomUUID()}`, someAddress())).statusCode);
      expect(byOrganization).toEqual([404, 404, 404]);
    });
  });

  describe('with SCIM provisioning', () => {
    const scim = (token: string, method: 'POST' | 'PATCH', path: string, body: Json) =>
      app.inject({
        method,
        url: `/scim/v2${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(body),
      });

    it('does not let a person the identity provider deprovisioned back in by signing in, nor override SCIM roles', async () => {
      const org = await ssoOrg({ jitProvisioning: true });
      const created = await call(app, 'POST', '/v1/scim-tokens', { token: org.owner.token, body: { name: 'IdP' } });
      expect(created.statusCode).toBe(201);
      const scimToken = created.json().token as string;
      const email = `scim-${randomUUID().slice(0, 8)}@${org.domain}`;
      const user = await scim(scimToken, 'POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [{ value: email, primary: true }],
        active: true,
      });
      expect(user.statusCode).toBe(201);

      // Active and managed by SCIM: the ID token's groups claim (admin by the mapping) does not change the role.
      const accountId = await account({ email, groups: ['atrium-admins'] });
      const first = await signInThroughSso(org.owner.orgId, accountId);
      expect(first.statusCode).toBe(200);
      expect(first.json().organization.id).toBe(org.owner.orgId);
      const me = await call(app, 'GET', '/v1/me', { token: first.json().token });
      expect(me.json().role).toBe('member');

      const deactivated = await scim(scimToken, 'PATCH', `/Users/${user.json().id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      expect(deactivated.statusCode).toBe(200);
      // Just-in-time provisioning is on, but the identity provider said this person is gone.
      expectProblem(await signInThroughSso(org.owner.orgId, accountId), 403, 'SSO_NOT_A_MEMBER');
    });
  });

  describe('enforcement', () => {
    it('refuses password sign-in into the enforcing organization for its domain, with the SSO sign-in URL', async () => {
      const org = await ssoOrg({ enforced: true });
      const login = (body: Json) => call(app, 'POST', '/v1/auth/login', { body });
      const refused = await login({ email: org.owner.email, password: STRONG_PASSWORD });
      const problem = expectProblem(refused, 403, 'SSO_REQUIRED');
      const signInUrl = `${PUBLIC_URL}/v1/auth/sso/start?organizationId=${org.owner.orgId}`;
      expect(problem.detail).toContain(signInUrl);
      expect(refused.headers.link).toBe(`<${signInUrl}>; rel="sso-sign-in"`);
      // The same answer for an address with no account (nothing to learn about accounts) and a wrong password.
      expectProblem(await login({ email: `nobody@${org.domain}`, password: 'wrong password entirely' }), 403, 'SSO_REQUIRED');
      expectProblem(
        await login({ email: org.owner.email, password: STRONG_PASSWORD, organizationId: org.owner.orgId }),
        403,
        'SSO_REQUIRED',
      );

      // Another organization of the same person is still reached with the password, by naming it.
      const second = await call(app, 'POST', '/v1/organizations', { token: org.owner.token, body: { name: 'Side project' } });
      expect(second.statusCode).toBe(201);
      const elsewhere = await login({ email: org.owner.email, password: STRONG_PASSWORD, organizationId: second.json().id });
      expect({ status: elsewhere.statusCode, org: elsewhere.json().organization?.id }).toEqual({ status: 200, org: second.json().id });
      // ...but not switched from there into the enforcing one.
      const switched = await call(app, 'POST', '/v1/auth/switch-organization', {
        token: elsewhere.json().token,
        body: { organizationId: org.owner.orgId },
      });
      expectProblem(switched, 403, 'SSO_REQUIRED');
      // SSO still works, and the refusals were recorded.
      await provider.addAccount('enforced-owner', { email: org.owner.email, email_verified: true });
      expect((await signInThroughSso(org.owner.orgId, 'enforced-owner')).statusCode).toBe(200);
      const refusals = (await auditActions(org.owner, 'auth.login')).filter((event) => event.details.code === 'SSO_REQUIRED');
      expect(refusals.map((event) => [event.outcome, event.details.events])).toEqual(
        [1, 2, 3].map(() => ['denied', ['auth.login.failed']]),
      );

      // Not enforced any more: passwords work again.
      await call(app, 'PUT', '/v1/sso/connection', { token: org.owner.token, body: connectionBody({ enforced: false }) });
      expect((await login({ email: org.owner.email, password: STRONG_PASSWORD })).statusCode).toBe(200);
    });

    it('refuses an invitation accepted with a password for an address of the enforced domain, and leaves it open', async () => {
      const org = await ssoOrg({ enforced: true });
      const email = `invitee-${Date.now()}@${org.domain}`;
      const invited = await call(app, 'POST', '/v1/invitations', { token: org.owner.token, body: { email, role: 'viewer' } });
      expect(invited.statusCode).toBe(201);
      const accepted = await call(app, 'POST', '/v1/invitations/accept', {
        body: { token: invited.json().token, name: 'Invitee', password: STRONG_PASSWORD },
      });
      expectProblem(accepted, 403, 'SSO_REQUIRED');
      const pending = await call(app, 'GET', '/v1/invitations', { token: org.owner.token });
      expect(pending.json().data.find((invitation: Json) => invitation.email === email)).toMatchObject({ status: 'pending' });
    });

    it('leaves other domains alone', async () => {
      await ssoOrg({ enforced: true });
      const elsewhere = await signup(app);
      expect((await call(app, 'POST', '/v1/auth/login', { body: { email: elsewhere.email, password: STRONG_PASSWORD } })).statusCode).toBe(
        200,
      );
    });
  });
});

/**
 * Runs `work` with this process's clock `ms` ahead (Date only; timers stay real): for an ID token
 * that must look expired, or the library's once-a-minute JWKS refetch throttle, without waiting.
 */
async function withClockAhead<T>(ms: number, work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: Date.now() + ms,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    return await work();
  } finally {
    jest.useRealTimers();
  }
}
