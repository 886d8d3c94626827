import { Exchange, ProxyClient } from './prism-proxy';

/**
 * What a client does in a day, operation by operation, through the proxy. Each step checks its
 * status so that a broken step stops the session where it broke; what Prism thinks of each
 * exchange is collected by the client.
 */

export function expectStatus(exchange: Exchange, status: number, what: string): Exchange {
  if (exchange.status !== status) throw new Error(`${what}: expected ${status}, got ${exchange.status}: ${exchange.text.slice(0, 2000)}`);
  return exchange;
}

export interface SessionUser {
  readonly email: string;
  readonly password: string;
  readonly organization: string;
}

const DAY = 24 * 60 * 60 * 1000;

export async function runClientSession(client: ProxyClient, user: SessionUser): Promise<void> {
  const call = client.call.bind(client);
  const signup = expectStatus(
    await call('POST', '/v1/auth/signup', {
      body: { email: user.email, password: user.password, name: 'Prism Owner', organizationName: user.organization },
    }),
    201,
    'signup',
  );
  const token = signup.json.token as string;
  const orgId = signup.json.organization.id as string;
  const login = async () =>
    expectStatus(await call('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } }), 200, 'login').json
      .token as string;
  const [secondSession, thirdSession] = [await login(), await login()];
  const as = { token };

  // The caller, sessions, organizations.
  const me = expectStatus(await call('GET', '/v1/me', as), 200, 'me');
  expectStatus(await call('GET', '/v1/me', { ...as, headers: { 'if-none-match': me.headers.get('etag') as string } }), 304, 'me 304');
  expectStatus(await call('GET', '/v1/auth/sessions', as), 200, 'sessions');
  const third = expectStatus(await call('GET', '/v1/auth/sessions', { token: thirdSession }), 200, 'sessions of the third');
  const thirdId = (third.json.data as { id: string; current: boolean }[]).find((session) => session.current)?.id as string;
  expectStatus(await call('DELETE', `/v1/auth/sessions/${thirdId}`, as), 204, 'revoke session');
  expectStatus(await call('GET', '/v1/me', { token: thirdSession }), 401, 'revoked session');
  expectStatus(await call('GET', '/v1/organizations', as), 200, 'organizations');
  const org = expectStatus(await call('GET', '/v1/organization', as), 200, 'organization');
  expectStatus(
    await call('PATCH', '/v1/organization', {
      ...as,
      body: { name: `${org.json.name as string} Ltd`, settings: { displayTimezone: 'Europe/Berlin' } },
    }),
    200,
    'patch organization',
  );
  const secondOrg = expectStatus(await call('POST', '/v1/organizations', { ...as, body: { name: 'Prism Second Org' } }), 201, 'create org');
  // Switching ends the session it is made with: the second one, not the one the session goes on with.
  const switched = expectStatus(
    await call('POST', '/v1/auth/switch-organization', { token: secondSession, body: { organizationId: secondOrg.json.id } }),
    200,
    'switch organization',
  );
  expectStatus(await call('GET', '/v1/me', { token: switched.json.token }), 200, 'me in the second org');
  expectStatus(await call('POST', '/v1/auth/logout', { token: switched.json.token }), 204, 'logout of the second org');

  // Members and invitations.
  const invited = expectStatus(
    await call('POST', '/v1/invitations', { ...as, body: { email: `member-${orgId.slice(-8)}@example.test`, role: 'member' } }),
    201,
    'invite',
  );
  const spare = expectStatus(
    await call('POST', '/v1/invitations', { ...as, body: { email: `spare-${orgId.slice(-8)}@example.test`, role: 'viewer' } }),
    201,
    'invite spare',
  );
  expectStatus(await call('GET', '/v1/invitations', as), 200, 'list invitations');
  expectStatus(await call('DELETE', `/v1/invitations/${spare.json.id as string}`, as), 204, 'revoke invitation');
  const accepted = expectStatus(
    await call('POST', '/v1/invitations/accept', { body: { token: invited.json.token, name: 'Prism Member', password: user.password } }),
    200,
    'accept invitation',
  );
  const memberId = accepted.json.user.id as string;
  expectStatus(await call('GET', '/v1/members', as), 200, 'list members');
  expectStatus(await call('PATCH', `/v1/members/${memberId}`, { ...as, body: { role: 'viewer' } }), 200, 'change role');
  expectStatus(await call('DELETE', `/v1/members/${memberId}`, as), 204, 'remove member');

  // API keys.
  const key = expectStatus(
    await call('POST', '/v1/api-keys', {
      ...as,
      body: { name: 'Prism sync', scopes: ['contacts:read'], expiresAt: new Date(Date.now() + 30 * DAY).toISOString() },
    }),
    201,
    'create key',
  );
  expectStatus(await call('GET', '/v1/api-keys', as), 200, 'list keys');
  expectStatus(await call('GET', '/v1/me', { token: key.json.secret }), 200, 'me as an API key');
  expectStatus(await call('GET', '/v1/contacts', { token: key.json.secret }), 200, 'contacts as an API key');
  expectStatus(await call('DELETE', `/v1/api-keys/${key.json.id as string}`, as), 204, 'revoke key');

  const contact = await runRecords(client, token);
  await runCompliance(client, token, contact);

  expectStatus(await call('POST', '/v1/auth/logout', as), 204, 'logout');
  expectStatus(await call('GET', '/v1/me', { token }), 401, 'after logout');
}

/** Companies, contacts and activities: create, get (and 304), list, update with If-Match, delete. Returns a live contact. */
async function runRecords(client: ProxyClient, token: string): Promise<{ id: string; email: string }> {
  const call = client.call.bind(client);
  const as = { token };
  const company = expectStatus(
    await call('POST', '/v1/companies', { ...as, body: { name: 'Prism Corp', domain: 'prism.example', industry: 'Testing' } }),
    201,
    'create company',
  );
  const companyId = company.json.id as string;
  const gotCompany = expectStatus(await call('GET', `/v1/companies/${companyId}`, as), 200, 'get company');
  const companyTag = gotCompany.headers.get('etag') as string;
  expectStatus(await call('GET', `/v1/companies/${companyId}`, { ...as, headers: { 'if-none-match': companyTag } }), 304, 'company 304');
  expectStatus(await call('GET', '/v1/companies?limit=10', as), 200, 'list companies');
  expectStatus(
    await call('PATCH', `/v1/companies/${companyId}`, { ...as, headers: { 'if-match': companyTag }, body: { industry: 'Quality' } }),
    200,
    'patch company',
  );

  const email = `grace-${companyId.slice(-8)}@example.test`;
  const created = expectStatus(
    await call('POST', '/v1/contacts', {
      ...as,
      headers: { 'idempotency-key': `prism-${companyId}` },
      body: {
        firstName: 'Grace',
        lastName: 'Hopper',
        email,
        phone: '+14155550123',
        companyId,
        tags: ['vip'],
        customFields: { tier: 'gold', address: { city: 'Arlington', lines: ['1 Navy Way', null] }, score: 4.5, active: true },
      },
    }),
    201,
    'create contact',
  );
  const contactId = created.json.id as string;
  const loose = expectStatus(
    await call('POST', '/v1/contacts', { ...as, body: { firstName: 'Loose', lastName: 'End', email: null, phone: null, companyId: null } }),
    201,
    'create contact without company',
  );
  const gotContact = expectStatus(await call('GET', `/v1/contacts/${contactId}`, as), 200, 'get contact');
  const contactTag = gotContact.headers.get('etag') as string;
  expectStatus(await call('GET', `/v1/contacts/${contactId}`, { ...as, headers: { 'if-none-match': contactTag } }), 304, 'contact 304');
  expectStatus(await call('GET', `/v1/contacts/${loose.json.id as string}`, as), 200, 'get contact without company');
  const list = expectStatus(await call('GET', '/v1/contacts?limit=1', as), 200, 'list contacts');
  expectStatus(await call('GET', `/v1/contacts?limit=1&cursor=${encodeURIComponent(list.json.nextCursor as string)}`, as), 200, 'page 2');
  expectStatus(await call('GET', `/v1/contacts?q=hopp&tag=vip&companyId=${companyId}`, as), 200, 'filter contacts');
  expectStatus(
    await call('GET', '/v1/contacts', { ...as, headers: { 'if-none-match': list.headers.get('etag') as string } }),
    200,
    'list again',
  );
  expectStatus(
    await call('PATCH', `/v1/contacts/${contactId}`, { ...as, headers: { 'if-match': contactTag }, body: { tags: ['vip', 'renewal'] } }),
    200,
    'patch contact',
  );
  expectStatus(await call('PATCH', `/v1/contacts/${loose.json.id as string}`, { ...as, body: { companyId } }), 200, 'attach company');

  const activity = expectStatus(
    await call('POST', `/v1/contacts/${contactId}/activities`, {
      ...as,
      body: { type: 'call', subject: 'Renewal call', body: 'Agreed.', occurredAt: new Date(Date.now() - 60_000).toISOString() },
    }),
    201,
    'create activity',
  );
  const activityId = activity.json.id as string;
  const gotActivity = expectStatus(await call('GET', `/v1/activities/${activityId}`, as), 200, 'get activity');
  const activityTag = gotActivity.headers.get('etag') as string;
  expectStatus(
    await call('GET', `/v1/activities/${activityId}`, { ...as, headers: { 'if-none-match': activityTag } }),
    304,
    'activity 304',
  );
  expectStatus(await call('GET', `/v1/contacts/${contactId}/activities?type=call`, as), 200, 'list activities');
  expectStatus(
    await call('PATCH', `/v1/activities/${activityId}`, { ...as, headers: { 'if-match': activityTag }, body: { body: null } }),
    200,
    'patch activity',
  );
  expectStatus(await call('DELETE', `/v1/activities/${activityId}`, as), 204, 'delete activity');
  expectStatus(await call('DELETE', `/v1/contacts/${loose.json.id as string}`, as), 204, 'delete contact');
  const stale = expectStatus(await call('GET', `/v1/companies/${companyId}`, as), 200, 'company before delete');
  expectStatus(
    await call('DELETE', `/v1/companies/${companyId}`, { ...as, headers: { 'if-match': stale.headers.get('etag') as string } }),
    204,
    'delete company',
  );
  expectStatus(await call('GET', `/v1/contacts/${contactId}`, as), 200, 'contact whose company is gone');
  return { id: contactId, email };
}

/** Audit, privacy, retention, legal holds, evidence, reports and the signing key. */
async function runCompliance(client: ProxyClient, token: string, contact: { id: string; email: string }): Promise<void> {
  const call = client.call.bind(client);
  const as = { token };

  const events = expectStatus(await call('GET', '/v1/audit-events?limit=5', as), 200, 'audit events');
  expectStatus(await call('GET', `/v1/audit-events?action=contact.create&targetId=${contact.id}`, as), 200, 'filtered audit events');
  if (events.json.nextCursor)
    expectStatus(
      await call('GET', `/v1/audit-events?limit=5&cursor=${encodeURIComponent(events.json.nextCursor as string)}`, as),
      200,
      'page 2',
    );
  expectStatus(await call('GET', '/v1/audit-events/export?format=csv', as), 200, 'export csv');
  expectStatus(await call('GET', '/v1/audit-events/export?format=jsonl&action=contact.create', as), 200, 'export jsonl');
  expectStatus(await call('GET', '/v1/audit-events/verify', as), 200, 'verify');

  const access = expectStatus(
    await call('POST', '/v1/privacy/requests', { ...as, body: { type: 'access', subjectEmail: contact.email } }),
    202,
    'access request',
  );
  expectStatus(await call('GET', '/v1/privacy/requests?type=access', as), 200, 'list privacy requests');
  expectStatus(await call('GET', `/v1/privacy/requests/${access.json.id as string}`, as), 200, 'get privacy request');
  expectStatus(await call('GET', '/v1/privacy/processing-records', as), 200, 'processing records');
  const erasedEmail = `erase-${contact.id.slice(-8)}@example.test`;
  expectStatus(
    await call('POST', '/v1/contacts', { ...as, body: { firstName: 'Erase', lastName: 'Me', email: erasedEmail } }),
    201,
    'contact',
  );
  const erasure = expectStatus(
    await call('POST', '/v1/privacy/requests', { ...as, body: { type: 'erasure', subjectEmail: erasedEmail } }),
    202,
    'erasure request',
  );
  await untilCompleted(client, token, access.json.id as string);
  await untilCompleted(client, token, erasure.json.id as string);
  expectStatus(await call('GET', `/v1/privacy/requests/${access.json.id as string}/export`, as), 200, 'access export');
  expectStatus(await call('GET', `/v1/privacy/requests/${erasure.json.id as string}/certificate`, as), 200, 'erasure certificate');

  expectStatus(await call('GET', '/v1/retention-policies', as), 200, 'retention policies');
  expectStatus(
    await call('PUT', '/v1/retention-policies/activities', { ...as, body: { durationDays: 730, action: 'delete' } }),
    200,
    'set policy',
  );
  expectStatus(await call('POST', '/v1/retention-policies/preview', as), 200, 'preview');

  const hold = expectStatus(
    await call('POST', '/v1/legal-holds', { ...as, body: { scope: 'contact', contactId: contact.id, reason: 'Prism litigation hold' } }),
    201,
    'legal hold',
  );
  expectStatus(
    await call('POST', '/v1/legal-holds', { ...as, body: { scope: 'category', category: 'audit_events', reason: 'Audit hold' } }),
    201,
    'category hold',
  );
  expectStatus(await call('GET', '/v1/legal-holds?active=true', as), 200, 'list holds');
  expectStatus(await call('DELETE', `/v1/contacts/${contact.id}`, as), 409, 'delete a held contact');
  expectStatus(await call('DELETE', `/v1/legal-holds/${hold.json.id as string}`, as), 204, 'release hold');
  expectStatus(await call('DELETE', `/v1/contacts/${contact.id}`, as), 204, 'delete the released contact');

  const now = Date.now();
  const collected = expectStatus(
    await call('POST', '/v1/compliance/evidence/collections', {
      ...as,
      body: { from: new Date(now - DAY).toISOString(), to: new Date(now - 1000).toISOString() },
    }),
    201,
    'collect evidence',
  );
  const evidence = expectStatus(await call('GET', '/v1/compliance/evidence', as), 200, 'list evidence');
  const evidenceIds = [...(evidence.json.data as { id: string }[]), ...((collected.json.data ?? []) as { id: string }[])].map(
    (item) => item.id,
  );
  for (const id of [...new Set(evidenceIds)]) expectStatus(await call('GET', `/v1/compliance/evidence/${id}`, as), 200, 'get evidence');

  const report = expectStatus(
    await call('POST', '/v1/compliance/reports', {
      ...as,
      body: { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now - 1000).toISOString() },
    }),
    201,
    'create report',
  );
  const reportId = report.json.id as string;
  expectStatus(await call('GET', '/v1/compliance/reports', as), 200, 'list reports');
  expectStatus(await call('GET', `/v1/compliance/reports/${reportId}`, as), 200, 'get report');
  for (const format of ['pdf', 'csv', 'json', 'manifest', 'signature']) {
    expectStatus(await call('GET', `/v1/compliance/reports/${reportId}/download?format=${format}`, as), 200, `download ${format}`);
  }
  expectStatus(await call('GET', '/v1/compliance/signing-key', as), 200, 'signing key');
}

/** Requests are processed in the background: polls (through the proxy, so each answer is validated too) until done. */
async function untilCompleted(client: ProxyClient, token: string, id: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const request = expectStatus(await client.call('GET', `/v1/privacy/requests/${id}`, { token }), 200, 'poll privacy request');
    if (request.json.status === 'completed') return;
    if (Date.now() > deadline) throw new Error(`privacy request ${id} still ${String(request.json.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
