import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Json, Reply, call, expectFieldError, expectProblem } from '../../support/client';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { TxtDnsServer } from '../../support/oidc-domain-dns';
import { PostedForm, ResponseChange, SamlTestIdp } from '../../support/saml-idp';
import { createTestApp } from '../../support/test-app';

/**
 * SAML 2.0 single sign-on through a real identity provider (samlify acting as IdP, in a child
 * process on loopback). The test is the browser: Atrium's start redirect to the IdP with the
 * AuthnRequest, the IdP's login form, its auto-submitting form posted to Atrium's ACS.
 */
const PUBLIC_URL = 'http://127.0.0.1:3999';
const ACS = `${PUBLIC_URL}/v1/auth/sso/saml/acs`;

/** What the browser holds after a start: where it is sent, and the binding cookie (`name=value`) it got. */
interface Started {
  readonly url: URL;
  readonly cookie: string;
}

/** The IdP's form, and the cookie of the browser that posts it. */
type Posting = PostedForm & { readonly cookie?: string };

interface SamlOrg {
  readonly owner: Signed;
  readonly domain: string;
  readonly idp: string;
  readonly connectionId: string;
  readonly spEntityId: string;
}

describe('Single sign-on with SAML 2.0 (e2e)', () => {
  let app: NestFastifyApplication;
  let idps: SamlTestIdp;
  let dns: TxtDnsServer;

  beforeAll(async () => {
    [idps, dns] = await Promise.all([SamlTestIdp.start(), TxtDnsServer.start()]);
    ({ app } = await createTestApp({ env: { PUBLIC_URL, SSO_DNS_RESOLVER: dns.address } }));
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([idps?.stop(), dns?.stop()]);
  });

  const get = (url: string, token?: string) => call(app, 'GET', url, { token });
  const put = (token: string, body: Json) => call(app, 'PUT', '/v1/sso/connection', { token, body });
  const uniqueDomain = () => `saml-${randomUUID().slice(0, 8)}.example`;

  async function verifyDomain(owner: Signed, domain: string): Promise<void> {
    const claimed = await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain } });
    expect(claimed.statusCode).toBe(201);
    const record = claimed.json().verificationRecord as Json;
    dns.setTxt(record.name, [record.value]);
    const verified = await call(app, 'POST', `/v1/sso/domains/${claimed.json().id}/verify`, { token: owner.token });
    expect(verified.statusCode).toBe(200);
  }

  const samlBody = (metadataXml: string, overrides: Json = {}): Json => ({
    type: 'saml',
    saml: { metadataXml, nameAttribute: 'displayName' },
    enabled: true,
    defaultRole: 'viewer',
    roleMapping: { claim: 'groups', rules: [{ value: 'atrium-admins', role: 'admin' }] },
    ...overrides,
  });

  /** An organization with a verified domain and a SAML connection to an IdP of its own, which knows Atrium's SP metadata. */
  async function samlOrg(overrides: Json = {}): Promise<SamlOrg> {
    const domain = uniqueDomain();
    const owner = await signup(app, { email: `owner@${domain}` });
    await verifyDomain(owner, domain);
    const idp = `idp-${randomUUID().slice(0, 8)}`;
    const { metadata } = await idps.addIdp(idp);
    const created = await put(owner.token, samlBody(metadata, overrides));
    expect({ status: created.statusCode, body: created.body.slice(0, 400) }).toMatchObject({ status: 200 });
    const { id: connectionId, saml } = created.json();
    const spMetadata = await get(`/v1/auth/sso/saml/${connectionId}/metadata`);
    expect(spMetadata.statusCode).toBe(200);
    await idps.registerServiceProvider(spMetadata.body);
    return { owner, domain, idp, connectionId, spEntityId: saml.spEntityId };
  }

  async function account(org: SamlOrg, attributes: Record<string, string | string[]> = {}): Promise<{ login: string; email: string }> {
    const login = `acct-${randomUUID().slice(0, 8)}`;
    const email = `${login}@${org.domain}`;
    await idps.addAccount(login, email, { displayName: 'Ada Lovelace', ...attributes });
    return { login, email };
  }

  /** Start → the IdP's SSO URL with the AuthnRequest, and the browser-binding cookie. */
  async function start(orgId: string): Promise<Started> {
    const started = await get(`/v1/auth/sso/start?organizationId=${orgId}`);
    expect({ status: started.statusCode, body: started.body }).toEqual({ status: 302, body: '' });
    const setCookie = String(started.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-atrium-sso-saml=[\w-]{43}; .*Secure; HttpOnly; SameSite=None$/);
    return { url: new URL(started.headers.location as string), cookie: setCookie.split(';')[0] };
  }

  const relayStateOf = (started: Started) => started.url.searchParams.get('RelayState') as string;

  /** The form the IdP has the browser post, for `login`, after a start for `orgId` (optionally through another org's IdP). */
  async function throughIdp(orgId: string, login: string, change?: { idp: string } & ResponseChange, viaIdpOf?: SamlOrg): Promise<Posting> {
    const started = await start(orgId);
    if (change) await idps.changeNextResponse(change.idp, change);
    const url = viaIdpOf ? new URL(`${idps.url}/idp/${viaIdpOf.idp}/sso${started.url.search}`) : started.url;
    return { ...(await idps.signIn(url.href, login)), cookie: started.cookie };
  }

  /** The browser submits the IdP's form to the ACS, with its cookie. */
  const post = (form: { SAMLResponse: string; RelayState: string; cookie?: string }): Promise<Reply> =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/sso/saml/acs',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(form.cookie ? { cookie: form.cookie } : {}) },
      payload: new URLSearchParams({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }).toString(),
    });

  /** The org's audit entries of ACS posts that failed: each its code and the security events it raised. */
  async function refusals(owner: Signed): Promise<[string, string[]][]> {
    const listed = await get('/v1/audit-events?limit=100&action=saml-response.consume', owner.token);
    expect(listed.statusCode).toBe(200);
    return (listed.json().data as Json[]).filter((event) => event.outcome !== 'success').map((event) => [event.details.code, event.details.events]);
  }

  describe('the connection', () => {
    it('is created from pasted IdP metadata, read back with the SP values to register, replaced, and removed', async () => {
      const owner = await signup(app);
      const { entityId, metadata } = await idps.addIdp(`crud-${randomUUID().slice(0, 8)}`);
      const created = await put(owner.token, samlBody(metadata, { roleMapping: null }));
      expect(created.statusCode).toBe(200);
      const id = created.json().id;
      expect(created.json()).toMatchObject({
        type: 'saml',
        oidc: null,
        saml: {
          idpEntityId: entityId,
          ssoUrl: `${entityId}/sso`,
          signingCertificates: [{ subject: expect.stringContaining('CN='), sha256Fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) }],
          emailAttribute: null,
          nameAttribute: 'displayName',
          spEntityId: `${PUBLIC_URL}/v1/auth/sso/saml/${id}/metadata`,
          acsUrl: ACS,
          metadataUrl: `${PUBLIC_URL}/v1/auth/sso/saml/${id}/metadata`,
        },
        enabled: true,
        roleMapping: null,
      });
      expect(created.body).not.toContain('metadataXml');
      const spMetadata = await get(`/v1/auth/sso/saml/${id}/metadata`);
      expect(spMetadata.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
      expect(spMetadata.body).toContain(`entityID="${PUBLIC_URL}/v1/auth/sso/saml/${id}/metadata"`);
      expect(spMetadata.body).toContain(`Location="${ACS}"`);
      expect(spMetadata.body).toContain('WantAssertionsSigned="true"');

      const replaced = await put(owner.token, samlBody(metadata, { enabled: false, saml: { metadataXml: metadata, emailAttribute: 'mail' } }));
      expect(replaced.json()).toMatchObject({ id, enabled: false, saml: { emailAttribute: 'mail', nameAttribute: null } });
      expect((await call(app, 'DELETE', '/v1/sso/connection', { token: owner.token })).statusCode).toBe(204);
      expectProblem(await get(`/v1/auth/sso/saml/${id}/metadata`), 404, 'SSO_CONNECTION_NOT_FOUND');
    });

    it('refuses unusable metadata with SSO_SAML_METADATA_INVALID, and a body of the wrong shape with VALIDATION_FAILED', async () => {
      const owner = await signup(app);
      const { metadata } = await idps.addIdp(`bad-${randomUUID().slice(0, 8)}`);
      const invalid = async (metadataXml: string) => {
        const answer = await put(owner.token, samlBody(metadataXml));
        expectProblem(answer, 400, 'SSO_SAML_METADATA_INVALID');
        expect(answer.json().errors).toEqual([expect.objectContaining({ field: 'saml.metadataXml' })]);
      };
      await invalid('not xml at all');
      await invalid('<EntityDescriptor entityID="x"><SPSSODescriptor/></EntityDescriptor>');
      await invalid(metadata.replace(/<(\w+:)?X509Certificate>[^<]+</g, '<$1X509Certificate>bm90IGEgY2VydGlmaWNhdGU=<'));
      await invalid(metadata.replace(/<(\w+:)?KeyDescriptor[\s\S]*<\/(\w+:)?KeyDescriptor>/, ''));
      await invalid(metadata.replace(/urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect/g, 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP'));
      await invalid(metadata.replace('WantAuthnRequestsSigned="false"', 'WantAuthnRequestsSigned="true"'));
      expectFieldError(await put(owner.token, { type: 'saml', enabled: true }), 'saml');
      expectFieldError(await put(owner.token, { ...samlBody(metadata), oidc: { issuer: 'https://idp.example', clientId: 'x', clientSecret: 'y' } }), 'oidc');
      expectFieldError(await put(owner.token, samlBody('')), 'saml.metadataXml');
      expectProblem(await put(owner.token, { ...samlBody(metadata), saml: { metadataXml: metadata, url: 'https://idp.example/metadata' } }), 400, 'VALIDATION_FAILED');
      expectProblem(await get('/v1/sso/connection', owner.token), 404, 'SSO_CONNECTION_NOT_FOUND');
    });

    it('needs identity:manage (owners only) and an authenticated caller; another org sees only its own', async () => {
      const org = await samlOrg();
      const { metadata } = await idps.addIdp(`perm-${randomUUID().slice(0, 8)}`);
      expectProblem(await call(app, 'PUT', '/v1/sso/connection', { body: samlBody(metadata) }), 401, 'UNAUTHENTICATED');
      const admin = await addMember(app, org.owner, 'admin');
      const key = await createApiKey(app, org.owner, ['members:read']);
      for (const token of [admin.token, key.secret]) {
        expectProblem(await put(token, samlBody(metadata)), 403, 'FORBIDDEN');
        expectProblem(await get('/v1/sso/connection', token), 403, 'FORBIDDEN');
      }
      const other = await signup(app);
      expectProblem(await get('/v1/sso/connection', other.token), 404, 'SSO_CONNECTION_NOT_FOUND');
      const mine = await put(other.token, samlBody(metadata));
      expect(mine.statusCode).toBe(200);
      expect(mine.json().id).not.toBe(org.connectionId);
      expect((await get('/v1/sso/connection', org.owner.token)).json()).toMatchObject({ id: org.connectionId, saml: { ssoUrl: expect.stringContaining(org.idp) } });
      expectProblem(await get(`/v1/auth/sso/saml/${randomUUID()}/metadata`), 404, 'SSO_CONNECTION_NOT_FOUND');
    });
  });

  describe('signing in', () => {
    it('goes start → IdP (AuthnRequest, HTTP-Redirect) → signed response posted to the ACS → a working session, with JIT and role mapping', async () => {
      const org = await samlOrg();
      const person = await account(org, { groups: ['staff', 'atrium-admins'] });
      const started = await start(org.owner.orgId);
      expect(started.url.href.startsWith(`${idps.url}/idp/${org.idp}/sso?`)).toBe(true);
      expect(started.url.searchParams.get('SAMLRequest')).toEqual(expect.any(String));
      expect(relayStateOf(started)).toMatch(/^[\w-]{43}$/);
      const form = await idps.signIn(started.url.href, person.login);
      expect(form.action).toBe(ACS);
      const signedIn = await post({ ...form, cookie: started.cookie });
      expect({ status: signedIn.statusCode, body: signedIn.body.slice(0, 300) }).toMatchObject({ status: 200 });
      expect(signedIn.headers['cache-control']).toBe('no-store');
      expect(String(signedIn.headers['set-cookie'])).toMatch(/^__Host-atrium-sso-saml=; Max-Age=0;/);
      expect(signedIn.json()).toMatchObject({ token: expect.any(String), organization: { id: org.owner.orgId } });
      const me = await get('/v1/me', signedIn.json().token);
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ role: 'admin', user: { email: person.email, name: 'Ada Lovelace' } });

      // The same person again: the same user, through the linked subject.
      const again = await post(await throughIdp(org.owner.orgId, person.login));
      expect(again.statusCode).toBe(200);
      expect((await get('/v1/me', again.json().token)).json().user.id).toBe(me.json().user.id);
    });

    it('refuses a response that does not hold, each with its code and a security event with the reason', async () => {
      const org = await samlOrg();
      const person = await account(org);
      const refusedWith = async (change: ResponseChange, code: string) => {
        const answer = await post(await throughIdp(org.owner.orgId, person.login, { idp: org.idp, ...change }));
        expectProblem(answer, 401, code);
      };
      await refusedWith({ tamper: true }, 'SSO_SAML_SIGNATURE_INVALID');
      await refusedWith({ unsigned: true }, 'SSO_SAML_ASSERTION_UNSIGNED');
      await refusedWith({ otherKey: true }, 'SSO_SAML_SIGNATURE_INVALID');
      await refusedWith({ audience: `${PUBLIC_URL}/v1/auth/sso/saml/${randomUUID()}/metadata` }, 'SSO_SAML_AUDIENCE_MISMATCH');
      await refusedWith({ notOnOrAfter: new Date(Date.now() - 10 * 60_000).toISOString() }, 'SSO_SAML_ASSERTION_EXPIRED');
      await refusedWith({ inResponseTo: `_${randomUUID()}` }, 'SSO_SAML_IN_RESPONSE_TO_MISMATCH');
      await refusedWith({ recipient: 'http://127.0.0.1:9/elsewhere/acs' }, 'SSO_SAML_RECIPIENT_MISMATCH');
      expect(await refusals(org.owner)).toEqual(
        [
          'SSO_SAML_SIGNATURE_INVALID',
          'SSO_SAML_ASSERTION_UNSIGNED',
          'SSO_SAML_SIGNATURE_INVALID',
          'SSO_SAML_AUDIENCE_MISMATCH',
          'SSO_SAML_ASSERTION_EXPIRED',
          'SSO_SAML_IN_RESPONSE_TO_MISMATCH',
          'SSO_SAML_RECIPIENT_MISMATCH',
        ]
          .reverse()
          .map((code) => [code, ['sso.login.failed']]),
      );
      // None of them signed anyone in.
      const members = await get('/v1/members?limit=100', org.owner.token);
      expect((members.json().data as Json[]).map((member) => member.email)).toEqual([org.owner.email]);
    });

    it('refuses a replayed response: its RelayState is spent, and its assertion is used, whatever sign-in it is posted for', async () => {
      const org = await samlOrg();
      const person = await account(org);
      const form = await throughIdp(org.owner.orgId, person.login);
      expect((await post(form)).statusCode).toBe(200);
      expectProblem(await post(form), 400, 'SSO_STATE_INVALID');
      // A fresh sign-in's RelayState with the old response: the assertion was used already.
      const fresh = await start(org.owner.orgId);
      expectProblem(
        await post({ SAMLResponse: form.SAMLResponse, RelayState: relayStateOf(fresh), cookie: fresh.cookie }),
        401,
        'SSO_SAML_ASSERTION_REPLAYED',
      );
      // An unknown RelayState, or none (an unsolicited, IdP-initiated response).
      expectProblem(await post({ SAMLResponse: form.SAMLResponse, RelayState: 'never-issued' }), 400, 'SSO_STATE_INVALID');
      expect(await refusals(org.owner)).toContainEqual(['SSO_SAML_ASSERTION_REPLAYED', ['sso.login.failed']]);
    });

    it("refuses org A's IdP asserting for org B's connection, and B's sign-in answered for A's service provider", async () => {
      const a = await samlOrg();
      const b = await samlOrg();
      const inB = await account(b);
      await idps.addAccount(inB.login, inB.email);
      // B's sign-in, answered by A's IdP (signed with A's key, issued by A): B's connection does not trust it.
      expectProblem(await post(await throughIdp(b.owner.orgId, inB.login, undefined, a)), 401, 'SSO_SAML_ISSUER_MISMATCH');
      // A's IdP asserting for A's service provider, posted with B's RelayState: another issuer and audience.
      const forA = await throughIdp(a.owner.orgId, inB.login);
      const inBBrowser = await start(b.owner.orgId);
      expectProblem(
        await post({ SAMLResponse: forA.SAMLResponse, RelayState: relayStateOf(inBBrowser), cookie: inBBrowser.cookie }),
        401,
        'SSO_SAML_ISSUER_MISMATCH',
      );
      expect((await get('/v1/members?limit=100', b.owner.token)).json().data).toHaveLength(1);
    });

    it("refuses a response posted by a browser that did not start the sign-in (login CSRF), before checking it", async () => {
      const org = await samlOrg();
      const person = await account(org);
      // The attacker's own sign-in, posted from the victim's browser: no cookie, or the victim's own from another start.
      const attackers = await throughIdp(org.owner.orgId, person.login);
      const victims = await start(org.owner.orgId);
      expectProblem(await post({ ...attackers, cookie: undefined }), 400, 'SSO_BROWSER_MISMATCH');
      const again = await throughIdp(org.owner.orgId, person.login);
      expectProblem(await post({ ...again, cookie: victims.cookie }), 400, 'SSO_BROWSER_MISMATCH');
      expect(await refusals(org.owner)).toEqual([
        ['SSO_BROWSER_MISMATCH', ['sso.login.failed']],
        ['SSO_BROWSER_MISMATCH', ['sso.login.failed']],
      ]);
    });

    it('refuses malformed posts without a 500, and keeps the form body to the ACS', async () => {
      const org = await samlOrg();
      const first = await start(org.owner.orgId);
      expectProblem(
        await post({ SAMLResponse: '%%% not base64', RelayState: relayStateOf(first), cookie: first.cookie }),
        401,
        'SSO_SAML_RESPONSE_INVALID',
      );
      const second = await start(org.owner.orgId);
      const notSaml = Buffer.from('<html><body>hello</body></html>').toString('base64');
      expectProblem(await post({ SAMLResponse: notSaml, RelayState: relayStateOf(second), cookie: second.cookie }), 401, 'SSO_SAML_RESPONSE_INVALID');
      const noResponse = await app.inject({
        method: 'POST',
        url: '/v1/auth/sso/saml/acs',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'RelayState=x',
      });
      expectProblem(noResponse, 400, 'VALIDATION_FAILED');
      const formElsewhere = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=a%40b.example&password=x',
      });
      expectProblem(formElsewhere, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
