import { randomUUID } from 'node:crypto';
import { addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Method, caller, createContact, expectFieldError, expectProblem } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

type Row = Record<string, unknown> & { id: string };

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const CALL = { type: 'call', subject: 'Renewal call', body: 'Agreed on three years.', occurredAt: '2026-01-15T10:00:00.000Z' } as const;

async function createActivity(token: string, contactId: string, body: object = {}): Promise<Row> {
  const response = await call('POST', `/v1/contacts/${contactId}/activities`, token, { ...CALL, ...body });
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function activityIds(token: string, contactId: string, query = ''): Promise<string[]> {
  const response = await call('GET', `/v1/contacts/${contactId}/activities?limit=100${query}`, token);
  expect(response.statusCode).toBe(200);
  return response.json().data.map((activity: Row) => activity.id);
}

describe('Activities (e2e)', () => {
  it('records, reads, lists, updates and deletes an activity; a session is its author', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const created = await call('POST', `/v1/contacts/${contact.id}/activities`, owner.token, { ...CALL, subject: '  Renewal call ' });
    expect(created.statusCode).toBe(201);
    const activity = created.json();
    expect(activity).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/),
      contactId: contact.id,
      ...CALL,
      author: { type: 'user', id: owner.userId },
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await call('GET', `/v1/activities/${activity.id}`, owner.token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(activity);
    expect(await activityIds(owner.token, contact.id)).toEqual([activity.id]);

    const patched = await call('PATCH', `/v1/activities/${activity.id}`, owner.token, { type: 'meeting', body: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id: activity.id,
      type: 'meeting',
      subject: 'Renewal call',
      body: null,
      version: 2,
      author: activity.author,
    });

    expect((await call('DELETE', `/v1/activities/${activity.id}`, owner.token)).statusCode).toBe(204);
    expectProblem(await call('GET', `/v1/activities/${activity.id}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
    expect(await activityIds(owner.token, contact.id)).toEqual([]);
  });

  it('names the API key as the author when a key records the activity', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read', 'contacts:write']);
    const contact = await createContact(suite.app, owner);
    const activity = await createActivity(key.secret, contact.id);
    expect(activity.author).toEqual({ type: 'api_key', id: key.id });
    expect((await call('GET', `/v1/activities/${activity.id}`, owner.token)).json().author).toEqual({ type: 'api_key', id: key.id });
  });

  it('rejects invalid bodies with field errors, occurredAt in the future included', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const url = `/v1/contacts/${contact.id}/activities`;
    expectFieldError(await call('POST', url, owner.token, { ...CALL, type: 'lunch' }), 'type');
    expectFieldError(await call('POST', url, owner.token, { ...CALL, subject: '' }), 'subject');
    expectFieldError(await call('POST', url, owner.token, { type: 'note', occurredAt: CALL.occurredAt }), 'subject');
    expectFieldError(await call('POST', url, owner.token, { ...CALL, occurredAt: 'last tuesday' }), 'occurredAt');
    expectFieldError(
      await call('POST', url, owner.token, { ...CALL, occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
      'occurredAt',
    );
    expectFieldError(await call('POST', url, owner.token, { ...CALL, body: 'b'.repeat(10_001) }), 'body');
    expectFieldError(await call('POST', url, owner.token, { ...CALL, authorId: owner.userId }), 'authorId');
    expectFieldError(await call('POST', '/v1/contacts/nope/activities', owner.token, CALL), 'id');
    expectFieldError(await call('GET', `${url}?type=lunch`, owner.token), 'type');
    expect(await activityIds(owner.token, contact.id)).toEqual([]);

    const activity = await createActivity(owner.token, contact.id, { occurredAt: hoursAgo(1) });
    const path = `/v1/activities/${activity.id}`;
    expectFieldError(await call('PATCH', path, owner.token, { occurredAt: new Date(Date.now() + 86_400_000).toISOString() }), 'occurredAt');
    for (const field of ['type', 'subject', 'occurredAt'])
      expectFieldError(await call('PATCH', path, owner.token, { [field]: null }), field);
    expectFieldError(await call('PATCH', path, owner.token, { contactId: randomUUID() }), 'contactId');
    expectFieldError(await call('GET', '/v1/activities/123', owner.token), 'id');
    expect((await call('GET', path, owner.token)).json()).toEqual(activity);
  });

  it('answers 401 without a credential or with an unknown one', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const activity = await createActivity(owner.token, contact.id);
    const routes: [Method, string, object?][] = [
      ['GET', `/v1/contacts/${contact.id}/activities`],
      ['POST', `/v1/contacts/${contact.id}/activities`, CALL],
      ['GET', `/v1/activities/${activity.id}`],
      ['PATCH', `/v1/activities/${activity.id}`, { subject: 'x' }],
      ['DELETE', `/v1/activities/${activity.id}`],
    ];
    for (const [method, url, payload] of routes) {
      expectProblem(await call(method, url, undefined, payload), 401, 'UNAUTHENTICATED');
      expectProblem(await call(method, url, `atr_${'A'.repeat(65)}`, payload), 401, 'INVALID_CREDENTIALS');
    }
    expect(await activityIds(owner.token, contact.id)).toEqual([activity.id]);
  });

  it('forbids auditors everything and viewers and read-only keys writes', async () => {
    const owner = await signup(suite.app);
    const [auditor, viewer, member] = [
      await addMember(suite.app, owner, 'auditor'),
      await addMember(suite.app, owner, 'viewer'),
      await addMember(suite.app, owner, 'member'),
    ];
    const readKey = await createApiKey(suite.app, owner, ['contacts:read']);
    const contact = await createContact(suite.app, owner);
    const activity = await createActivity(owner.token, contact.id);
    const reads = [`/v1/contacts/${contact.id}/activities`, `/v1/activities/${activity.id}`];
    for (const url of reads) {
      expectProblem(await call('GET', url, auditor.token), 403, 'FORBIDDEN');
      for (const token of [viewer.token, readKey.secret, member.token]) expect((await call('GET', url, token)).statusCode).toBe(200);
    }
    const writes: [Method, string, object?][] = [
      ['POST', `/v1/contacts/${contact.id}/activities`, CALL],
      ['PATCH', `/v1/activities/${activity.id}`, { subject: 'Forbidden' }],
      ['DELETE', `/v1/activities/${activity.id}`],
    ];
    for (const [method, url, payload] of writes) {
      for (const token of [auditor.token, viewer.token, readKey.secret])
        expectProblem(await call(method, url, token, payload), 403, 'FORBIDDEN');
    }
    expect((await call('GET', `/v1/activities/${activity.id}`, owner.token)).json()).toEqual(activity);
    expect(await activityIds(owner.token, contact.id)).toEqual([activity.id]);
    const byMember = await createActivity(member.token, contact.id, { type: 'note' });
    expect(byMember.author).toEqual({ type: 'user', id: member.userId });
  });

  it('answers 404 for an unknown contact or activity', async () => {
    const owner = await signup(suite.app);
    const unknown = randomUUID();
    expectProblem(await call('GET', `/v1/contacts/${unknown}/activities`, owner.token), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('POST', `/v1/contacts/${unknown}/activities`, owner.token, CALL), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await call('GET', `/v1/activities/${unknown}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
    expectProblem(await call('PATCH', `/v1/activities/${unknown}`, owner.token, { subject: 'Ghost' }), 404, 'ACTIVITY_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/activities/${unknown}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
  });

  it("hides another org's contacts and activities: 404 everywhere, nothing created or changed", async () => {
    const alice = await signup(suite.app);
    const bob = await signup(suite.app);
    const contact = await createContact(suite.app, alice);
    const activity = await createActivity(alice.token, contact.id);
    const bobKey = await createApiKey(suite.app, bob, ['contacts:read', 'contacts:write']);
    for (const token of [bob.token, bobKey.secret]) {
      expectProblem(await call('POST', `/v1/contacts/${contact.id}/activities`, token, CALL), 404, 'CONTACT_NOT_FOUND');
      expectProblem(await call('GET', `/v1/contacts/${contact.id}/activities`, token), 404, 'CONTACT_NOT_FOUND');
      expectProblem(await call('GET', `/v1/activities/${activity.id}`, token), 404, 'ACTIVITY_NOT_FOUND');
      expectProblem(await call('PATCH', `/v1/activities/${activity.id}`, token, { subject: 'Stolen' }), 404, 'ACTIVITY_NOT_FOUND');
      expectProblem(await call('DELETE', `/v1/activities/${activity.id}`, token), 404, 'ACTIVITY_NOT_FOUND');
    }
    const bobsContact = await createContact(suite.app, bob);
    expect(await activityIds(bob.token, bobsContact.id)).toEqual([]);
    expect((await call('GET', `/v1/activities/${activity.id}`, alice.token)).json()).toEqual(activity);
    expect(await activityIds(alice.token, contact.id)).toEqual([activity.id]);
  });

  it("lists only that contact's activities, filters by type and pages by cursor", async () => {
    const owner = await signup(suite.app);
    const ada = await createContact(suite.app, owner);
    const alan = await createContact(suite.app, owner);
    const adas = [
      await createActivity(owner.token, ada.id, { type: 'call' }),
      await createActivity(owner.token, ada.id, { type: 'email' }),
      await createActivity(owner.token, ada.id, { type: 'call' }),
    ];
    const alans = await createActivity(owner.token, alan.id, { type: 'call' });
    expect(await activityIds(owner.token, ada.id)).toEqual(adas.map((a) => a.id));
    expect(await activityIds(owner.token, alan.id)).toEqual([alans.id]);
    expect(await activityIds(owner.token, ada.id, '&type=call')).toEqual([adas[0].id, adas[2].id]);
    expect(await activityIds(owner.token, ada.id, '&type=meeting')).toEqual([]);

    const first = await call('GET', `/v1/contacts/${ada.id}/activities?limit=2`, owner.token);
    expect(first.json().data.map((a: Row) => a.id)).toEqual([adas[0].id, adas[1].id]);
    const rest = await call('GET', `/v1/contacts/${ada.id}/activities?limit=2&cursor=${first.json().nextCursor}`, owner.token);
    expect(rest.json()).toEqual({ data: [expect.objectContaining({ id: adas[2].id, contactId: ada.id })], nextCursor: null });
  });

  it('sends ETags (304 on If-None-Match) and honours If-Match on PATCH and DELETE', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const activity = await createActivity(owner.token, contact.id);
    for (const url of [`/v1/activities/${activity.id}`, `/v1/contacts/${contact.id}/activities`]) {
      const first = await call('GET', url, owner.token);
      expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const again = await call('GET', url, owner.token, undefined, { 'if-none-match': first.headers.etag as string });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    const path = `/v1/activities/${activity.id}`;
    const stale = (await call('GET', path, owner.token)).headers.etag as string;
    expect((await call('PATCH', path, owner.token, { subject: 'First edit' }, { 'if-match': stale })).json()).toMatchObject({ version: 2 });
    expectProblem(await call('PATCH', path, owner.token, { subject: 'Lost update' }, { 'if-match': stale }), 412, 'PRECONDITION_FAILED');
    expectProblem(await call('DELETE', path, owner.token, undefined, { 'if-match': stale }), 412, 'PRECONDITION_FAILED');
    const current = await call('GET', path, owner.token);
    expect(current.json()).toMatchObject({ subject: 'First edit', version: 2 });
    expect((await call('GET', path, owner.token, undefined, { 'if-none-match': stale })).statusCode).toBe(200);
    expect((await call('DELETE', path, owner.token, undefined, { 'if-match': current.headers.etag as string })).statusCode).toBe(204);
  });

  it('replays a POST with the same Idempotency-Key and body, 422 for another body, keys are per org', async () => {
    const alice = await signup(suite.app);
    const bob = await signup(suite.app);
    const contact = await createContact(suite.app, alice);
    const bobsContact = await createContact(suite.app, bob);
    const key = randomUUID();
    const url = `/v1/contacts/${contact.id}/activities`;
    const first = await call('POST', url, alice.token, CALL, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const replay = await call('POST', url, alice.token, CALL, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    expectProblem(
      await call('POST', url, alice.token, { ...CALL, subject: 'Different' }, { 'idempotency-key': key }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await activityIds(alice.token, contact.id)).toEqual([first.json().id]);

    const bobs = await call('POST', `/v1/contacts/${bobsContact.id}/activities`, bob.token, CALL, { 'idempotency-key': key });
    expect(bobs.statusCode).toBe(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    expect(bobs.json()).toMatchObject({ contactId: bobsContact.id, author: { type: 'user', id: bob.userId } });
  });

  it("never replays one contact's activity for a POST under another contact with the same key and body", async () => {
    const owner = await signup(suite.app);
    const ada = await createContact(suite.app, owner);
    const alan = await createContact(suite.app, owner);
    const key = randomUUID();
    const first = await call('POST', `/v1/contacts/${ada.id}/activities`, owner.token, CALL, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const other = await call('POST', `/v1/contacts/${alan.id}/activities`, owner.token, CALL, { 'idempotency-key': key });
    // A different target is a different request: 422 (or a new activity for Alan), never a replay of Ada's activity.
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect([201, 422]).toContain(other.statusCode);
    expect(other.json()).not.toMatchObject({ id: first.json().id });
    expect(await activityIds(owner.token, ada.id)).toEqual([first.json().id]);
  });

  it("deletes a contact's activities with the contact", async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const activity = await createActivity(owner.token, contact.id);
    expect((await call('DELETE', `/v1/contacts/${contact.id}`, owner.token)).statusCode).toBe(204);
    expectProblem(await call('GET', `/v1/activities/${activity.id}`, owner.token), 404, 'ACTIVITY_NOT_FOUND');
    expectProblem(await call('GET', `/v1/contacts/${contact.id}/activities`, owner.token), 404, 'CONTACT_NOT_FOUND');
  });
});
