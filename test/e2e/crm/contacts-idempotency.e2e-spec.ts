import { randomUUID } from 'node:crypto';
import { Signed, bearer, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { call, expectProblem } from '../../support/client';

const suite = useTestApp();

function post(owner: Signed, payload: object, key?: string) {
  return suite.app.inject({
    method: 'POST',
    url: '/v1/contacts',
    headers: { ...bearer(owner.token), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload,
  });
}

async function listIds(owner: Signed): Promise<string[]> {
  const response = await call(suite.app, 'GET', '/v1/contacts?limit=100', { token: owner.token });
  expect(response.statusCode).toBe(200);
  return response.json().data.map((contact: { id: string }) => contact.id);
}

const grace = {
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace@navy.example',
  tags: ['vip'],
  customFields: { tier: 'gold', level: 3 },
};

describe('Contacts: Idempotency-Key (e2e)', () => {
  it('replays the first response (same status and body, idempotent-replayed: true) and creates nothing', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const first = await post(owner, grace, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await post(owner, grace, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toMatch(/^application\/json/);

    const reordered = await post(
      owner,
      { customFields: { level: 3, tier: 'gold' }, tags: ['vip'], email: 'grace@navy.example', lastName: 'Hopper', firstName: 'Grace' },
      key,
    );
    expect(reordered.statusCode).toBe(201);
    expect(reordered.json()).toEqual(first.json());

    expect(await listIds(owner)).toEqual([first.json().id]);
  });

  it('replays the original response even after the contact changed', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const first = await post(owner, grace, key);
    const patched = await call(suite.app, 'PATCH', `/v1/contacts/${first.json().id}`, { token: owner.token, body: { firstName: 'Ada' } });
    expect(patched.statusCode).toBe(200);
    const replay = await post(owner, grace, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(await listIds(owner)).toEqual([first.json().id]);
  });

  it('refuses the same key with another body (422 IDEMPOTENCY_KEY_REUSED) and creates nothing', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const first = await post(owner, grace, key);
    expect(first.statusCode).toBe(201);
    expectProblem(await post(owner, { ...grace, firstName: 'Ada' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await post(owner, { ...grace, tags: ['vip', 'extra'] }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await listIds(owner)).toEqual([first.json().id]);

    const activity = await suite.app.inject({
      method: 'POST',
      url: `/v1/contacts/${first.json().id}/activities`,
      headers: { ...bearer(owner.token), 'idempotency-key': key },
      payload: { type: 'note', subject: 'x', occurredAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expectProblem(activity, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it("keeps keys per organization: org B may reuse org A's key, and each gets its own contact", async () => {
    const a = await signup(suite.app);
    const b = await signup(suite.app);
    const key = randomUUID();
    const fromA = await post(a, grace, key);
    expect(fromA.statusCode).toBe(201);

    const fromB = await post(b, grace, key);
    expect(fromB.statusCode).toBe(201);
    expect(fromB.headers['idempotent-replayed']).toBeUndefined();
    expect(fromB.json().id).not.toBe(fromA.json().id);

    const otherBody = await post(b, { ...grace, firstName: 'Bob' }, `${key}-b`);
    expect(otherBody.statusCode).toBe(201);
    expect(await listIds(b)).toEqual([fromB.json().id, otherBody.json().id]);
    expect(await listIds(a)).toEqual([fromA.json().id]);

    const replayA = await post(a, grace, key);
    expect(replayA.json()).toEqual(fromA.json());
    const replayB = await post(b, grace, key);
    expect(replayB.json()).toEqual(fromB.json());
    expect(await listIds(a)).toEqual([fromA.json().id]);
  });

  it('20 concurrent POSTs with one key create exactly one contact; all answer 201 with the same id', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(owner, grace, key)));
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses).toEqual(Array(20).fill(201));
    const ids = new Set(replies.map((reply) => reply.json().id));
    expect(ids.size).toBe(1);
    for (const reply of replies) expect(reply.json()).toEqual(replies[0].json());
    expect(replies.filter((reply) => reply.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await listIds(owner)).toEqual([...ids]);
  });

  it('concurrent POSTs with one key and different bodies: one creates (201), the others get 422', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => post(owner, { ...grace, firstName: `Racer${i}` }, key)));
    const created = replies.filter((reply) => reply.statusCode === 201);
    expect(created).toHaveLength(1);
    for (const reply of replies.filter((r) => r.statusCode !== 201)) expectProblem(reply, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await listIds(owner)).toEqual([created[0].json().id]);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['empty', ''],
    ['with a space', 'two words'],
    ['with a tab', 'tab\there'],
    ['with a control character', 'bell\u0007key'],
    ['non-ASCII', 'clé-unique'],
  ])('refuses a key %s (400, field Idempotency-Key) and creates nothing', async (_label, key) => {
    const owner = await signup(suite.app);
    const response = await post(owner, grace, key);
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.json().errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await listIds(owner)).toEqual([]);
  });

  it('accepts a key of exactly 255 visible ASCII characters', async () => {
    const owner = await signup(suite.app);
    const key = `!~${'k'.repeat(253)}`;
    const first = await post(owner, grace, key);
    expect(first.statusCode).toBe(201);
    expect((await post(owner, grace, key)).json()).toEqual(first.json());
    expect(await listIds(owner)).toHaveLength(1);
  });

  it('does not burn the key on a request that failed validation: a valid retry with it creates', async () => {
    const owner = await signup(suite.app);
    const key = randomUUID();
    const invalid = await post(owner, { ...grace, email: 'not-an-email' }, key);
    expectProblem(invalid, 400, 'VALIDATION_FAILED');
    const unknownCompany = await post(owner, { ...grace, companyId: randomUUID() }, key);
    expectProblem(unknownCompany, 400, 'VALIDATION_FAILED');
    expect(await listIds(owner)).toEqual([]);

    const valid = await post(owner, grace, key);
    expect(valid.statusCode).toBe(201);
    expect(valid.headers['idempotent-replayed']).toBeUndefined();
    const replay = await post(owner, grace, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(valid.json());
    expect(await listIds(owner)).toEqual([valid.json().id]);
  });

  it('without a key, each POST creates a contact', async () => {
    const owner = await signup(suite.app);
    const first = await post(owner, grace);
    const second = await post(owner, grace);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.json().id).not.toBe(first.json().id);
    expect(await listIds(owner)).toEqual([first.json().id, second.json().id]);
  });
});
