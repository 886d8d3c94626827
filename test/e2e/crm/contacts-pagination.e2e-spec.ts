import { Signed, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { ContactView, caller, createContact } from '../../support/client';
import { clockPast } from '../../support/waiting';

const suite = useTestApp();
const call = caller(() => suite.app);

async function createMany(owner: Signed, count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createContact(suite.app, owner, { firstName: `${label}${i}` })).id);
  return ids;
}

async function page(owner: Signed, query: string): Promise<{ data: ContactView[]; nextCursor: string | null }> {
  const response = await call('GET', `/v1/contacts?${query}`, owner.token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function ids(owner: Signed, filter: string): Promise<string[]> {
  return (await page(owner, `limit=100&${filter}`)).data.map((contact) => contact.id);
}

const ascending = (values: string[]) => [...values].sort();

describe('Contacts: pagination and filters (e2e)', () => {
  it('pages 30 contacts with limit=7: each exactly once, in id order, nextCursor null at the end', async () => {
    const owner = await signup(suite.app);
    const created = await createMany(owner, 30, 'P');
    expect(created).toEqual(ascending(created));

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const result: Awaited<ReturnType<typeof page>> = await page(owner, `limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      sizes.push(result.data.length);
      seen.push(...result.data.map((contact) => contact.id));
      cursor = result.nextCursor;
    } while (cursor !== null && sizes.length < 10);

    expect(sizes).toEqual([7, 7, 7, 7, 2]);
    expect(seen).toEqual(created);

    const exact = await page(owner, 'limit=30');
    expect(exact.data).toHaveLength(30);
    expect(exact.nextCursor).toBeNull();
    const byDefault = await page(owner, '');
    expect(byDefault.data.map((contact) => contact.id)).toEqual(created.slice(0, 25));
    expect(byDefault.nextCursor).toEqual(expect.any(String));
  });

  it('sees every pre-existing contact exactly once while others are inserted (and one seen is deleted) between pages', async () => {
    const owner = await signup(suite.app);
    const existing = await createMany(owner, 30, 'Old');
    const inserted: string[] = [];

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: Awaited<ReturnType<typeof page>> = await page(owner, `limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...result.data.map((contact) => contact.id));
      cursor = result.nextCursor;
      pages++;
      if (pages <= 4) inserted.push(...(await createMany(owner, 3, `New${pages}-`)));
      if (pages === 2) expect((await call('DELETE', `/v1/contacts/${seen[0]}`, owner.token)).statusCode).toBe(204);
    } while (cursor !== null && pages < 20);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(ascending(seen));
    expect(seen.filter((id) => existing.includes(id))).toEqual(existing);
    expect(seen.filter((id) => !existing.includes(id))).toEqual(inserted);
  });

  it('filters by email: exact and case-insensitive', async () => {
    const owner = await signup(suite.app);
    const grace = await createContact(suite.app, owner, { email: 'Grace@Navy.Example' });
    await createContact(suite.app, owner, { email: 'xgrace@navy.example' });
    await createContact(suite.app, owner, { email: 'grace@navy.example.org' });
    await createContact(suite.app, owner);
    expect(await ids(owner, 'email=grace%40navy.example')).toEqual([grace.id]);
    expect(await ids(owner, 'email=GRACE%40NAVY.EXAMPLE')).toEqual([grace.id]);
    expect(await ids(owner, 'email=grace%40navy')).toEqual([]);
  });

  it('filters by companyId and embeds {id, name} of the company in list items', async () => {
    const owner = await signup(suite.app);
    const acme = (await call('POST', '/v1/companies', owner.token, { name: 'Acme' })).json();
    const globex = (await call('POST', '/v1/companies', owner.token, { name: 'Globex' })).json();
    const a1 = await createContact(suite.app, owner, { companyId: acme.id });
    const g1 = await createContact(suite.app, owner, { companyId: globex.id });
    const a2 = await createContact(suite.app, owner, { companyId: acme.id });
    const none = await createContact(suite.app, owner);
    expect(await ids(owner, `companyId=${acme.id}`)).toEqual([a1.id, a2.id]);
    expect(await ids(owner, `companyId=${globex.id}`)).toEqual([g1.id]);

    const all = await page(owner, 'limit=100');
    expect(all.data.map((contact) => [contact.id, contact.company])).toEqual([
      [a1.id, { id: acme.id, name: 'Acme' }],
      [g1.id, { id: globex.id, name: 'Globex' }],
      [a2.id, { id: acme.id, name: 'Acme' }],
      [none.id, null],
    ]);
  });

  it('filters by tag, including tags with spaces and punctuation', async () => {
    const owner = await signup(suite.app);
    const vip = await createContact(suite.app, owner, { tags: ['vip', 'Q3 lead'] });
    const lead = await createContact(suite.app, owner, { tags: ['Q3 lead', 'region:emea'] });
    await createContact(suite.app, owner, { tags: ['vip2', 'not-vip'] });
    expect(await ids(owner, 'tag=vip')).toEqual([vip.id]);
    expect(await ids(owner, 'tag=Q3%20lead')).toEqual([vip.id, lead.id]);
    expect(await ids(owner, 'tag=region%3Aemea')).toEqual([lead.id]);
    expect(await ids(owner, 'tag=VIP')).toEqual([]);
  });

  it('searches q over first name, last name and email, case-insensitively', async () => {
    const owner = await signup(suite.app);
    const grace = await createContact(suite.app, owner, { firstName: 'Grace', lastName: 'Hopper', email: 'admiral@navy.example' });
    const ada = await createContact(suite.app, owner, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@engines.example' });
    const alan = await createContact(suite.app, owner, { firstName: 'Alan', lastName: 'Turing' });
    expect(await ids(owner, 'q=GRA')).toEqual([grace.id]);
    expect(await ids(owner, 'q=lovel')).toEqual([ada.id]);
    expect(await ids(owner, 'q=navy.exa')).toEqual([grace.id]);
    expect(await ids(owner, 'q=.example')).toEqual([grace.id, ada.id]);
    expect(await ids(owner, 'q=alan%20tur')).toEqual([alan.id]);
    expect(await ids(owner, 'q=zzz')).toEqual([]);
  });

  it('treats % and _ in q literally', async () => {
    const owner = await signup(suite.app);
    const percent = await createContact(suite.app, owner, { firstName: 'Ab%cd', lastName: 'One' });
    const underscore = await createContact(suite.app, owner, { firstName: 'Ab_cd', lastName: 'Two' });
    const plain = await createContact(suite.app, owner, { firstName: 'Abxcd', lastName: 'Three' });
    const backslash = await createContact(suite.app, owner, { firstName: 'Ab\\cd', lastName: 'Four' });
    expect(await ids(owner, 'q=b%25c')).toEqual([percent.id]);
    expect(await ids(owner, 'q=b_c')).toEqual([underscore.id]);
    expect(await ids(owner, 'q=%25%25%25')).toEqual([]);
    expect(await ids(owner, 'q=___')).toEqual([]);
    expect(await ids(owner, 'q=b%5Cc')).toEqual([backslash.id]);
    expect(await ids(owner, 'q=bxc')).toEqual([plain.id]);
  });

  it('filters by updatedSince (inclusive) and sees updated contacts again', async () => {
    const owner = await signup(suite.app);
    const old = await createContact(suite.app, owner, { firstName: 'Old' });
    await clockPast(old.updatedAt);
    const fresh = await createContact(suite.app, owner, { firstName: 'Fresh' });
    expect(await ids(owner, `updatedSince=${encodeURIComponent(fresh.updatedAt)}`)).toEqual([fresh.id]);
    expect(await ids(owner, `updatedSince=${encodeURIComponent(old.updatedAt)}`)).toEqual([old.id, fresh.id]);
    expect(await ids(owner, 'updatedSince=2999-01-01T00:00:00Z')).toEqual([]);

    await clockPast(fresh.updatedAt);
    const touched = (await call('PATCH', `/v1/contacts/${old.id}`, owner.token, { lastName: 'Touched' })).json();
    expect(await ids(owner, `updatedSince=${encodeURIComponent(touched.updatedAt)}`)).toEqual([old.id]);
    const offset = new Date(Date.parse(touched.updatedAt) - 1).toISOString().replace('Z', '+00:00');
    expect(await ids(owner, `updatedSince=${encodeURIComponent(offset)}`)).toEqual([old.id]);
  });

  it('combines filters (AND) and pages through a filtered list', async () => {
    const owner = await signup(suite.app);
    const acme = (await call('POST', '/v1/companies', owner.token, { name: 'Acme' })).json();
    const match: string[] = [];
    for (let i = 0; i < 5; i++)
      match.push((await createContact(suite.app, owner, { firstName: `Match${i}`, companyId: acme.id, tags: ['vip'] })).id);
    await createContact(suite.app, owner, { firstName: 'Match-no-tag', companyId: acme.id });
    await createContact(suite.app, owner, { firstName: 'Match-no-company', tags: ['vip'] });
    await createContact(suite.app, owner, { firstName: 'Other', companyId: acme.id, tags: ['vip'] });

    const filter = `companyId=${acme.id}&tag=vip&q=match`;
    expect(await ids(owner, filter)).toEqual(match);
    const first = await page(owner, `${filter}&limit=3`);
    expect(first.data.map((contact) => contact.id)).toEqual(match.slice(0, 3));
    const second = await page(owner, `${filter}&limit=3&cursor=${first.nextCursor}`);
    expect(second.data.map((contact) => contact.id)).toEqual(match.slice(3));
    expect(second.nextCursor).toBeNull();

    expect(await ids(owner, `${filter}&email=nobody%40x.example`)).toEqual([]);
    expect(await ids(owner, `${filter}&updatedSince=2999-01-01T00:00:00Z`)).toEqual([]);
  });
});
