import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RUNTIME_DB_ROLE } from '../../../src/database/orm-options';
import { Signed, signup } from '../../support/factories';
import { call } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';

/**
 * What the contact list costs in PostgreSQL: a bounded number of statements whatever the page
 * size (no N+1 for the embedded company), and on 100,000 contacts an index for every list
 * filter, planned the way the app runs it: as the runtime role, under row-level security.
 */
const suite = useTestAppWithOwnerDb();

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly Plans?: PlanNode[];
}

type QueryFn = (...args: unknown[]) => unknown;
const pgClient = Client.prototype as unknown as { query: QueryFn };

/**
 * Every statement the app sends to PostgreSQL while `work` runs, read at the pg driver itself. A
 * one-round-trip read (TenantDatabase.read) sends its set_config and its statement in one message.
 */
async function statementsDuring(work: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const original = pgClient.query;
  pgClient.query = function (this: Client, ...args: unknown[]) {
    const query = args[0] as string | { text?: string };
    seen.push(...(typeof query === 'string' ? query : String(query?.text)).split(';\n'));
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    pgClient.query = original;
  }
  return seen;
}

function get(url: string, token: string) {
  return call(suite.app, 'GET', url, { token });
}

/** Lists are response-cached; each captured call asks for a page size not asked before, so it reaches the database. */
let uncachedLimit = 100;

/** The list statement of GET /v1/contacts`query`, as the app really sent it, and the page it returned. */
async function listStatement(owner: Signed, query: string): Promise<{ sql: string; rows: number }> {
  let rows = -1;
  const separator = query.includes('?') ? '&' : '?';
  const statements = await statementsDuring(async () => {
    const response = await get(`/v1/contacts${query}${separator}limit=${uncachedLimit--}`, owner.token);
    expect(response.statusCode).toBe(200);
    rows = response.json().data.length;
  });
  const lists = statements.filter((sql) => /from "contacts"/i.test(sql) && /order by/i.test(sql));
  expect(lists).toHaveLength(1);
  return { sql: lists[0], rows };
}

/** Runs `work` on the owner connection in a transaction scoped to `orgId` (RLS may bind the owner too), rolled back unless told. */
async function inOrg<T>(orgId: string, work: () => Promise<T>, options: { role?: string; commit?: boolean } = {}): Promise<T> {
  await suite.db.query('begin');
  try {
    await suite.db.query("select set_config('app.org_id', $1, true)", [orgId]);
    if (options.role) await suite.db.query(`set local role ${options.role}`);
    const result = await work();
    await suite.db.query(options.commit ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    await suite.db.query('rollback');
    throw error;
  }
}

async function planOf(sql: string, orgId: string, role?: string): Promise<PlanNode[]> {
  const { rows } = await inOrg(orgId, () => suite.db.query(`explain (format json) ${sql}`), { role });
  const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];
  return flatten(rows[0]['QUERY PLAN'][0].Plan);
}

const contactScans = (plan: PlanNode[]) =>
  plan.filter((node) => node['Relation Name'] === 'contacts' || node['Index Name']?.startsWith('contacts_'));
const contactIndexes = (plan: PlanNode[]) => contactScans(plan).flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));
/** `index: condition` for every index on contacts the plan searches, e.g. `contacts_org_email_idx: ((org_id = …) AND (email = …))`. */
const contactIndexConds = (plan: PlanNode[]) =>
  contactScans(plan).flatMap((node) => (node['Index Name'] ? [`${node['Index Name']}: ${node['Index Cond'] ?? ''}`] : []));

describe('Contact list statements (e2e)', () => {
  it('lists contacts with their companies in a bounded number of statements, the same for 5 and 25 rows', async () => {
    const owner = await signup(suite.app);
    for (let i = 0; i < 25; i += 1) {
      const company = await call(suite.app, 'POST', '/v1/companies', { token: owner.token, body: { name: `Company ${i}` } });
      expect(company.statusCode).toBe(201);
      const contact = await call(suite.app, 'POST', '/v1/contacts', {
        token: owner.token,
        body: { firstName: `First${i}`, lastName: `Last${i}`, companyId: company.json().id },
      });
      expect(contact.statusCode).toBe(201);
    }
    expect((await get('/v1/contacts?limit=1', owner.token)).statusCode).toBe(200);

    const counted: Record<number, string[]> = {};
    for (const limit of [5, 25]) {
      counted[limit] = await statementsDuring(async () => {
        const page = await get(`/v1/contacts?limit=${limit}`, owner.token);
        expect(page.statusCode).toBe(200);
        expect(page.json().data).toHaveLength(limit);
        const companies = new Set(page.json().data.map((contact: { company: { id: string } | null }) => contact.company?.id));
        expect(companies.size).toBe(limit);
        expect(companies.has(undefined)).toBe(false);
      });
    }
    // The data statements do not grow with the page (credential lookups may come from the near cache, so only these are compared).
    const dataStatements = (limit: number) => counted[limit].filter((sql) => /"(contacts|companies)"/.test(sql)).length;
    expect(dataStatements(25)).toBe(dataStatements(5));
    // BEGIN, set_config, membership, COMMIT for the credential; BEGIN, set_config, the page (companies joined), COMMIT.
    expect(counted[25].length).toBeLessThanOrEqual(8);
    // At most the page and one batched read of its companies, whatever the page size.
    for (const limit of [5, 25]) expect(counted[limit].filter((sql) => /"(contacts|companies)"/.test(sql)).length).toBeLessThanOrEqual(2);
  });
});

describe('Contact list query plans on 100,000 contacts (e2e)', () => {
  const ORGS = 20;
  const PER_ORG = 5_000;
  let owner: Signed;
  let sample: { email: string; companyId: string };

  beforeAll(async () => {
    owner = await signup(suite.app);
    const run = randomUUID().slice(0, 8);
    const made = await suite.db.query<{ id: string }>(
      "insert into organizations (id, name, slug) select gen_random_uuid(), 'Plan org ' || n, 'plan-org-' || $1 || '-' || n from generate_series(1, $2::int) n returning id",
      [run, ORGS - 1],
    );
    for (const orgId of [owner.orgId, ...made.rows.map((row) => row.id)]) {
      await inOrg(orgId, () => seedOrg(orgId), { commit: true });
    }
    await suite.db.query('analyze contacts');
    await suite.db.query('analyze companies');
    const { rows } = await inOrg(owner.orgId, () =>
      suite.db.query<{ email: string; company_id: string }>(
        'select email, company_id from contacts where org_id = $1 and company_id is not null order by id limit 1',
        [owner.orgId],
      ),
    );
    sample = { email: rows[0].email, companyId: rows[0].company_id };
  }, 120_000);

  /** 20 companies and PER_ORG contacts with realistic names, emails, phones, tags and update times. */
  async function seedOrg(orgId: string): Promise<void> {
    await suite.db.query(
      `insert into companies (id, org_id, name, domain, industry)
       select gen_random_uuid(), $1, 'Company ' || n, 'company-' || n || '.example', (array['Retail','Shipping','Software','Energy'])[1 + n % 4]
       from generate_series(1, 20) n`,
      [orgId],
    );
    await suite.db.query(
      `insert into contacts (id, org_id, first_name, last_name, email, phone, company_id, tags, custom_fields, created_at, updated_at)
       select gen_random_uuid(), $1, f.name, l.name, lower(f.name || '.' || l.name || '.' || g || '@mail' || (g % 7) || '.example'),
         '+1415555' || lpad((g % 10000)::text, 4, '0'),
         case when g % 4 = 0 then null else cs.ids[1 + g % array_length(cs.ids, 1)] end,
         case when g % 500 = 0 then array['vip', 'customer'] when g % 2 = 0 then array['customer'] when g % 3 = 0 then array['newsletter'] else '{}'::text[] end,
         jsonb_build_object('tier', (array['gold', 'silver', 'bronze'])[1 + g % 3]),
         now() - make_interval(mins => $2::int - g), now() - make_interval(mins => $2::int - g)
       from generate_series(1, $2::int) g
       cross join (select array_agg(id order by id) ids from companies where org_id = $1) cs
       cross join lateral (select (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Frances','John',
         'Radia','Tim','Hedy','Dennis','Katherine','Linus','Anita','Niklaus','Shafi','Leslie'])[1 + g % 20] as name) f
       cross join lateral (select (array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Allen','McCarthy',
         'Perlman','Berners','Lamarr','Ritchie','Johnson','Torvalds','Borg','Wirth','Goldwasser','Lamport','Kay','Backus','Codd','Cerf','Kahn'])[1 + (g / 20) % 25] as name) l`,
      [orgId, PER_ORG],
    );
  }

  it('holds 100,000 contacts over 20 organizations', async () => {
    const { rows } = await suite.db.query<{ orgs: number; contacts: number }>(
      'select count(distinct c.org_id)::int as orgs, count(*)::int as contacts from contacts c join organizations o on o.id = c.org_id where o.slug like $1 or o.id = $2',
      ['plan-org-%', owner.orgId],
    );
    expect(rows[0].contacts).toBeGreaterThanOrEqual(ORGS * PER_ORG);
    expect(rows[0].orgs).toBeGreaterThanOrEqual(ORGS);
  });

  /** Each list filter, with the index built for it where the choice is clear-cut on this data. */
  const shapes: [string, () => string, RegExp][] = [
    ['no filter', () => '', /^contacts_org_id_idx$/],
    ['email', () => `?email=${encodeURIComponent(sample.email.toUpperCase())}`, /^contacts_org_email_idx$/],
    ['companyId', () => `?companyId=${sample.companyId}`, /^contacts_org_company_idx$/],
    ['tag', () => '?tag=vip', /^contacts_/],
    ['q', () => '?q=lovelace', /^contacts_/],
    [
      'updatedSince',
      () => `?updatedSince=${encodeURIComponent(new Date(Date.now() - 60 * 60_000).toISOString())}`,
      /^contacts_org_updated_idx$/,
    ],
  ];

  it.each(shapes)('plans the %s list through an index on contacts, never a sequential scan, under RLS', async (_name, query, index) => {
    const { sql, rows } = await listStatement(owner, query());
    expect(rows).toBeGreaterThan(0);
    const plan = await planOf(sql, owner.orgId, RUNTIME_DB_ROLE);
    expect(contactScans(plan).length).toBeGreaterThan(0);
    expect(contactScans(plan).filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    expect(contactIndexes(plan)).toEqual(expect.arrayContaining([expect.stringMatching(index)]));
  });

  // The owner connection (a superuser here) is not bound by RLS: its plan shows the index is the right one for this data.
  it('searches a rare tag inside the GIN index contacts_org_tags_gin as the runtime role, as it does without RLS', async () => {
    const { sql, rows } = await listStatement(owner, '?tag=vip');
    expect(rows).toBe(PER_ORG / 500);
    const tagInIndex = expect.stringMatching(/^contacts_org_tags_gin: .*tags @> /);
    expect(contactIndexConds(await planOf(sql, owner.orgId))).toEqual(expect.arrayContaining([tagInIndex]));
    expect(contactIndexConds(await planOf(sql, owner.orgId, RUNTIME_DB_ROLE))).toEqual(expect.arrayContaining([tagInIndex]));
  });

  it('searches a rare q inside the trigram index contacts_org_search_trgm as the runtime role, as it does without RLS', async () => {
    const { sql, rows } = await listStatement(owner, `?q=${encodeURIComponent(sample.email)}`);
    expect(rows).toBe(1);
    const qInIndex = expect.stringMatching(/^contacts_org_search_trgm: .*search_text ~~ /);
    expect(contactIndexConds(await planOf(sql, owner.orgId))).toEqual(expect.arrayContaining([qInIndex]));
    expect(contactIndexConds(await planOf(sql, owner.orgId, RUNTIME_DB_ROLE))).toEqual(expect.arrayContaining([qInIndex]));
  });
});
