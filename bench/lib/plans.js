'use strict';

const { CREATED_EMAIL_DOMAIN, withClient } = require('./database');

/** The runtime role: row-level security binds it as it binds Atrium, so the plans are the ones Atrium gets. */
const RUNTIME_ROLE = 'atrium_app';

/** Atrium's page of 25 asks for one row more, to know whether there is a next page. */
const PAGE_LIMIT = 26;

/** The search the search-q scenario sends (bench/lib/scenarios.js). */
const SEARCH_Q = 'surname12';

/** ContactsService.list's statement (src/crm/contacts/contacts.service.ts), with $n placeholders for its values. */
const CONTACT_COLUMNS = `select c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, co.name as company_name,
  c.tags, c.custom_fields, c.version, c.created_at, c.updated_at
  from "contacts" c left join "companies" co on co.id = c.company_id and co.org_id = c.org_id`;

/** The filters in the order ContactsService.list adds them; a shape names the ones it uses. */
const FILTERS = [
  ['cursor', 'c.id > ?'],
  ['email', 'c.email = ?'],
  ['companyId', 'c.company_id = ?'],
  ['tag', 'c.tags @> array[?]::text[]'],
  ['updatedSince', 'c.updated_at >= ?'],
  ['q', 'c.search_text like ?'],
];

/** Same as likePattern in the service: `q` characters that LIKE would treat as wildcards are matched literally. */
const likePattern = (q) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The list shapes the e2e plan tests cover (test/e2e/crm/query-plans.e2e-spec.ts), plus the cursor
 * alone and with the tag and the search the list-tag and search-q scenarios page through.
 */
function shapes(sample) {
  return [
    { shape: 'no filter', filters: {} },
    { shape: 'cursor', filters: { cursor: sample.cursor } },
    { shape: 'email', filters: { email: sample.email } },
    { shape: 'companyId', filters: { companyId: sample.companyId } },
    { shape: 'tag', filters: { tag: 'vip' } },
    { shape: 'q', filters: { q: likePattern(SEARCH_Q) } },
    { shape: 'updatedSince', filters: { updatedSince: sample.updatedSince } },
    { shape: 'tag+cursor', filters: { cursor: sample.cursor, tag: 'vip' } },
    { shape: 'q+cursor', filters: { cursor: sample.cursor, q: likePattern(SEARCH_Q) } },
  ];
}

/** The statement Atrium sends for these filters, numbered for pg: `c.org_id = $1` first, the limit last. */
function listStatement(orgId, filters) {
  const conditions = ['c.org_id = ?'];
  const params = [orgId];
  for (const [name, condition] of FILTERS) {
    if (filters[name] === undefined) continue;
    conditions.push(condition);
    params.push(filters[name]);
  }
  let n = 0;
  const sql = `${CONTACT_COLUMNS} where ${conditions.join(' and ')} order by c.id asc limit ?`.replace(/\?/g, () => `$${++n}`);
  return { sql, params: [...params, PAGE_LIMIT] };
}

/**
 * Real values from the first bench org, so each filter selects what it would in use: an email and
 * a company that exist, a cursor halfway through the org, and the time of its 100th latest change
 * (the seed spreads updated_at a minute apart back from the seed time, so "the last hour" may be
 * empty). The time goes as text: a JS Date would drop its microseconds.
 */
async function sampleValues(db, orgId) {
  const { rows } = await db.query(
    `select
       (select email from contacts where org_id = $1 and email is not null and email not like $2 order by id limit 1) as email,
       (select company_id from contacts where org_id = $1 and company_id is not null order by id limit 1) as company_id,
       (select id from contacts where org_id = $1 order by id offset (select count(*) / 2 from contacts where org_id = $1) limit 1) as cursor,
       (select updated_at::text from contacts where org_id = $1 order by updated_at desc offset 99 limit 1) as updated_since`,
    [orgId, `%@${CREATED_EMAIL_DOMAIN}`],
  );
  const row = rows[0];
  return { email: row.email, companyId: row.company_id, cursor: row.cursor, updatedSince: row.updated_since };
}

/** Every node of an EXPLAIN (format json) plan, depth first. */
function nodesOf(plan) {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/**
 * What the plan does with contacts. A Bitmap Index Scan names no relation, only its index, so the
 * table's index names (from the catalog) say which nodes belong to contacts.
 */
function judge(explained, contactIndexes) {
  const nodes = nodesOf(explained.Plan);
  const indexes = [...new Set(nodes.map((node) => node['Index Name']).filter((name) => contactIndexes.has(name)))];
  const seqScanOnContacts = nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'contacts');
  return {
    ok: indexes.length > 0 && !seqScanOnContacts,
    indexes,
    seqScanOnContacts,
    executionMs: explained['Execution Time'],
    rows: explained.Plan['Actual Rows'],
  };
}

/**
 * EXPLAIN ANALYZE of one statement the way Atrium runs it: as the runtime role with the org set,
 * so row-level security shapes the plan. Rolled back: the check leaves nothing behind.
 */
async function explainAsApp(db, orgId, { sql, params }) {
  await db.query('begin');
  try {
    await db.query(`set local role ${RUNTIME_ROLE}`);
    await db.query(`select set_config('app.org_id', $1, true)`, [orgId]);
    const { rows } = await db.query(`explain (analyze, format json) ${sql}`, params);
    return rows[0]['QUERY PLAN'][0];
  } finally {
    await db.query('rollback');
  }
}

/**
 * The index check at the bench's scale: every contact list shape Atrium sends, planned and run on
 * the first bench org, must reach contacts through an index and never scan the table. The e2e
 * suite checks the same on 100,000 rows; this proves it on the bench data set (1,000,000 in a full run).
 * Returns { orgId, sample, shapes: [{ shape, ok, indexes, seqScanOnContacts, executionMs, rows }], ok };
 * the org and the sample values are there to rerun a plan by hand.
 */
async function checkPlans(config, credentials) {
  const orgId = credentials[0].orgId;
  return withClient(config.databaseUrl, async (db) => {
    const catalog = await db.query(`select indexname from pg_indexes where schemaname = 'public' and tablename = 'contacts'`);
    const contactIndexes = new Set(catalog.rows.map((r) => r.indexname));
    const sample = await sampleValues(db, orgId);
    const results = [];
    for (const { shape, filters } of shapes(sample)) {
      const explained = await explainAsApp(db, orgId, listStatement(orgId, filters));
      results.push({ shape, ...judge(explained, contactIndexes) });
    }
    return { orgId, sample, shapes: results, ok: results.every((r) => r.ok) };
  });
}

module.exports = { checkPlans };
