import { Signed, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { ContactView, Reply, caller, createContact, expectProblem } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

/** GET a contact; returns its body and its ETag. */
async function read(owner: Signed, id: string): Promise<{ body: ContactView; etag: string }> {
  const response = await call('GET', `/v1/contacts/${id}`, owner.token);
  expect(response.statusCode).toBe(200);
  const etag = response.headers.etag as string;
  expect(etag).toMatch(/^"[^"]+"$/);
  return { body: response.json(), etag };
}

describe('Contacts: conditional requests (e2e)', () => {
  it('gives a single contact a strong ETag; If-None-Match with it → 304 with an empty body', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const first = await read(owner, contact.id);
    expect(first.body).toEqual(contact);
    expect((await read(owner, contact.id)).etag).toBe(first.etag);

    const notModified = await call('GET', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-none-match': first.etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.etag).toBe(first.etag);

    const listed = await call('GET', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-none-match': `"other", W/${first.etag}` });
    expect(listed.statusCode).toBe(304);

    const other = await call('GET', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-none-match': '"something-else"' });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual(contact);
  });

  it('answers 200 with a new ETag once the contact changed', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const before = await read(owner, contact.id);
    expect((await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Ada' })).statusCode).toBe(200);

    const after = await call('GET', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-none-match': before.etag });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ id: contact.id, firstName: 'Ada', version: 2 });
    expect(after.headers.etag).toMatch(/^"[^"]+"$/);
    expect(after.headers.etag).not.toBe(before.etag);
  });

  it('gives the list an ETag; 304 while unchanged, 200 with a new ETag after a create, update or delete', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const list = await call('GET', '/v1/contacts', owner.token);
    expect(list.statusCode).toBe(200);
    const etag = list.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);

    const unchanged = await call('GET', '/v1/contacts', owner.token, undefined, { 'if-none-match': etag });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');

    const seen = new Set([etag]);
    const changes: (() => Promise<Reply>)[] = [
      () => call('POST', '/v1/contacts', owner.token, { firstName: 'New', lastName: 'One' }),
      () => call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { tags: ['changed'] }),
      () => call('DELETE', `/v1/contacts/${contact.id}`, owner.token),
    ];
    let previous = etag;
    for (const change of changes) {
      expect((await change()).statusCode).toBeLessThan(300);
      const changed = await call('GET', '/v1/contacts', owner.token, undefined, { 'if-none-match': previous });
      expect(changed.statusCode).toBe(200);
      const next = changed.headers.etag as string;
      expect(seen.has(next)).toBe(false);
      seen.add(next);
      previous = next;
    }
  });

  it('PATCH with the current ETag succeeds; with a stale one → 412 and the contact is unchanged', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const v1 = await read(owner, contact.id);

    const ok = await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Ada' }, { 'if-match': v1.etag });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ firstName: 'Ada', version: 2 });
    const v2 = await read(owner, contact.id);
    expect(v2.etag).not.toBe(v1.etag);

    const stale = await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Mallory' }, { 'if-match': v1.etag });
    expectProblem(stale, 412, 'PRECONDITION_FAILED');
    const weak = await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Mallory' }, { 'if-match': `W/${v2.etag}` });
    expectProblem(weak, 412, 'PRECONDITION_FAILED');
    expect(await read(owner, contact.id)).toEqual(v2);

    const listed = await call(
      'PATCH',
      `/v1/contacts/${contact.id}`,
      owner.token,
      { lastName: 'Lovelace' },
      { 'if-match': `"nope", ${v2.etag}` },
    );
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', version: 3 });
  });

  it('PATCH and DELETE without If-Match are unconditional', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    await read(owner, contact.id);
    expect((await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'One' })).json()).toMatchObject({
      firstName: 'One',
      version: 2,
    });
    expect((await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Two' })).json()).toMatchObject({
      firstName: 'Two',
      version: 3,
    });
    expect((await call('DELETE', `/v1/contacts/${contact.id}`, owner.token)).statusCode).toBe(204);
    expectProblem(await call('GET', `/v1/contacts/${contact.id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
  });

  it('DELETE with a stale ETag → 412 and the contact stays; with the current one → 204', async () => {
    const owner = await signup(suite.app);
    const contact = await createContact(suite.app, owner);
    const v1 = await read(owner, contact.id);
    expect((await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { tags: ['moved'] })).statusCode).toBe(200);
    const v2 = await read(owner, contact.id);

    expectProblem(
      await call('DELETE', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-match': v1.etag }),
      412,
      'PRECONDITION_FAILED',
    );
    expect(await read(owner, contact.id)).toEqual(v2);

    const deleted = await call('DELETE', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-match': v2.etag });
    expect(deleted.statusCode).toBe(204);
    expectProblem(await call('GET', `/v1/contacts/${contact.id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
  });

  it('a company rename changes the contact representation, so its old ETag is stale (412)', async () => {
    const owner = await signup(suite.app);
    const company = await call('POST', '/v1/companies', owner.token, { name: 'Old Name' });
    const contact = await createContact(suite.app, owner, { companyId: company.json().id });
    const before = await read(owner, contact.id);
    expect(before.body.company).toEqual({ id: company.json().id, name: 'Old Name' });
    expect((await call('PATCH', `/v1/companies/${company.json().id}`, owner.token, { name: 'New Name' })).statusCode).toBe(200);
    const after = await read(owner, contact.id);
    expect(after.body.company).toEqual({ id: company.json().id, name: 'New Name' });
    expect(after.etag).not.toBe(before.etag);
    expectProblem(
      await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'X' }, { 'if-match': before.etag }),
      412,
      'PRECONDITION_FAILED',
    );
    expect(
      (await call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'X' }, { 'if-match': after.etag })).statusCode,
    ).toBe(200);
  });

  it('two PATCHes racing with the same If-Match: exactly one wins, the other gets 412', async () => {
    const owner = await signup(suite.app);
    for (let round = 0; round < 5; round++) {
      const contact = await createContact(suite.app, owner, { firstName: `Round ${round}` });
      const { etag } = await read(owner, contact.id);
      const [left, right] = await Promise.all([
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Left', tags: ['left'] }, { 'if-match': etag }),
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Right', tags: ['right'] }, { 'if-match': etag }),
      ]);
      const statuses = [left.statusCode, right.statusCode].sort();
      expect(statuses).toEqual([200, 412]);
      const [winner, loser] = left.statusCode === 200 ? [left, right] : [right, left];
      expectProblem(loser, 412, 'PRECONDITION_FAILED');
      const final = await read(owner, contact.id);
      expect(final.body).toEqual(winner.json());
      expect(final.body.version).toBe(2);
      expect(final.body.tags).toEqual([final.body.firstName.toLowerCase()]);
    }
  });

  it('two concurrent PATCHes without If-Match are unconditional: both succeed and both changes land', async () => {
    const owner = await signup(suite.app);
    for (let round = 0; round < 5; round++) {
      const contact = await createContact(suite.app, owner);
      const [first, second] = await Promise.all([
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: `First${round}` }),
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { lastName: `Second${round}` }),
      ]);
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      const final = await read(owner, contact.id);
      expect(final.body).toMatchObject({ firstName: `First${round}`, lastName: `Second${round}`, version: 3 });
    }
  });

  it('a DELETE without If-Match racing an unconditional PATCH always deletes (204)', async () => {
    const owner = await signup(suite.app);
    for (let round = 0; round < 5; round++) {
      const contact = await createContact(suite.app, owner);
      const [patch, del] = await Promise.all([
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Late' }),
        call('DELETE', `/v1/contacts/${contact.id}`, owner.token),
      ]);
      expect(del.statusCode).toBe(204);
      expect([200, 404]).toContain(patch.statusCode);
      expectProblem(await call('GET', `/v1/contacts/${contact.id}`, owner.token), 404, 'CONTACT_NOT_FOUND');
    }
  });

  it('a PATCH racing a DELETE with the same If-Match: exactly one succeeds', async () => {
    const owner = await signup(suite.app);
    for (let round = 0; round < 5; round++) {
      const contact = await createContact(suite.app, owner);
      const { etag } = await read(owner, contact.id);
      const [patch, del] = await Promise.all([
        call('PATCH', `/v1/contacts/${contact.id}`, owner.token, { firstName: 'Late' }, { 'if-match': etag }),
        call('DELETE', `/v1/contacts/${contact.id}`, owner.token, undefined, { 'if-match': etag }),
      ]);
      const after = await call('GET', `/v1/contacts/${contact.id}`, owner.token);
      if (del.statusCode === 204) {
        expect([404, 412]).toContain(patch.statusCode);
        expect(after.statusCode).toBe(404);
      } else {
        expect(patch.statusCode).toBe(200);
        expectProblem(del, 412, 'PRECONDITION_FAILED');
        expect(after.json()).toEqual(patch.json());
      }
    }
  });
});
