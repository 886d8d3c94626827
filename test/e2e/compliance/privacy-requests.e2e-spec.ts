import { randomUUID } from 'node:crypto';
import { addCalendarMonths, dueDateOf } from '../../../src/compliance/privacy/due-dates';
import { Signed, addMember, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { caller, expectFieldError, expectProblem } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { createPrivacyRequest, seedRequest, waitUntilDone } from './privacy-support';

const suite = useTestAppWithOwnerDb();
const call = caller(() => suite.app);

const extend = (user: Signed, id: string, months: number, reason = 'Complex request') =>
  call('POST', `/v1/privacy/requests/${id}/extension`, user.token, { months, reason });

describe('Privacy requests (e2e)', () => {
  it('accepts a request (202), due one calendar month after receipt, and handles it in the background', async () => {
    const owner = await signup(suite.app);
    const email = uniqueEmail('subject');
    const response = await call('POST', '/v1/privacy/requests', owner.token, { type: 'access', subjectEmail: `  ${email.toUpperCase()} ` });
    expect(response.statusCode).toBe(202);
    const created = response.json();
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'access',
      subjectEmail: email,
      requestedBy: { type: 'user', id: owner.userId },
      extendedDueAt: null,
      overdue: false,
    });
    expect(['pending', 'in_progress', 'completed']).toContain(created.status);
    expect(created.dueAt).toBe(dueDateOf(new Date(created.receivedAt)).toISOString());
    expect(created.effectiveDueAt).toBe(created.dueAt);
    const { createHash } = await import('node:crypto');
    expect(created.subjectHash).toBe(createHash('sha256').update(`${owner.orgId}:${email}`).digest('hex'));

    const done = await waitUntilDone(call, owner.token, created.id);
    expect(done).toMatchObject({ status: 'completed', exportAvailable: true, certificateAvailable: false });
    expect(done.result).toMatchObject({ contactsFound: 0, invitationsFound: 0 });
    expect(new Date(done.completedAt).getTime()).toBeGreaterThanOrEqual(new Date(done.receivedAt).getTime());
  });

  it('validates the body, the path id and the list filters (400)', async () => {
    const owner = await signup(suite.app);
    expectFieldError(
      await call('POST', '/v1/privacy/requests', owner.token, { type: 'rectification', subjectEmail: 'a@b.example' }),
      'type',
    );
    expectFieldError(
      await call('POST', '/v1/privacy/requests', owner.token, { type: 'access', subjectEmail: 'not-an-email' }),
      'subjectEmail',
    );
    expectFieldError(await call('POST', '/v1/privacy/requests', owner.token, { type: 'access' }), 'subjectEmail');
    expectProblem(
      await call('POST', '/v1/privacy/requests', owner.token, { type: 'access', subjectEmail: 'a@b.example', x: 1 }),
      400,
      'VALIDATION_FAILED',
    );
    expectFieldError(await call('GET', '/v1/privacy/requests/not-a-uuid', owner.token), 'id');
    expectFieldError(await call('GET', '/v1/privacy/requests?status=lost', owner.token), 'status');
    expectFieldError(await call('GET', '/v1/privacy/requests?limit=0', owner.token), 'limit');
    const id = await seedRequest(suite.db, owner.orgId);
    expectFieldError(await extend(owner, id, 3), 'months');
    expectFieldError(await call('POST', `/v1/privacy/requests/${id}/extension`, owner.token, { months: 1 }), 'reason');
    expectFieldError(await call('POST', `/v1/privacy/requests/${id}/rejection`, owner.token, { reason: '' }), 'reason');
  });

  it('needs a credential (401) and the privacy permissions (403): auditors read, only privacy managers act', async () => {
    const owner = await signup(suite.app);
    const [member, viewer, auditor] = [
      await addMember(suite.app, owner, 'member'),
      await addMember(suite.app, owner, 'viewer'),
      await addMember(suite.app, owner, 'auditor'),
    ];
    const access = await createPrivacyRequest(call, owner, 'access', uniqueEmail('subject'));
    const erasure = await createPrivacyRequest(call, owner, 'erasure', uniqueEmail('subject'));
    await waitUntilDone(call, owner.token, access.id);
    await waitUntilDone(call, owner.token, erasure.id);
    const pending = await seedRequest(suite.db, owner.orgId);
    const body = { type: 'access', subjectEmail: 'someone@example.test' };

    for (const [method, url] of [
      ['POST', '/v1/privacy/requests'],
      ['GET', '/v1/privacy/requests'],
      ['GET', `/v1/privacy/requests/${access.id}`],
      ['GET', `/v1/privacy/requests/${access.id}/export`],
      ['GET', `/v1/privacy/requests/${erasure.id}/certificate`],
      ['POST', `/v1/privacy/requests/${pending}/extension`],
      ['POST', `/v1/privacy/requests/${pending}/rejection`],
      ['GET', '/v1/privacy/processing-records'],
    ] as const) {
      expectProblem(await call(method, url, undefined, method === 'POST' ? body : undefined), 401, 'UNAUTHENTICATED');
    }
    for (const user of [member, viewer]) {
      expectProblem(await call('POST', '/v1/privacy/requests', user.token, body), 403, 'FORBIDDEN');
      expectProblem(await call('GET', '/v1/privacy/requests', user.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', `/v1/privacy/requests/${access.id}`, user.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, user.token), 403, 'FORBIDDEN');
    }
    // The auditor (compliance officer) reads requests and certificates, but neither acts nor takes the data out.
    expect((await call('GET', '/v1/privacy/requests', auditor.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/privacy/requests/${access.id}`, auditor.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, auditor.token)).statusCode).toBe(200);
    expectProblem(await call('POST', '/v1/privacy/requests', auditor.token, body), 403, 'FORBIDDEN');
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/export`, auditor.token), 403, 'FORBIDDEN');
    expectProblem(await extend(auditor, pending, 1), 403, 'FORBIDDEN');
    expectProblem(await call('POST', `/v1/privacy/requests/${pending}/rejection`, auditor.token, { reason: 'no' }), 403, 'FORBIDDEN');
    // An API key carries its scopes: privacy:read alone may not create.
    const key = await createApiKey(suite.app, owner, ['privacy:read']);
    const keyUser = { ...owner, token: key.secret };
    expect((await call('GET', '/v1/privacy/requests', keyUser.token)).statusCode).toBe(200);
    expectProblem(await call('POST', '/v1/privacy/requests', keyUser.token, body), 403, 'FORBIDDEN');
  });

  it('keeps each organization’s requests to itself (404 and empty lists for another tenant)', async () => {
    const a = await signup(suite.app);
    const b = await signup(suite.app);
    const access = await createPrivacyRequest(call, a, 'access', uniqueEmail('subject'));
    const erasure = await createPrivacyRequest(call, a, 'erasure', uniqueEmail('subject'));
    await waitUntilDone(call, a.token, access.id);
    await waitUntilDone(call, a.token, erasure.id);
    const pending = await seedRequest(suite.db, a.orgId);

    for (const id of [access.id, erasure.id, pending]) {
      expectProblem(await call('GET', `/v1/privacy/requests/${id}`, b.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    }
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/export`, b.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    expectProblem(await call('GET', `/v1/privacy/requests/${erasure.id}/certificate`, b.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    expectProblem(await extend(b, pending, 1), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    expectProblem(
      await call('POST', `/v1/privacy/requests/${pending}/rejection`, b.token, { reason: 'no' }),
      404,
      'PRIVACY_REQUEST_NOT_FOUND',
    );
    const list = await call('GET', '/v1/privacy/requests?limit=100', b.token);
    expect(list.json()).toEqual({ data: [], nextCursor: null });
    // Untouched by B's attempts.
    expect((await call('GET', `/v1/privacy/requests/${pending}`, a.token)).json()).toMatchObject({
      status: 'pending',
      extendedDueAt: null,
    });
  });

  it('lists newest first with cursor pages and filters by status and type', async () => {
    const owner = await signup(suite.app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push(await seedRequest(suite.db, owner.orgId));
    const erasure = await createPrivacyRequest(call, owner, 'erasure', uniqueEmail('subject'));
    await waitUntilDone(call, owner.token, erasure.id);
    ids.push(erasure.id);

    const first = await call('GET', '/v1/privacy/requests?limit=2', owner.token);
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBeDefined();
    const second = await call('GET', `/v1/privacy/requests?limit=2&cursor=${first.json().nextCursor}`, owner.token);
    const paged = [...first.json().data, ...second.json().data].map((request: { id: string }) => request.id);
    expect(paged).toEqual([...ids].reverse());
    expect(second.json().nextCursor).toBeNull();
    // The list never carries an export or a certificate, only whether they are available.
    expect(first.json().data[0]).not.toHaveProperty('export');
    expect(first.json().data[0]).not.toHaveProperty('certificate');

    const pending = await call('GET', '/v1/privacy/requests?status=pending', owner.token);
    expect(pending.json().data.map((request: { id: string }) => request.id)).toEqual(ids.slice(0, 3).reverse());
    const erasures = await call('GET', '/v1/privacy/requests?type=erasure', owner.token);
    expect(erasures.json().data.map((request: { id: string }) => request.id)).toEqual([erasure.id]);
  });

  it('extends the deadline by one month, then one more, and refuses a third (Art. 12(3): two further months at most)', async () => {
    const owner = await signup(suite.app);
    const id = await seedRequest(suite.db, owner.orgId, { receivedAt: new Date('2027-01-31T09:00:00.000Z') });
    // Received 31 January (in the future here, so still within its first month): due the last day of February.
    const seeded = (await call('GET', `/v1/privacy/requests/${id}`, owner.token)).json();
    expect(seeded.dueAt).toBe('2027-02-28T09:00:00.000Z');

    const once = await extend(owner, id, 1, 'Several systems to search');
    expect(once.statusCode).toBe(200);
    expect(once.json()).toMatchObject({ extendedDueAt: '2027-03-28T09:00:00.000Z', effectiveDueAt: '2027-03-28T09:00:00.000Z' });
    const twice = await extend(owner, id, 1, 'Still searching');
    expect(twice.json()).toMatchObject({
      extendedDueAt: '2027-04-28T09:00:00.000Z',
      extensionReason: 'Several systems to search\nStill searching',
    });
    expectProblem(await extend(owner, id, 1), 409, 'PRIVACY_EXTENSION_LIMIT_REACHED');

    const other = await seedRequest(suite.db, owner.orgId);
    const byTwo = await extend(owner, other, 2);
    expect(byTwo.statusCode).toBe(200);
    expect(byTwo.json().extendedDueAt).toBe(addCalendarMonths(new Date(byTwo.json().dueAt), 2).toISOString());
    expectProblem(await extend(owner, other, 1), 409, 'PRIVACY_EXTENSION_LIMIT_REACHED');
  });

  it('refuses an extension once the request is closed or its first month has passed; flags overdue requests', async () => {
    const owner = await signup(suite.app);
    const done = await createPrivacyRequest(call, owner, 'access', uniqueEmail('subject'));
    await waitUntilDone(call, owner.token, done.id);
    expectProblem(await extend(owner, done.id, 1), 409, 'PRIVACY_REQUEST_CLOSED');

    const late = await seedRequest(suite.db, owner.orgId, { receivedAt: addCalendarMonths(new Date(), -2) });
    const view = (await call('GET', `/v1/privacy/requests/${late}`, owner.token)).json();
    expect(view.overdue).toBe(true);
    expectProblem(await extend(owner, late, 1), 409, 'PRIVACY_EXTENSION_TOO_LATE');
    expectProblem(await call('GET', `/v1/privacy/requests/${randomUUID()}`, owner.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    expectProblem(await extend(owner, randomUUID(), 1), 404, 'PRIVACY_REQUEST_NOT_FOUND');
  });

  it('rejects a pending request with its reason, and only a pending one (409 otherwise)', async () => {
    const owner = await signup(suite.app);
    const id = await seedRequest(suite.db, owner.orgId, { type: 'erasure' });
    const rejected = await call('POST', `/v1/privacy/requests/${id}/rejection`, owner.token, { reason: '  Identity not verified ' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectionReason: 'Identity not verified', completedAt: null });
    expectProblem(
      await call('POST', `/v1/privacy/requests/${id}/rejection`, owner.token, { reason: 'again' }),
      409,
      'PRIVACY_REQUEST_NOT_PENDING',
    );
    expectProblem(await extend(owner, id, 1), 409, 'PRIVACY_REQUEST_CLOSED');
    expectProblem(await call('GET', `/v1/privacy/requests/${id}/certificate`, owner.token), 404, 'ERASURE_CERTIFICATE_NOT_FOUND');

    const done = await createPrivacyRequest(call, owner, 'erasure', uniqueEmail('subject'));
    await waitUntilDone(call, owner.token, done.id);
    expectProblem(
      await call('POST', `/v1/privacy/requests/${done.id}/rejection`, owner.token, { reason: 'late' }),
      409,
      'PRIVACY_REQUEST_NOT_PENDING',
    );
    const inProgress = await seedRequest(suite.db, owner.orgId, { status: 'in_progress', startedAt: new Date() });
    expectProblem(
      await call('POST', `/v1/privacy/requests/${inProgress}/rejection`, owner.token, { reason: 'late' }),
      409,
      'PRIVACY_REQUEST_NOT_PENDING',
    );
  });

  it('hands out the export only for completed access requests and the certificate only for completed erasures', async () => {
    const owner = await signup(suite.app);
    const access = await createPrivacyRequest(call, owner, 'access', uniqueEmail('subject'));
    const erasure = await createPrivacyRequest(call, owner, 'erasure', uniqueEmail('subject'));
    await waitUntilDone(call, owner.token, access.id);
    await waitUntilDone(call, owner.token, erasure.id);

    expectProblem(await call('GET', `/v1/privacy/requests/${erasure.id}/export`, owner.token), 404, 'PRIVACY_EXPORT_NOT_FOUND');
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/certificate`, owner.token), 404, 'ERASURE_CERTIFICATE_NOT_FOUND');
    expectProblem(await call('GET', `/v1/privacy/requests/${randomUUID()}/export`, owner.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    expectProblem(await call('GET', `/v1/privacy/requests/${randomUUID()}/certificate`, owner.token), 404, 'PRIVACY_REQUEST_NOT_FOUND');

    const pendingAccess = await seedRequest(suite.db, owner.orgId, { type: 'access' });
    const runningErasure = await seedRequest(suite.db, owner.orgId, { type: 'erasure', status: 'in_progress', startedAt: new Date() });
    expectProblem(await call('GET', `/v1/privacy/requests/${pendingAccess}/export`, owner.token), 409, 'PRIVACY_EXPORT_NOT_READY');
    expectProblem(
      await call('GET', `/v1/privacy/requests/${runningErasure}/certificate`, owner.token),
      409,
      'PRIVACY_REQUEST_NOT_COMPLETED',
    );

    const download = await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="privacy-export-${access.id}.json"`);
    expect(download.headers['content-type']).toMatch(/^application\/json/);
    expect(download.headers['cache-control']).toBe('no-store');

    // Past its time, or deleted by retention: gone (410).
    await suite.db.query(`update privacy_requests set export_expires_at = now() - interval '1 minute' where id = $1`, [access.id]);
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token), 410, 'PRIVACY_EXPORT_EXPIRED');
    expect((await call('GET', `/v1/privacy/requests/${access.id}`, owner.token)).json().exportAvailable).toBe(false);
    await suite.db.query(`update privacy_requests set export = null, export_expires_at = now() + interval '1 day' where id = $1`, [
      access.id,
    ]);
    expectProblem(await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token), 410, 'PRIVACY_EXPORT_EXPIRED');
  });

  it('audits creation, downloads and certificate reads; background completion is a system event without personal values', async () => {
    const owner = await signup(suite.app);
    const email = uniqueEmail('audited');
    const access = await createPrivacyRequest(call, owner, 'access', email);
    await waitUntilDone(call, owner.token, access.id);
    expect((await call('GET', `/v1/privacy/requests/${access.id}/export`, owner.token)).statusCode).toBe(200);
    const events = (await call('GET', `/v1/audit-events?targetId=${access.id}&limit=100`, owner.token)).json().data;
    expect(events.map((event: { action: string }) => event.action).sort()).toEqual(
      ['privacy-export.download', 'privacy-request.complete', 'privacy-request.create'].sort(),
    );
    const complete = events.find((event: { action: string }) => event.action === 'privacy-request.complete');
    expect(complete.actor).toEqual({ type: 'system', id: 'privacy-requests' });
    expect(complete.ip).toBeNull();
    expect(JSON.stringify(events)).not.toContain(email);
  });
});
