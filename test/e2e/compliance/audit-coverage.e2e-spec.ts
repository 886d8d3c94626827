import { randomUUID } from 'node:crypto';
import { routeAuditOf } from '../../../src/compliance/audit/audit.interceptor';
import { STRONG_PASSWORD, Signed, addMember, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { Method, Reply, caller } from '../../support/client';
import { useTxtDnsServer } from '../../support/oidc-domain-dns';
import { SamlTestIdp } from '../../support/saml-idp';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { currentStep, enrolMfa, totpAt } from '../../support/totp';
import { loadOperations } from '../isolation/openapi-operations';
import { seedRequest } from './privacy-support';

/**
 * Every mutation leaves exactly one audit event: each mutating operation of the live OpenAPI
 * document is performed once, and the org's log must hold one event for that request, named
 * after the operation. An operation without a scenario here fails the coverage test.
 */

// Domain verification asks this DNS server (started first), where a scenario publishes its record.
const dns = useTxtDnsServer();
const suite = useTestAppWithOwnerDb({
  env: {
    get SSO_DNS_RESOLVER() {
      return dns.address;
    },
  },
});
const call = caller(() => suite.app);
// The SAML sign-in scenario's identity provider (samlify as IdP, a child process), started by that scenario.
let samlIdp: SamlTestIdp | undefined;
afterAll(async () => {
  await samlIdp?.stop();
});

interface Performed {
  readonly response: Reply;
  /** A token of an owner of the org whose log must hold the event. */
  readonly readAs: string;
}

async function created(method: Method, url: string, token: string, payload: object): Promise<string> {
  const response = await call(method, url, token, payload);
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

const contact = { firstName: 'Audit', lastName: 'Trail' };
const SSO_CONNECTION = {
  type: 'oidc',
  oidc: { issuer: 'https://idp.example.test', clientId: 'atrium', clientSecret: 'audit secret' },
  enabled: false,
};
const ssoDomain = () => `audit-${randomUUID().slice(0, 8)}.example`;
const activity = { type: 'note', subject: 'Met', occurredAt: '2026-01-01T00:00:00.000Z' };

const SCENARIOS: Record<string, (owner: Signed) => Promise<Performed>> = {
  signup: async () => {
    const response = await call('POST', '/v1/auth/signup', undefined, {
      email: uniqueEmail(),
      password: STRONG_PASSWORD,
      name: 'New Owner',
      organizationName: 'Fresh Org',
    });
    return { response, readAs: response.json().token };
  },
  login: async (owner) => ({
    response: await call('POST', '/v1/auth/login', undefined, {
      email: owner.email,
      password: STRONG_PASSWORD,
      organizationId: owner.orgId,
    }),
    readAs: owner.token,
  }),
  logout: async (owner) => {
    const login = await call('POST', '/v1/auth/login', undefined, { email: owner.email, password: STRONG_PASSWORD });
    return { response: await call('POST', '/v1/auth/logout', login.json().token), readAs: owner.token };
  },
  switchOrganization: async (owner) => {
    const other = await call('POST', '/v1/organizations', owner.token, { name: 'Second' });
    const response = await call('POST', '/v1/auth/switch-organization', owner.token, { organizationId: other.json().id });
    // Switching ends the old session; the event belongs to the org switched away from.
    const back = await call('POST', '/v1/auth/login', undefined, {
      email: owner.email,
      password: STRONG_PASSWORD,
      organizationId: owner.orgId,
    });
    return { response, readAs: back.json().token };
  },
  revokeSession: async (owner) => {
    const login = await call('POST', '/v1/auth/login', undefined, { email: owner.email, password: STRONG_PASSWORD });
    const sessions = await call('GET', '/v1/auth/sessions', login.json().token);
    const current = sessions.json().data.find((session: { current: boolean }) => session.current);
    return { response: await call('DELETE', `/v1/auth/sessions/${current.id}`, owner.token), readAs: owner.token };
  },
  changePassword: async (owner) => {
    const member = await addMember(suite.app, owner, 'member');
    const response = await call('POST', '/v1/me/password', member.token, {
      currentPassword: STRONG_PASSWORD,
      newPassword: `${STRONG_PASSWORD} too`,
    });
    return { response, readAs: owner.token };
  },
  createOrganization: async (owner) => ({
    response: await call('POST', '/v1/organizations', owner.token, { name: 'Another' }),
    readAs: owner.token,
  }),
  updateOrganization: async (owner) => ({
    response: await call('PATCH', '/v1/organization', owner.token, { name: 'Renamed' }),
    readAs: owner.token,
  }),
  updateMember: async (owner) => {
    const member = await addMember(suite.app, owner, 'member');
    return { response: await call('PATCH', `/v1/members/${member.userId}`, owner.token, { role: 'viewer' }), readAs: owner.token };
  },
  removeMember: async (owner) => {
    const member = await addMember(suite.app, owner, 'viewer');
    return { response: await call('DELETE', `/v1/members/${member.userId}`, owner.token), readAs: owner.token };
  },
  createInvitation: async (owner) => ({
    response: await call('POST', '/v1/invitations', owner.token, { email: uniqueEmail(), role: 'member' }),
    readAs: owner.token,
  }),
  revokeInvitation: async (owner) => {
    const id = await created('POST', '/v1/invitations', owner.token, { email: uniqueEmail(), role: 'member' });
    return { response: await call('DELETE', `/v1/invitations/${id}`, owner.token), readAs: owner.token };
  },
  acceptInvitation: async (owner) => {
    const invitation = await call('POST', '/v1/invitations', owner.token, { email: uniqueEmail(), role: 'member' });
    const response = await call('POST', '/v1/invitations/accept', undefined, {
      token: invitation.json().token,
      name: 'Joiner',
      password: STRONG_PASSWORD,
    });
    return { response, readAs: owner.token };
  },
  createApiKey: async (owner) => ({
    response: await call('POST', '/v1/api-keys', owner.token, { name: 'k', scopes: ['contacts:read'] }),
    readAs: owner.token,
  }),
  revokeApiKey: async (owner) => {
    const key = await createApiKey(suite.app, owner, ['contacts:read']);
    return { response: await call('DELETE', `/v1/api-keys/${key.id}`, owner.token), readAs: owner.token };
  },
  createScimToken: async (owner) => ({
    response: await call('POST', '/v1/scim-tokens', owner.token, { name: 'Okta' }),
    readAs: owner.token,
  }),
  revokeScimToken: async (owner) => {
    const id = await created('POST', '/v1/scim-tokens', owner.token, { name: 'Okta' });
    return { response: await call('DELETE', `/v1/scim-tokens/${id}`, owner.token), readAs: owner.token };
  },
  mapScimGroupRole: async (owner) => {
    // Groups come from the identity provider: one pushed over SCIM, then mapped through the product API.
    const scimToken = (await call('POST', '/v1/scim-tokens', owner.token, { name: 'Okta' })).json().token as string;
    const group = await suite.app.inject({
      method: 'POST',
      url: '/scim/v2/Groups',
      headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Admins' }),
    });
    return { response: await call('PATCH', `/v1/scim-groups/${group.json().id}`, owner.token, { role: 'admin' }), readAs: owner.token };
  },
  putSsoConnection: async (owner) => ({
    response: await call('PUT', '/v1/sso/connection', owner.token, SSO_CONNECTION),
    readAs: owner.token,
  }),
  deleteSsoConnection: async (owner) => {
    await call('PUT', '/v1/sso/connection', owner.token, SSO_CONNECTION);
    return { response: await call('DELETE', '/v1/sso/connection', owner.token), readAs: owner.token };
  },
  claimSsoDomain: async (owner) => ({
    response: await call('POST', '/v1/sso/domains', owner.token, { domain: ssoDomain() }),
    readAs: owner.token,
  }),
  verifySsoDomain: async (owner) => {
    const claimed = (await call('POST', '/v1/sso/domains', owner.token, { domain: ssoDomain() })).json();
    dns.setTxt(claimed.verificationRecord.name, [claimed.verificationRecord.value]);
    return { response: await call('POST', `/v1/sso/domains/${claimed.id}/verify`, owner.token), readAs: owner.token };
  },
  consumeSamlResponse: async (owner) => {
    // A person of the org's verified domain signs in through its SAML IdP, just in time.
    const domain = ssoDomain();
    const claimed = (await call('POST', '/v1/sso/domains', owner.token, { domain })).json();
    dns.setTxt(claimed.verificationRecord.name, [claimed.verificationRecord.value]);
    await call('POST', `/v1/sso/domains/${claimed.id}/verify`, owner.token);
    samlIdp ??= await SamlTestIdp.start();
    const { metadata } = await samlIdp.addIdp(`audit-${randomUUID().slice(0, 8)}`);
    const connectionId = await created('PUT', '/v1/sso/connection', owner.token, { type: 'saml', saml: { metadataXml: metadata }, enabled: true });
    await samlIdp.registerServiceProvider((await call('GET', `/v1/auth/sso/saml/${connectionId}/metadata`)).body);
    const login = `saml-${randomUUID().slice(0, 8)}`;
    await samlIdp.addAccount(login, `${login}@${domain}`);
    const started = await call('GET', `/v1/auth/sso/start?organizationId=${owner.orgId}`);
    const form = await samlIdp.signIn(started.headers.location as string, login);
    const response = await suite.app.inject({
      method: 'POST',
      url: '/v1/auth/sso/saml/acs',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: String(started.headers['set-cookie']).split(';')[0] },
      payload: new URLSearchParams({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }).toString(),
    });
    return { response, readAs: owner.token };
  },
  removeSsoDomain: async (owner) => {
    const id = await created('POST', '/v1/sso/domains', owner.token, { domain: ssoDomain() });
    return { response: await call('DELETE', `/v1/sso/domains/${id}`, owner.token), readAs: owner.token };
  },
  startTotpEnrolment: async (owner) => ({ response: await call('POST', '/v1/me/mfa/totp', owner.token), readAs: owner.token }),
  confirmTotpEnrolment: async (owner) => {
    const secret = (await call('POST', '/v1/me/mfa/totp', owner.token)).json().secret as string;
    return {
      response: await call('POST', '/v1/me/mfa/totp/confirm', owner.token, { code: totpAt(secret, currentStep()) }),
      readAs: owner.token,
    };
  },
  verifyMfaSession: async (owner) => {
    const mfa = await enrolMfa(suite.app, owner);
    return { response: await call('POST', '/v1/me/mfa/verify', owner.token, { recoveryCode: mfa.recoveryCodes[0] }), readAs: owner.token };
  },
  regenerateRecoveryCodes: async (owner) => {
    const mfa = await enrolMfa(suite.app, owner);
    return {
      response: await call('POST', '/v1/me/mfa/recovery-codes', owner.token, { recoveryCode: mfa.recoveryCodes[0] }),
      readAs: owner.token,
    };
  },
  disableMfa: async (owner) => {
    const mfa = await enrolMfa(suite.app, owner);
    return { response: await call('POST', '/v1/me/mfa/disable', owner.token, { recoveryCode: mfa.recoveryCodes[0] }), readAs: owner.token };
  },
  completeMfaLogin: async (owner) => {
    const mfa = await enrolMfa(suite.app, owner);
    const challenge = (await call('POST', '/v1/auth/login', undefined, { email: owner.email, password: STRONG_PASSWORD })).json();
    const response = await call('POST', '/v1/auth/login/mfa', undefined, {
      challengeToken: challenge.challengeToken,
      code: totpAt(mfa.secret, mfa.step + 1),
    });
    return { response, readAs: owner.token };
  },
  createCompany: async (owner) => ({ response: await call('POST', '/v1/companies', owner.token, { name: 'Acme' }), readAs: owner.token }),
  updateCompany: async (owner) => {
    const id = await created('POST', '/v1/companies', owner.token, { name: 'Acme' });
    return { response: await call('PATCH', `/v1/companies/${id}`, owner.token, { name: 'Acme 2' }), readAs: owner.token };
  },
  deleteCompany: async (owner) => {
    const id = await created('POST', '/v1/companies', owner.token, { name: 'Acme' });
    return { response: await call('DELETE', `/v1/companies/${id}`, owner.token), readAs: owner.token };
  },
  createContact: async (owner) => ({ response: await call('POST', '/v1/contacts', owner.token, contact), readAs: owner.token }),
  updateContact: async (owner) => {
    const id = await created('POST', '/v1/contacts', owner.token, contact);
    return { response: await call('PATCH', `/v1/contacts/${id}`, owner.token, { lastName: 'Log' }), readAs: owner.token };
  },
  deleteContact: async (owner) => {
    const id = await created('POST', '/v1/contacts', owner.token, contact);
    return { response: await call('DELETE', `/v1/contacts/${id}`, owner.token), readAs: owner.token };
  },
  createActivity: async (owner) => {
    const id = await created('POST', '/v1/contacts', owner.token, contact);
    return { response: await call('POST', `/v1/contacts/${id}/activities`, owner.token, activity), readAs: owner.token };
  },
  updateActivity: async (owner) => {
    const contactId = await created('POST', '/v1/contacts', owner.token, contact);
    const id = await created('POST', `/v1/contacts/${contactId}/activities`, owner.token, activity);
    return { response: await call('PATCH', `/v1/activities/${id}`, owner.token, { subject: 'Met again' }), readAs: owner.token };
  },
  deleteActivity: async (owner) => {
    const contactId = await created('POST', '/v1/contacts', owner.token, contact);
    const id = await created('POST', `/v1/contacts/${contactId}/activities`, owner.token, activity);
    return { response: await call('DELETE', `/v1/activities/${id}`, owner.token), readAs: owner.token };
  },

  createPrivacyRequest: async (owner) => ({
    response: await call('POST', '/v1/privacy/requests', owner.token, { type: 'access', subjectEmail: uniqueEmail('subject') }),
    readAs: owner.token,
  }),
  // Requests are handled the moment they arrive; one still open is seeded to be extended or rejected.
  extendPrivacyRequest: async (owner) => {
    const id = await seedRequest(suite.db, owner.orgId, { status: 'in_progress', startedAt: new Date() });
    return {
      response: await call('POST', `/v1/privacy/requests/${id}/extension`, owner.token, { months: 1, reason: 'Complex request' }),
      readAs: owner.token,
    };
  },
  rejectPrivacyRequest: async (owner) => {
    const id = await seedRequest(suite.db, owner.orgId);
    return {
      response: await call('POST', `/v1/privacy/requests/${id}/rejection`, owner.token, { reason: 'Identity not verified' }),
      readAs: owner.token,
    };
  },
  setRetentionPolicy: async (owner) => ({
    response: await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 400, action: 'delete' }),
    readAs: owner.token,
  }),
  previewRetention: async (owner) => ({ response: await call('POST', '/v1/retention-policies/preview', owner.token), readAs: owner.token }),
  createLegalHold: async (owner) => ({
    response: await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Litigation' }),
    readAs: owner.token,
  }),
  releaseLegalHold: async (owner) => {
    const id = await created('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Litigation' });
    return { response: await call('DELETE', `/v1/legal-holds/${id}`, owner.token), readAs: owner.token };
  },
  createAuditVerification: async (owner) => ({
    response: await call('POST', '/v1/audit-events/verifications', owner.token),
    readAs: owner.token,
  }),
  collectEvidence: async (owner) => ({
    response: await call('POST', '/v1/compliance/evidence/collections', owner.token, {}),
    readAs: owner.token,
  }),
  createReport: async (owner) => ({
    response: await call('POST', '/v1/compliance/reports', owner.token, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }),
    readAs: owner.token,
  }),
  requestOrganizationClosure: async (owner) => {
    const name = (await call('GET', '/v1/organization', owner.token)).json().name;
    return {
      response: await call('POST', '/v1/organization/closure', owner.token, { confirmOrganizationName: name }),
      readAs: owner.token,
    };
  },
  cancelOrganizationClosure: async (owner) => {
    const name = (await call('GET', '/v1/organization', owner.token)).json().name;
    await call('POST', '/v1/organization/closure', owner.token, { confirmOrganizationName: name });
    return { response: await call('DELETE', '/v1/organization/closure', owner.token), readAs: owner.token };
  },
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

it('has a scenario for every mutating operation of the OpenAPI document', async () => {
  const operations = (await loadOperations(suite.app)).filter((operation) => MUTATING.has(operation.method));
  const missing = operations
    .filter((operation) => !SCENARIOS[operation.id])
    .map((operation) => `${operation.method} ${operation.path} (${operation.id})`);
  expect(missing).toEqual([]);
});

describe('every mutation leaves exactly one audit event', () => {
  it.each(Object.keys(SCENARIOS))('%s', async (operationId) => {
    const owner = await signup(suite.app);
    const operation = (await loadOperations(suite.app)).find((candidate) => candidate.id === operationId);
    expect(operation).toBeDefined();
    const { response, readAs } = await SCENARIOS[operationId](owner);
    expect(response.statusCode).toBeLessThan(300);

    const log = await call('GET', '/v1/audit-events?limit=100', readAs);
    expect(log.statusCode).toBe(200);
    const forRequest = log.json().data.filter((event: { requestId: string }) => event.requestId === response.headers['x-request-id']);
    expect(forRequest).toHaveLength(1);
    expect(forRequest[0]).toMatchObject({ action: routeAuditOf(operationId, operation!.path).action, outcome: 'success' });
  });
});
