import { randomUUID } from 'node:crypto';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { caller, createContact, expectFieldError, expectProblem } from '../../support/client';

/** The legal-hold routes over HTTP; their effect on retention is in retention-job.e2e-spec.ts. */

const suite = useTestApp();
const call = caller(() => suite.app);

interface LegalHold {
  id: string;
  scope: string;
  contactId: string | null;
  category: string | null;
  reason: string;
  active: boolean;
  createdBy: string | null;
  createdAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
}

async function placeHold(owner: Signed, body: object): Promise<LegalHold> {
  const response = await call('POST', '/v1/legal-holds', owner.token, { reason: 'Litigation hold', ...body });
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function listHolds(token: string, query = ''): Promise<LegalHold[]> {
  const response = await call('GET', `/v1/legal-holds?limit=100${query}`, token);
  expect(response.statusCode).toBe(200);
  return response.json().data;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HELD = { firstName: 'Held', lastName: 'Subject' };

describe('POST /v1/legal-holds', () => {
  it('places organization, contact and category holds', async () => {
    const owner = await signup(suite.app);
    const contactId = (await createContact(suite.app, owner, HELD)).id;
    const organization = await placeHold(owner, { scope: 'organization', reason: '  Regulator inquiry 2026-17  ' });
    expect(organization).toEqual({
      id: expect.any(String),
      scope: 'organization',
      contactId: null,
      category: null,
      reason: 'Regulator inquiry 2026-17',
      active: true,
      createdBy: owner.userId,
      createdAt: expect.stringMatching(ISO),
      releasedAt: null,
      releasedBy: null,
    });
    expect(await placeHold(owner, { scope: 'contact', contactId })).toMatchObject({ scope: 'contact', contactId, category: null });
    expect(await placeHold(owner, { scope: 'category', category: 'activities' })).toMatchObject({
      scope: 'category',
      category: 'activities',
    });

    const created = (await call('GET', '/v1/audit-events?action=legal-hold.create', owner.token)).json().data;
    expect(created.map((event: { target: { id: string } }) => event.target.id)).toContain(organization.id);
  });

  it('replays an Idempotency-Key instead of placing a second hold', async () => {
    const owner = await signup(suite.app);
    const headers = { 'idempotency-key': randomUUID() };
    const first = await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Audit' }, headers);
    const second = await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Audit' }, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(await listHolds(owner.token)).toHaveLength(1);
  });

  it('requires contactId exactly for contact holds and category exactly for category holds', async () => {
    const owner = await signup(suite.app);
    const contactId = (await createContact(suite.app, owner, HELD)).id;
    const post = (body: object) => call('POST', '/v1/legal-holds', owner.token, { reason: 'Reason', ...body });
    expectFieldError(await post({ scope: 'contact' }), 'contactId');
    expectFieldError(await post({ scope: 'category' }), 'category');
    expectFieldError(await post({ scope: 'organization', contactId }), 'contactId');
    expectFieldError(await post({ scope: 'organization', category: 'activities' }), 'category');
    expectFieldError(await post({ scope: 'contact', contactId, category: 'activities' }), 'category');
    expectFieldError(await post({ scope: 'category', category: 'everything' }), 'category');
    expectFieldError(await post({ scope: 'contact', contactId: 'not-a-uuid' }), 'contactId');
    expectFieldError(await post({ scope: 'everything' }), 'scope');
    expectFieldError(await post({ scope: 'organization', reason: '   ' }), 'reason');
    expectFieldError(await post({ scope: 'organization', reason: 'x'.repeat(1001) }), 'reason');
    expectFieldError(await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization' }), 'reason');
    expectProblem(await post({ scope: 'organization', expiresAt: '2030-01-01T00:00:00Z' }), 400, 'VALIDATION_FAILED');
    expect(await listHolds(owner.token)).toEqual([]);
  });

  it('refuses a contact of another organization, or none, as 422 CONTACT_NOT_FOUND', async () => {
    const owner = await signup(suite.app);
    const stranger = await signup(suite.app);
    const theirs = (await createContact(suite.app, stranger, HELD)).id;
    for (const contactId of [theirs, randomUUID()]) {
      const response = await call('POST', '/v1/legal-holds', owner.token, { scope: 'contact', contactId, reason: 'Reason' });
      expectProblem(response, 422, 'CONTACT_NOT_FOUND');
      expect(response.json().errors).toEqual([expect.objectContaining({ field: 'contactId' })]);
    }
    expect(await listHolds(stranger.token)).toEqual([]);
  });

  it('needs legal-holds:manage: auditors, members and viewers get 403', async () => {
    const owner = await signup(suite.app);
    const body = { scope: 'organization', reason: 'Reason' };
    expectProblem(await call('POST', '/v1/legal-holds', undefined, body), 401, 'UNAUTHENTICATED');
    for (const role of ['auditor', 'member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('POST', '/v1/legal-holds', other.token, body), 403, 'FORBIDDEN');
    }
    const complianceManager = await createApiKey(suite.app, owner, ['compliance:read', 'compliance:manage']);
    expectProblem(await call('POST', '/v1/legal-holds', complianceManager.secret, body), 403, 'FORBIDDEN');
    const admin = await addMember(suite.app, owner, 'admin');
    expect((await call('POST', '/v1/legal-holds', admin.token, body)).statusCode).toBe(201);
  });
});

describe('GET /v1/legal-holds', () => {
  it('pages in creation order and filters by active', async () => {
    const owner = await signup(suite.app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await placeHold(owner, { scope: 'organization', reason: `Hold ${i}` })).id);
    expect((await call('DELETE', `/v1/legal-holds/${ids[1]}`, owner.token)).statusCode).toBe(204);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await call('GET', `/v1/legal-holds?limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.token);
      expect(response.statusCode).toBe(200);
      seen.push(...response.json().data.map((hold: { id: string }) => hold.id));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    expect((await listHolds(owner.token, '&active=true')).map((hold) => hold.id)).toEqual([ids[0], ids[2], ids[3], ids[4]]);
    const released = await listHolds(owner.token, '&active=false');
    expect(released).toEqual([expect.objectContaining({ id: ids[1], active: false, releasedBy: owner.userId })]);
  });

  it('rejects bad filters', async () => {
    const owner = await signup(suite.app);
    for (const query of ['active=maybe', 'limit=0', 'limit=101', 'cursor=***', 'scope=contact']) {
      expectProblem(await call('GET', `/v1/legal-holds?${query}`, owner.token), 400, 'VALIDATION_FAILED');
    }
  });

  it('needs compliance:read: auditors read holds, members and viewers do not', async () => {
    const owner = await signup(suite.app);
    const hold = await placeHold(owner, { scope: 'organization' });
    expectProblem(await call('GET', '/v1/legal-holds'), 401, 'UNAUTHENTICATED');
    for (const role of ['member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('GET', '/v1/legal-holds', other.token), 403, 'FORBIDDEN');
    }
    const auditor = await addMember(suite.app, owner, 'auditor');
    expect((await listHolds(auditor.token)).map((held) => held.id)).toEqual([hold.id]);
  });

  it('shows one organization none of another’s holds', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    await placeHold(first, { scope: 'organization' });
    expect(await listHolds(second.token)).toEqual([]);
  });
});

describe('DELETE /v1/legal-holds/{id}', () => {
  it('releases a hold, keeping it on record; releasing it again is 409', async () => {
    const owner = await signup(suite.app);
    const admin = await addMember(suite.app, owner, 'admin');
    const hold = await placeHold(owner, { scope: 'category', category: 'audit_events' });
    const released = await call('DELETE', `/v1/legal-holds/${hold.id}`, admin.token);
    expect(released.statusCode).toBe(204);
    expect(released.body).toBe('');
    const [listed] = await listHolds(owner.token);
    expect(listed).toMatchObject({ id: hold.id, active: false, releasedBy: admin.userId, releasedAt: expect.stringMatching(ISO) });
    expectProblem(await call('DELETE', `/v1/legal-holds/${hold.id}`, owner.token), 409, 'LEGAL_HOLD_ALREADY_RELEASED');
    const events = (await call('GET', `/v1/audit-events?targetId=${hold.id}`, owner.token)).json().data;
    expect(events.map((event: { action: string; outcome: string }) => `${event.action}:${event.outcome}`)).toEqual([
      'legal-hold.release:failure',
      'legal-hold.release:success',
      'legal-hold.create:success',
    ]);
  });

  it('answers 404 for an unknown id or another organization’s hold, and 400 for a malformed one', async () => {
    const owner = await signup(suite.app);
    const stranger = await signup(suite.app);
    const theirs = await placeHold(stranger, { scope: 'organization' });
    expectProblem(await call('DELETE', `/v1/legal-holds/${theirs.id}`, owner.token), 404, 'LEGAL_HOLD_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/legal-holds/${randomUUID()}`, owner.token), 404, 'LEGAL_HOLD_NOT_FOUND');
    expectProblem(await call('DELETE', '/v1/legal-holds/not-a-uuid', owner.token), 400, 'VALIDATION_FAILED');
    expect((await listHolds(stranger.token))[0]).toMatchObject({ id: theirs.id, active: true });
  });

  it('needs legal-holds:manage: auditors, members and viewers get 403', async () => {
    const owner = await signup(suite.app);
    const hold = await placeHold(owner, { scope: 'organization' });
    expectProblem(await call('DELETE', `/v1/legal-holds/${hold.id}`), 401, 'UNAUTHENTICATED');
    for (const role of ['auditor', 'member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('DELETE', `/v1/legal-holds/${hold.id}`, other.token), 403, 'FORBIDDEN');
    }
    expect((await listHolds(owner.token))[0]).toMatchObject({ active: true });
  });
});

describe('a held contact cannot be deleted', () => {
  it('answers 409 while a contact or organization hold covers it, and deletes once released', async () => {
    const owner = await signup(suite.app);
    const contact = (await call('POST', '/v1/contacts', owner.token, { firstName: 'Kept', lastName: 'ForCourt' })).json();
    const hold = (
      await call('POST', '/v1/legal-holds', owner.token, { scope: 'contact', contactId: contact.id, reason: 'Lawsuit' })
    ).json();
    const orgHold = (await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Regulator' })).json();

    const refused = await call('DELETE', `/v1/contacts/${contact.id}`, owner.token);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CONTACT_UNDER_LEGAL_HOLD' });
    expect((await call('DELETE', `/v1/legal-holds/${hold.id}`, owner.token)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/contacts/${contact.id}`, owner.token)).json()).toMatchObject({ code: 'CONTACT_UNDER_LEGAL_HOLD' });
    expect((await call('DELETE', `/v1/legal-holds/${orgHold.id}`, owner.token)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/contacts/${contact.id}`, owner.token)).statusCode).toBe(204);
  });
});
