import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PERMISSIONS } from '../../../src/tenancy/permissions';
import { STRONG_PASSWORD, Signed, addMember, bearer, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { call } from '../../support/client';
import { currentStep, enrolMfa, totpAt } from '../../support/totp';
import { createTestApp } from '../../support/test-app';
import {
  Caller,
  WalkCase,
  WalkContext,
  callOperation,
  coverageProblems,
  describeResponse,
  loadOperations,
  problemCode,
  runCase,
  tracesOf,
  walkOrder,
} from './openapi-operations';

/**
 * Layer 5 of the tenant boundary: every operation of the live OpenAPI document is called with
 * tenant B's credentials against tenant A's ids, and must answer 404, an A-free list, or (for
 * operations about the caller) leave A untouched. A route without a case fails the coverage test.
 */

/** Tenant A: the victim. Add fixtures for new resources (companies, contacts, activities) in `setUpTenantA`. */
interface TenantA {
  readonly owner: Signed;
  readonly member: Signed;
  readonly name: string;
  readonly invitation: { readonly id: string; readonly email: string };
  readonly apiKey: { readonly id: string; readonly secret: string };
  readonly ownerSessionId: string;
  readonly records: CustomerRecords;
  readonly compliance: ComplianceRecords;
  readonly scim: ScimRecords;
  readonly sso: SsoRecords;
  /** Every id, email and name of A: none may show up in an answer to B. */
  readonly markers: readonly string[];
}

/** Tenant B: the caller, with an owner session and an API key holding every permission. */
interface TenantB {
  readonly owner: Signed;
  readonly apiKey: { readonly id: string; readonly secret: string };
  readonly invitationId: string;
  readonly records: CustomerRecords;
  readonly compliance: ComplianceRecords;
  readonly scim: ScimRecords;
  readonly sso: SsoRecords;
}

/** The tenant's SSO connection (disabled: starting a sign-in reaches no provider) and a pending domain claim. */
interface SsoRecords {
  readonly connectionId: string;
  readonly issuer: string;
  readonly domainId: string;
  readonly domain: string;
}

/** A SCIM token, and a group its identity provider pushed with the member in it. */
interface ScimRecords {
  readonly tokenId: string;
  readonly token: string;
  readonly groupId: string;
}

/** One company, a contact at it and an activity with the contact. */
interface CustomerRecords {
  readonly companyId: string;
  readonly contactId: string;
  readonly contactEmail: string;
  readonly activityId: string;
}

/** An access request about the contact, a legal hold on it, collected evidence, a report and a full audit verification. */
interface ComplianceRecords {
  readonly privacyRequestId: string;
  readonly legalHoldId: string;
  readonly evidenceId: string;
  readonly reportId: string;
  readonly auditVerificationId: string;
}

type Case = WalkCase<TenantA, TenantB>;
type Ctx = WalkContext<TenantA, TenantB>;

/** An org-scoped token (`inv_`/`atr_` + org + secret) re-labelled with another org. */
function relabel(token: string, orgId: string): string {
  const prefix = token.slice(0, 4);
  return `${prefix}${Buffer.from(orgId.replace(/-/g, ''), 'hex').toString('base64url')}${token.slice(prefix.length + 22)}`;
}

const login = (ctx: Ctx, body: object) => call(ctx.app, 'POST', '/v1/auth/login', { body });
const meOf = (ctx: Ctx, token: string) => call(ctx.app, 'GET', '/v1/me', { token });

/**
 * One entry per operationId of the document (kinds: see WalkCase in openapi-operations.ts). To cover
 * a new route add ONE entry; bodies must be valid so that the tenant check is what answers:
 *   getContact:    { kind: 'not-found', params: (a) => ({ id: a.contactId }) },
 *   updateContact: { kind: 'not-found', params: (a) => ({ id: a.contactId }), body: () => ({ firstName: 'B' }) },
 *   listContacts:  { kind: 'list', mustInclude: (b) => [b.contactId] },
 *   createContact: { kind: 'not-found', body: (a) => ({ firstName: 'B', lastName: 'B', companyId: a.companyId }) },
 * If it names a new fixture, create it in setUpTenantA / setUpTenantB and add A's ids to `markers`.
 */
const CASES: Record<string, Case> = {
  signup: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const taken = await ctx.call({
        body: { email: ctx.a.owner.email, password: STRONG_PASSWORD, name: 'B', organizationName: 'B again' },
      });
      expect(ctx.seen(taken, [ctx.a.owner.email])).toEqual({ status: 409, code: 'EMAIL_TAKEN', traces: [] });
      const fresh = await ctx.call({
        body: { email: uniqueEmail('b-signup'), password: STRONG_PASSWORD, name: 'B', organizationName: 'B new' },
      });
      expect(ctx.seen(fresh)).toEqual({ status: 201, traces: [] });
    },
  },
  login: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const intoA = await ctx.call({ body: { email: ctx.b.owner.email, password: STRONG_PASSWORD, organizationId: ctx.a.owner.orgId } });
      expect(ctx.seen(intoA, [ctx.a.owner.orgId])).toEqual({ status: 404, code: 'ORGANIZATION_NOT_FOUND', traces: [] });
      const own = await ctx.call({ body: { email: ctx.b.owner.email, password: STRONG_PASSWORD } });
      expect({ status: own.statusCode, org: own.json().organization?.id }).toEqual({ status: 200, org: ctx.b.owner.orgId });
    },
  },
  logout: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const extra = (await login(ctx, { email: ctx.b.owner.email, password: STRONG_PASSWORD })).json().token as string;
      const out = await ctx.call({ token: extra });
      const after = await Promise.all([extra, ctx.b.owner.token, ctx.a.owner.token, ctx.a.member.token].map((t) => meOf(ctx, t)));
      expect([out.statusCode, ...after.map((r) => r.statusCode)]).toEqual([204, 401, 200, 200, 200]);
    },
  },
  switchOrganization: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const toA = await ctx.call({ body: { organizationId: ctx.a.owner.orgId } });
      expect(ctx.seen(toA, [ctx.a.owner.orgId])).toEqual({ status: 404, code: 'ORGANIZATION_NOT_FOUND', traces: [] });
      const me = await meOf(ctx, ctx.b.owner.token);
      expect({ status: me.statusCode, org: me.json().organization?.id }).toEqual({ status: 200, org: ctx.b.owner.orgId });
    },
  },
  listSessions: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const list = await ctx.call({ query: { limit: '100' } });
      const sessions = list.json().data as { id: string; organizationId: string }[];
      expect({ ...ctx.seen(list), orgs: [...new Set(sessions.map((s) => s.organizationId))] }).toEqual({
        status: 200,
        orgs: [ctx.b.owner.orgId],
        traces: [],
      });
    },
  },
  revokeSession: { kind: 'not-found', params: (a) => ({ id: a.ownerSessionId }) },
  getMe: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const [session, key, relabelled] = await Promise.all(
        [ctx.b.owner.token, ctx.b.apiKey.secret, relabel(ctx.b.apiKey.secret, ctx.a.owner.orgId)].map((t) => ctx.call({ token: t })),
      );
      expect([session, key].map((r) => ({ ...ctx.seen(r), org: r.json().organization?.id, principal: r.json().principal?.id }))).toEqual([
        { status: 200, org: ctx.b.owner.orgId, principal: ctx.b.owner.userId, traces: [] },
        { status: 200, org: ctx.b.owner.orgId, principal: ctx.b.apiKey.id, traces: [] },
      ]);
      expect(ctx.seen(relabelled)).toEqual({ status: 401, code: 'INVALID_CREDENTIALS', traces: [] });
    },
  },
  changePassword: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const changed = await ctx.call({ body: { currentPassword: STRONG_PASSWORD, newPassword: 'another long passphrase for B 7' } });
      // A's password still works (that login's session is ended again) and A's sessions survive.
      const aLogin = await login(ctx, { email: ctx.a.owner.email, password: STRONG_PASSWORD });
      if (aLogin.statusCode === 200) await call(ctx.app, 'POST', '/v1/auth/logout', { token: aLogin.json().token as string });
      const aMe = await meOf(ctx, ctx.a.owner.token);
      const back = await ctx.call({ body: { currentPassword: 'another long passphrase for B 7', newPassword: STRONG_PASSWORD } });
      expect([changed.statusCode, aLogin.statusCode, aMe.statusCode, back.statusCode]).toEqual([204, 200, 200, 204]);
    },
  },
  // MFA belongs to the user: B's calls act on a user of B's own, and A's owner's MFA stays as it was.
  getMfaStatus: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const status = await ctx.call();
      expect({ ...ctx.seen(status), enabled: status.json().enabled, aStatus: (await ctx.asA('GET', '/v1/me/mfa')).statusCode }).toEqual({
        status: 200,
        enabled: false,
        aStatus: 200,
        traces: [],
      });
    },
  },
  startTotpEnrolment: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const started = await ctx.call({ token: user.token });
      const aStatus = (await ctx.asA('GET', '/v1/me/mfa')).json();
      expect({ ...ctx.seen(started), account: started.json().account, aPending: aStatus.enrolmentPending }).toEqual({
        status: 201,
        account: user.email,
        aPending: false,
        traces: [],
      });
    },
  },
  confirmTotpEnrolment: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const secret = (await call(ctx.app, 'POST', '/v1/me/mfa/totp', { token: user.token })).json().secret as string;
      const confirmed = await ctx.call({ token: user.token, body: { code: totpAt(secret, currentStep()) } });
      const aStatus = (await ctx.asA('GET', '/v1/me/mfa')).json();
      expect({ ...ctx.seen(confirmed), codes: confirmed.json().recoveryCodes?.length, aEnabled: aStatus.enabled }).toEqual({
        status: 200,
        codes: 10,
        aEnabled: false,
        traces: [],
      });
    },
  },
  verifyMfaSession: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const mfa = await enrolMfa(ctx.app, user);
      expect(ctx.seen(await ctx.call({ token: user.token, body: { recoveryCode: mfa.recoveryCodes[0] } }))).toEqual({
        status: 204,
        traces: [],
      });
    },
  },
  regenerateRecoveryCodes: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const mfa = await enrolMfa(ctx.app, user);
      const renewed = await ctx.call({ token: user.token, body: { recoveryCode: mfa.recoveryCodes[0] } });
      expect({ ...ctx.seen(renewed), codes: renewed.json().recoveryCodes?.length }).toEqual({ status: 200, codes: 10, traces: [] });
    },
  },
  disableMfa: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const mfa = await enrolMfa(ctx.app, user);
      const disabled = await ctx.call({ token: user.token, body: { recoveryCode: mfa.recoveryCodes[0] } });
      expect({ ...ctx.seen(disabled), aStatus: (await ctx.asA('GET', '/v1/me/mfa')).statusCode }).toEqual({
        status: 204,
        aStatus: 200,
        traces: [],
      });
    },
  },
  completeMfaLogin: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      // Another tenant's user with MFA, mid sign-in; B's user with MFA and its own challenge.
      const victim = await signup(ctx.app);
      await enrolMfa(ctx.app, victim);
      const victimChallenge = (await login(ctx, { email: victim.email, password: victim.password })).json().challengeToken as string;
      const user = await addMember(ctx.app, ctx.b.owner, 'member');
      const mfa = await enrolMfa(ctx.app, user);
      const own = (await login(ctx, { email: user.email, password: user.password })).json().challengeToken as string;
      const code = totpAt(mfa.secret, mfa.step + 1);
      const crossed = await ctx.call({ body: { challengeToken: victimChallenge, code } });
      const signedIn = await ctx.call({ body: { challengeToken: own, code } });
      expect({ ...ctx.seen(crossed), showsVictim: crossed.body.includes(victim.orgId) }).toEqual({
        status: 401,
        code: 'MFA_CODE_INVALID',
        showsVictim: false,
        traces: [],
      });
      expect({ status: signedIn.statusCode, org: signedIn.json().organization?.id }).toEqual({ status: 200, org: ctx.b.owner.orgId });
    },
  },
  listMyOrganizations: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const list = await ctx.call({ query: { limit: '100' } });
      const ids = (list.json().data as { organization: { id: string } }[]).map((m) => m.organization.id);
      expect({ ...ctx.seen(list), hasB: ids.includes(ctx.b.owner.orgId) }).toEqual({ status: 200, hasB: true, traces: [] });
    },
  },
  createOrganization: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const created = await ctx.call({ body: { name: 'B second org' } });
      expect({ ...ctx.seen(created), isA: created.json().id === ctx.a.owner.orgId }).toEqual({ status: 201, isA: false, traces: [] });
    },
  },
  getOrganization: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const seen = await Promise.all([ctx.b.owner.token, ctx.b.apiKey.secret].map((token) => ctx.call({ token })));
      expect(seen.map((r) => ({ ...ctx.seen(r), id: r.json().id }))).toEqual(
        [0, 1].map(() => ({ status: 200, id: ctx.b.owner.orgId, traces: [] })),
      );
    },
  },
  updateOrganization: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const renamed = await ctx.call({ body: { name: 'B renamed', settings: { displayTimezone: 'Asia/Tokyo' } } });
      const viaKey = await ctx.call({ token: ctx.b.apiKey.secret, body: { name: 'B renamed by key' } });
      const aOrg = (await ctx.asA('GET', '/v1/organization')).json();
      expect([renamed.statusCode, renamed.json().id, viaKey.statusCode, viaKey.json().id]).toEqual([
        200,
        ctx.b.owner.orgId,
        200,
        ctx.b.owner.orgId,
      ]);
      expect({ name: aOrg.name, timezone: aOrg.settings?.displayTimezone }).toEqual({ name: ctx.a.name, timezone: undefined });
    },
  },
  listMembers: { kind: 'list', mustInclude: (b) => [b.owner.userId] },
  updateMember: { kind: 'not-found', params: (a) => ({ userId: a.member.userId }), body: () => ({ role: 'viewer' }) },
  removeMember: { kind: 'not-found', params: (a) => ({ userId: a.member.userId }) },
  createInvitation: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      // A's member is no member of B (409 would reveal A's membership); re-inviting A's invitee must not revoke A's invitation.
      const seen = await Promise.all(
        [ctx.a.member.email, ctx.a.invitation.email].map((email) => ctx.call({ body: { email, role: 'viewer' } })),
      );
      const aInvitation = ((await ctx.asA('GET', '/v1/invitations?limit=100')).json().data as { id: string; status: string }[]).find(
        (i) => i.id === ctx.a.invitation.id,
      );
      expect([...seen.map(describeResponse), aInvitation?.status]).toEqual(['201', '201', 'pending']);
    },
  },
  listInvitations: { kind: 'list', mustInclude: (b) => [b.invitationId] },
  revokeInvitation: { kind: 'not-found', params: (a) => ({ id: a.invitation.id }) },
  acceptInvitation: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const invited = await call(ctx.app, 'POST', '/v1/invitations', {
        token: ctx.b.owner.token,
        body: { email: uniqueEmail('b-invitee'), role: 'viewer' },
      });
      const token = invited.json().token as string;
      const account = { name: 'B invitee', password: STRONG_PASSWORD };
      const relabelled = await ctx.call({ body: { token: relabel(token, ctx.a.owner.orgId), ...account } });
      expect(ctx.seen(relabelled)).toEqual({ status: 404, code: 'INVITATION_NOT_FOUND', traces: [] });
      const accepted = await ctx.call({ body: { token, ...account } });
      expect({ status: accepted.statusCode, org: accepted.json().organization?.id }).toEqual({ status: 200, org: ctx.b.owner.orgId });
    },
  },
  listApiKeys: { kind: 'list', mustInclude: (b) => [b.apiKey.id] },
  createApiKey: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      const created = await ctx.call({ body: { name: 'B reader', scopes: ['members:read'] } });
      const secret = created.json().secret as string;
      const members = await call(ctx.app, 'GET', '/v1/members?limit=100', { token: secret });
      const me = (await meOf(ctx, secret)).json();
      expect({ created: created.statusCode, org: me.organization?.id, members: ctx.seen(members) }).toEqual({
        created: 201,
        org: ctx.b.owner.orgId,
        members: { status: 200, traces: [] },
      });
    },
  },
  revokeApiKey: { kind: 'not-found', params: (a) => ({ id: a.apiKey.id }) },

  listScimTokens: { kind: 'list', mustInclude: (b) => [b.scim.tokenId] },
  createScimToken: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      // B's new token provisions B alone: A's member is no user of B, A's group no group of B.
      const created = await ctx.call({ body: { name: 'B identity provider' } });
      const token = created.json().token as string;
      const scim = (path: string) => call(ctx.app, 'GET', `/scim/v2${path}`, { token });
      const [users, groups, aGroup] = await Promise.all([scim('/Users?count=200'), scim('/Groups'), scim(`/Groups/${ctx.a.scim.groupId}`)]);
      expect({ created: ctx.seen(created), users: ctx.seen(users), groups: ctx.seen(groups), aGroup: aGroup.statusCode }).toEqual({
        created: { status: 201, traces: [] },
        users: { status: 200, traces: [] },
        groups: { status: 200, traces: [] },
        aGroup: 404,
      });
    },
  },
  revokeScimToken: { kind: 'not-found', params: (a) => ({ id: a.scim.tokenId }) },
  listScimGroups: { kind: 'list', mustInclude: (b) => [b.scim.groupId] },
  mapScimGroupRole: { kind: 'not-found', params: (a) => ({ id: a.scim.groupId }), body: () => ({ role: 'admin' }) },

  getSsoConnection: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const own = await ctx.call();
      expect({ ...ctx.seen(own), id: own.json().id }).toEqual({ status: 200, id: ctx.b.sso.connectionId, traces: [] });
    },
  },
  putSsoConnection: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      const put = await ctx.call({ body: ssoConnectionBody('https://idp.bravo.example', 'bravo-client') });
      const aConnection = (await ctx.asA('GET', '/v1/sso/connection')).json();
      expect({ ...ctx.seen(put), id: put.json().id, aIssuer: aConnection.oidc?.issuer }).toEqual({
        status: 200,
        id: ctx.b.sso.connectionId,
        aIssuer: ctx.a.sso.issuer,
        traces: [],
      });
    },
  },
  deleteSsoConnection: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      const deleted = await ctx.call();
      const aConnection = await ctx.asA('GET', '/v1/sso/connection');
      expect([deleted.statusCode, aConnection.statusCode, aConnection.json().id]).toEqual([204, 200, ctx.a.sso.connectionId]);
    },
  },
  listSsoDomains: { kind: 'list', mustInclude: (b) => [b.sso.domainId] },
  claimSsoDomain: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      // A's claim is pending, so B may claim the same name: a claim of B's own, A's untouched.
      const claimed = await ctx.call({ body: { domain: ctx.a.sso.domain } });
      const aDomain = await ctx.asA('GET', `/v1/sso/domains/${ctx.a.sso.domainId}`);
      expect({ ...ctx.seen(claimed, [ctx.a.sso.domain]), isA: claimed.json().id === ctx.a.sso.domainId, a: aDomain.statusCode }).toEqual({
        status: 201,
        isA: false,
        a: 200,
        traces: [],
      });
    },
  },
  getSsoDomain: { kind: 'not-found', params: (a) => ({ id: a.sso.domainId }) },
  verifySsoDomain: { kind: 'not-found', params: (a) => ({ id: a.sso.domainId }) },
  removeSsoDomain: { kind: 'not-found', params: (a) => ({ id: a.sso.domainId }) },
  startSsoSignIn: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      // Anyone may start a sign-in for an organization; A's connection is disabled, so there is none to start.
      const intoA = await ctx.call({ query: { organizationId: ctx.a.owner.orgId } });
      expect(ctx.seen(intoA, [ctx.a.owner.orgId])).toEqual({ status: 404, code: 'SSO_CONNECTION_NOT_FOUND', traces: [] });
    },
  },
  completeSsoSignIn: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      expect(ctx.seen(await ctx.call({ query: { state: 'never-issued', code: 'x' } }))).toEqual({
        status: 400,
        code: 'SSO_STATE_INVALID',
        traces: [],
      });
    },
  },
  // SAML metadata is public for a SAML connection; A's connection is OpenID Connect, so it has none.
  getSamlServiceProviderMetadata: { kind: 'not-found', params: (a) => ({ connectionId: a.sso.connectionId }) },
  consumeSamlResponse: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const posted = await ctx.call({ body: { SAMLResponse: 'PHg+', RelayState: 'never-issued' } });
      expect(ctx.seen(posted)).toEqual({ status: 400, code: 'SSO_STATE_INVALID', traces: [] });
    },
  },

  listCompanies: { kind: 'list', mustInclude: (b) => [b.records.companyId] },
  createCompany: { kind: 'own-tenant-write', check: async (ctx) => expectCreatedInB(ctx, await ctx.call({ body: { name: 'B company' } })) },
  getCompany: { kind: 'not-found', params: (a) => ({ id: a.records.companyId }) },
  updateCompany: { kind: 'not-found', params: (a) => ({ id: a.records.companyId }), body: () => ({ name: 'Taken over by B' }) },
  deleteCompany: { kind: 'not-found', params: (a) => ({ id: a.records.companyId }) },

  listContacts: { kind: 'list', mustInclude: (b) => [b.records.contactId] },
  createContact: {
    kind: 'not-found',
    // A's company named in B's body is unknown to B: a field error, and nothing of A shown.
    status: 400,
    body: (a) => ({ firstName: 'B', lastName: 'Creates', companyId: a.records.companyId }),
  },
  getContact: { kind: 'not-found', params: (a) => ({ id: a.records.contactId }) },
  updateContact: { kind: 'not-found', params: (a) => ({ id: a.records.contactId }), body: () => ({ firstName: 'Taken over' }) },
  deleteContact: { kind: 'not-found', params: (a) => ({ id: a.records.contactId }) },

  listContactActivities: { kind: 'not-found', params: (a) => ({ id: a.records.contactId }) },
  createActivity: {
    kind: 'not-found',
    params: (a) => ({ id: a.records.contactId }),
    body: () => ({ type: 'note', subject: 'B writes into A', occurredAt: '2026-01-01T00:00:00Z' }),
  },
  getActivity: { kind: 'not-found', params: (a) => ({ id: a.records.activityId }) },
  updateActivity: { kind: 'not-found', params: (a) => ({ id: a.records.activityId }), body: () => ({ subject: 'Taken over' }) },
  deleteActivity: { kind: 'not-found', params: (a) => ({ id: a.records.activityId }) },

  // B's own log may name A's ids that B itself sent (its refused attempts): what must never show
  // is an event of A's, so these check the actors and successful targets instead of markers.
  listAuditEvents: {
    kind: 'caller-scoped',
    check: async (ctx) => expectOnlyBEvents(ctx, (await ctx.call({ query: { limit: '100' } })).json().data),
  },
  exportAuditEvents: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const exported = await ctx.call({ query: { format: 'jsonl' } });
      expect(exported.statusCode).toBe(200);
      await expectOnlyBEvents(
        ctx,
        exported.body
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    },
  },
  verifyAuditChain: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const [ofB, ofA] = await Promise.all([ctx.call({}), ctx.asA('GET', '/v1/audit-events/verify')]);
      expect({ b: ofB.json().valid, a: ofA.json().valid, sameHead: ofB.json().lastHash === ofA.json().lastHash }).toEqual({
        b: true,
        a: true,
        sameHead: false,
      });
    },
  },
  getSigningKey: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const [ofB, ofA] = await Promise.all([ctx.call({}), ctx.asA('GET', '/v1/compliance/signing-key')]);
      expect(ctx.seen(ofB)).toEqual({ status: 200, traces: [] });
      expect(ofB.json()).toEqual(ofA.json());
    },
  },
  listSigningKeys: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const [ofB, ofA] = await Promise.all([ctx.call({}), ctx.asA('GET', '/.well-known/atrium-signing-keys.json')]);
      expect(ctx.seen(ofB)).toEqual({ status: 200, traces: [] });
      expect(ofB.json()).toEqual(ofA.json());
    },
  },

  getProcessingRecords: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 200, traces: [] }),
  },
  listPrivacyRequests: { kind: 'list', mustInclude: (b) => [b.compliance.privacyRequestId] },
  createPrivacyRequest: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      // B asks about A's contact: B's request finds nothing, because B holds nothing of theirs.
      const created = await ctx.call({ body: { type: 'access', subjectEmail: ctx.a.records.contactEmail } });
      expect(ctx.seen(created, [ctx.a.records.contactEmail])).toEqual({ status: 202, traces: [] });
      const url = `/v1/privacy/requests/${created.json().id}`;
      let request = created.json();
      for (let attempt = 0; attempt < 100 && request.status !== 'completed'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        request = (await call(ctx.app, 'GET', url, { token: ctx.b.owner.token })).json();
      }
      const exported = await call(ctx.app, 'GET', `${url}/export`, { token: ctx.b.owner.token });
      expect({ status: request.status, export: ctx.seen(exported, [ctx.a.records.contactEmail]) }).toEqual({
        status: 'completed',
        export: { status: 200, traces: [] },
      });
    },
  },
  getPrivacyRequest: { kind: 'not-found', params: (a) => ({ id: a.compliance.privacyRequestId }) },
  extendPrivacyRequest: {
    kind: 'not-found',
    params: (a) => ({ id: a.compliance.privacyRequestId }),
    body: () => ({ months: 1, reason: 'B wants more time' }),
  },
  rejectPrivacyRequest: {
    kind: 'not-found',
    params: (a) => ({ id: a.compliance.privacyRequestId }),
    body: () => ({ reason: 'B says no' }),
  },
  downloadPrivacyExport: { kind: 'not-found', params: (a) => ({ id: a.compliance.privacyRequestId }) },
  getErasureCertificate: { kind: 'not-found', params: (a) => ({ id: a.compliance.privacyRequestId }) },

  listRetentionPolicies: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 200, traces: [] }),
  },
  setRetentionPolicy: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      const set = await ctx.call({ params: { category: 'activities' }, body: { durationDays: 30, action: 'delete' } });
      const ofA = (await ctx.asA('GET', '/v1/retention-policies')).json().data as { category: string; durationDays: number }[];
      expect({ set: ctx.seen(set), a: ofA.find((policy) => policy.category === 'activities')?.durationDays }).toEqual({
        set: { status: 200, traces: [] },
        a: 3 * 365,
      });
    },
  },
  previewRetention: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 200, traces: [] }),
  },
  listLegalHolds: { kind: 'list', mustInclude: (b) => [b.compliance.legalHoldId] },
  createLegalHold: {
    kind: 'not-found',
    // A's contact named in B's body is unknown to B: a field error, and nothing of A shown.
    status: 422,
    body: (a) => ({ scope: 'contact', contactId: a.records.contactId, reason: 'B holds A' }),
  },
  releaseLegalHold: { kind: 'not-found', params: (a) => ({ id: a.compliance.legalHoldId }) },

  listEvidence: { kind: 'list', mustInclude: (b) => [b.compliance.evidenceId] },
  getEvidence: { kind: 'not-found', params: (a) => ({ id: a.compliance.evidenceId }) },
  collectEvidence: {
    kind: 'own-tenant-write',
    check: async (ctx) => expect(ctx.seen(await ctx.call({ body: {} }))).toEqual({ status: 201, traces: [] }),
  },
  listAuditVerifications: { kind: 'list', mustInclude: (b) => [b.compliance.auditVerificationId] },
  createAuditVerification: {
    kind: 'own-tenant-write',
    check: async (ctx) => {
      // B's own run from its set-up may still be open (409); either way B verifies only its own chain.
      const seen = ctx.seen(await ctx.call({}));
      expect({ traces: seen.traces, answered: [202, 409].includes(seen.status) }).toEqual({ traces: [], answered: true });
    },
  },
  getAuditVerification: { kind: 'not-found', params: (a) => ({ id: a.compliance.auditVerificationId }) },
  listReports: { kind: 'list', mustInclude: (b) => [b.compliance.reportId] },
  createReport: {
    kind: 'own-tenant-write',
    check: async (ctx) =>
      expect(ctx.seen(await ctx.call({ body: { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' } }))).toEqual({
        status: 201,
        traces: [],
      }),
  },
  getReport: { kind: 'not-found', params: (a) => ({ id: a.compliance.reportId }) },
  downloadReport: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const download = await ctx.call({ params: { id: ctx.a.compliance.reportId }, query: { format: 'pdf' } });
      expect(ctx.seen(download, [ctx.a.compliance.reportId])).toEqual({ status: 404, code: 'REPORT_NOT_FOUND', traces: [] });
    },
  },

  // Closure acts on the caller's own org only: B can neither see nor close A.
  requestOrganizationClosure: {
    kind: 'caller-scoped',
    check: async (ctx) => {
      const named = await ctx.call({ body: { confirmOrganizationName: ctx.a.name } });
      const ofA = await ctx.asA('GET', '/v1/organization/closure');
      expect({ b: ctx.seen(named, [ctx.a.name]), a: ofA.statusCode }).toEqual({
        b: { status: 400, code: 'VALIDATION_FAILED', traces: [] },
        a: 404,
      });
    },
  },
  getOrganizationClosure: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 404, code: 'CLOSURE_NOT_FOUND', traces: [] }),
  },
  cancelOrganizationClosure: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 404, code: 'CLOSURE_NOT_FOUND', traces: [] }),
  },
  downloadOrganizationExport: {
    kind: 'caller-scoped',
    check: async (ctx) => expect(ctx.seen(await ctx.call({}))).toEqual({ status: 404, code: 'CLOSURE_NOT_FOUND', traces: [] }),
  },
  getDeletionCertificate: {
    kind: 'caller-scoped',
    check: async (ctx) =>
      expect(ctx.seen(await ctx.call({ params: { id: randomUUID() } }))).toEqual({
        status: 404,
        code: 'DELETION_CERTIFICATE_NOT_FOUND',
        traces: [],
      }),
  },
};

async function expectOnlyBEvents(ctx: Ctx, events: { actor: { id: string | null }; target: { id: string } | null; outcome: string }[]) {
  const aIds = new Set([ctx.a.owner.userId, ctx.a.member.userId, ctx.a.apiKey.id]);
  const aRecords = new Set(Object.values(ctx.a.records));
  expect({
    any: events.length > 0,
    actedByA: events.filter((event) => event.actor.id && aIds.has(event.actor.id)),
    changedInA: events.filter((event) => event.outcome === 'success' && event.target && aRecords.has(event.target.id)),
  }).toEqual({ any: true, actedByA: [], changedInA: [] });
}

async function expectCreatedInB(ctx: Ctx, created: Awaited<ReturnType<Ctx['call']>>): Promise<void> {
  const id = created.json().id as string;
  const seenByA = await ctx.asA('GET', `/v1/companies/${id}`);
  expect({ created: created.statusCode, traces: ctx.seen(created).traces, seenByA: seenByA.statusCode }).toEqual({
    created: 201,
    traces: [],
    seenByA: 404,
  });
}

/** Creates the customer records of one tenant through the API. */
async function createRecords(app: NestFastifyApplication, owner: Signed, label: string): Promise<CustomerRecords> {
  const post = async (url: string, payload: object) => {
    const response = await call(app, 'POST', url, { token: owner.token, body: payload });
    expect(response.statusCode).toBe(201);
    return response.json().id as string;
  };
  const companyId = await post('/v1/companies', {
    name: `${label} Company`,
    domain: `${label.toLowerCase()}-${randomUUID().slice(0, 6)}.example`,
  });
  const contactEmail = uniqueEmail(`${label.toLowerCase()}-contact`);
  const contactId = await post('/v1/contacts', {
    firstName: `${label}first`,
    lastName: `${label}last`,
    email: contactEmail,
    companyId,
    tags: ['walker'],
  });
  const activityId = await post(`/v1/contacts/${contactId}/activities`, {
    type: 'call',
    subject: `${label} call`,
    occurredAt: '2026-01-02T00:00:00Z',
  });
  return { companyId, contactId, contactEmail, activityId };
}

/** Compliance records of one tenant, made through the API. */
async function createComplianceRecords(
  app: NestFastifyApplication,
  owner: Signed,
  records: CustomerRecords,
  label: string,
): Promise<ComplianceRecords> {
  const post = async (url: string, payload: object) => {
    const response = await call(app, 'POST', url, { token: owner.token, body: payload });
    expect(response.statusCode).toBeLessThan(300);
    return response.json();
  };
  const request = await post('/v1/privacy/requests', { type: 'access', subjectEmail: records.contactEmail });
  const hold = await post('/v1/legal-holds', { scope: 'contact', contactId: records.contactId, reason: `${label} litigation` });
  const evidence = await post('/v1/compliance/evidence/collections', {});
  const report = await post('/v1/compliance/reports', { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
  const verification = await post('/v1/audit-events/verifications', {});
  return {
    privacyRequestId: request.id,
    legalHoldId: hold.id,
    evidenceId: evidence.data[0].id,
    reportId: report.id,
    auditVerificationId: verification.id,
  };
}

function ssoConnectionBody(issuer: string, clientId: string): object {
  return { type: 'oidc', oidc: { issuer, clientId, clientSecret: `${clientId} secret` }, enabled: false };
}

/** A disabled SSO connection of the tenant and a pending claim of a domain. */
async function createSsoRecords(app: NestFastifyApplication, owner: Signed, label: string): Promise<SsoRecords> {
  const issuer = `https://idp.${label.toLowerCase()}.example`;
  const connection = await call(app, 'PUT', '/v1/sso/connection', {
    token: owner.token,
    body: ssoConnectionBody(issuer, `${label}-client`),
  });
  const domain = `${label.toLowerCase()}-${randomUUID().slice(0, 8)}.example`;
  const claimed = await call(app, 'POST', '/v1/sso/domains', { token: owner.token, body: { domain } });
  expect([connection.statusCode, claimed.statusCode]).toEqual([200, 201]);
  return { connectionId: connection.json().id as string, issuer, domainId: claimed.json().id as string, domain };
}

/** A SCIM token of the tenant, and a group with `member` in it pushed through SCIM. */
async function createScimRecords(
  app: NestFastifyApplication,
  owner: Signed,
  member: Signed | undefined,
  label: string,
): Promise<ScimRecords> {
  const created = await call(app, 'POST', '/v1/scim-tokens', { token: owner.token, body: { name: `${label} IdP` } });
  expect(created.statusCode).toBe(201);
  const token = created.json().token as string;
  const group = await app.inject({
    method: 'POST',
    url: '/scim/v2/Groups',
    headers: { ...bearer(token), 'content-type': 'application/scim+json' },
    payload: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `${label} engineers`,
      members: member ? [{ value: member.userId }] : [],
    }),
  });
  expect(group.statusCode).toBe(201);
  return { tokenId: created.json().id as string, token, groupId: group.json().id as string };
}

/** Public probes that read no tenant data. Only public operations tagged Operations may be listed here. */
const NOT_TENANT_SCOPED: ReadonlySet<string> = new Set(['getLiveness', 'getReadiness', 'getMetrics']);

describe('Cross-tenant walker (e2e)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    ({ app } = await createTestApp());
  });

  afterAll(async () => {
    await app.close();
  });

  async function setUpTenantA(): Promise<TenantA> {
    const name = `Tenant A ${randomUUID().slice(0, 8)}`;
    const owner = await signup(app, { organizationName: name });
    const member = await addMember(app, owner, 'member');
    const invitationEmail = uniqueEmail('a-invitee');
    const invitation = await call(app, 'POST', '/v1/invitations', { token: owner.token, body: { email: invitationEmail, role: 'viewer' } });
    const apiKey = await createApiKey(app, owner, ['members:read'], 'A key');
    const sessions = (await call(app, 'GET', '/v1/auth/sessions', { token: owner.token })).json().data as {
      id: string;
      current: boolean;
    }[];
    const slug = (await call(app, 'GET', '/v1/organization', { token: owner.token })).json().slug as string;
    const ownerSessionId = sessions.find((s) => s.current)?.id as string;
    expect([invitation.statusCode, typeof ownerSessionId, typeof slug]).toEqual([201, 'string', 'string']);
    const invitationId = invitation.json().id as string;
    const records = await createRecords(app, owner, 'Alpha');
    const compliance = await createComplianceRecords(app, owner, records, 'Alpha');
    const scim = await createScimRecords(app, owner, member, 'Alpha');
    const sso = await createSsoRecords(app, owner, 'Alpha');
    return {
      owner,
      member,
      name,
      invitation: { id: invitationId, email: invitationEmail },
      apiKey,
      ownerSessionId,
      records,
      compliance,
      scim,
      sso,
      markers: [
        ...[
          owner.orgId,
          name,
          slug,
          owner.userId,
          owner.email,
          member.userId,
          member.email,
          invitationId,
          invitationEmail,
          apiKey.id,
          apiKey.secret.slice(0, 32),
          ownerSessionId,
        ],
        ...[records.companyId, records.contactId, records.contactEmail, records.activityId, 'Alphafirst', 'Alpha call'],
        ...Object.values(compliance),
        'Alpha litigation',
        scim.tokenId,
        scim.token.slice(0, 32),
        scim.groupId,
        'Alpha engineers',
        ...Object.values(sso),
        'Alpha-client',
      ],
    };
  }

  async function setUpTenantB(): Promise<TenantB> {
    const owner = await signup(app, { organizationName: `Tenant B ${randomUUID().slice(0, 8)}` });
    const apiKey = await createApiKey(app, owner, [...PERMISSIONS], 'B key');
    const invitation = await call(app, 'POST', '/v1/invitations', {
      token: owner.token,
      body: { email: uniqueEmail('b-invitee'), role: 'member' },
    });
    const records = await createRecords(app, owner, 'Bravo');
    const compliance = await createComplianceRecords(app, owner, records, 'Bravo');
    const scim = await createScimRecords(app, owner, undefined, 'Bravo');
    const sso = await createSsoRecords(app, owner, 'Bravo');
    return { owner, apiKey, invitationId: invitation.json().id as string, records, compliance, scim, sso };
  }

  /** What A's owner sees of A; the walk must not change any of it. */
  async function snapshotOfA(a: TenantA): Promise<Record<string, unknown>> {
    const read = async (url: string, token = a.owner.token) => {
      const response = await call(app, 'GET', url, { token });
      return { status: response.statusCode, body: response.json() as unknown };
    };
    const sessions = await read('/v1/auth/sessions?limit=100');
    return {
      organization: await read('/v1/organization'),
      ssoConnection: await read('/v1/sso/connection'),
      ssoDomains: await read('/v1/sso/domains?limit=100'),
      members: await read('/v1/members?limit=100'),
      invitations: await read('/v1/invitations?limit=100'),
      apiKeys: await read('/v1/api-keys?limit=100'),
      companies: await read('/v1/companies?limit=100'),
      contacts: await read('/v1/contacts?limit=100'),
      activities: await read(`/v1/contacts/${a.records.contactId}/activities?limit=100`),
      ownerSessionIds: ((sessions.body as { data: { id: string }[] }).data ?? []).map((s) => s.id),
      memberMe: (await read('/v1/me', a.member.token)).status,
    };
  }

  it('has a case in CASES (or NOT_TENANT_SCOPED) for every operation of the OpenAPI document, and none for a missing one', async () => {
    const operations = await loadOperations(app);

    expect(operations.length).toBeGreaterThan(0);
    expect(coverageProblems(operations, CASES, NOT_TENANT_SCOPED)).toEqual([]);
  });

  it('lets tenant B reach nothing of tenant A through any operation, and leaves A unchanged', async () => {
    const operations = await loadOperations(app);
    expect(coverageProblems(operations, CASES, NOT_TENANT_SCOPED)).toEqual([]);

    const a = await setUpTenantA();
    const b = await setUpTenantB();
    const before = await snapshotOfA(a);
    const failures: string[] = [];
    const callers: Caller[] = [
      { name: "B's owner session", token: b.owner.token, apiKey: false },
      { name: "B's API key (every permission)", token: b.apiKey.secret, apiKey: true },
    ];
    for (const op of walkOrder(operations, CASES)) {
      const ctx: Ctx = {
        app,
        a,
        b,
        call: (options = {}) => callOperation(app, op, { ...options, token: options.token ?? b.owner.token }),
        asA: (method, url) => app.inject({ method, url, headers: bearer(a.owner.token) }),
        seen: (response, sent = []) => ({
          status: response.statusCode,
          code: problemCode(response),
          traces: tracesOf(a, response.body, sent),
        }),
      };
      failures.push(...(await runCase(op, CASES[op.id], ctx, callers)));
    }

    expect(failures).toEqual([]);
    expect(await snapshotOfA(a)).toEqual(before);
    const keyStillWorks = await call(app, 'GET', '/v1/me', { token: a.apiKey.secret });
    expect({ status: keyStillWorks.statusCode, org: keyStillWorks.json().organization?.id }).toEqual({ status: 200, org: a.owner.orgId });
  });
});
