'use strict';

const { randomUUID } = require('node:crypto');
const { CREATED_EMAIL_DOMAIN } = require('./database');

const cursorAt = (id) => Buffer.from(JSON.stringify({ id })).toString('base64url');
const bearer = (apiKey) => ({ authorization: `Bearer ${apiKey}` });

/**
 * The scenarios, in run order. Each one builds, per load run, the autocannon `requests` for one
 * server. `target` names the ratio to bare it is judged by (README: "Targets").
 *
 * Atrium caches: API-key resolutions in process for 1 s, `GET /v1/contacts/{id}` in Redis (query
 * cache) and list responses in Redis (response cache), all keyed by org and invalidated by writes.
 * The bare server caches nothing. So the "uncached" scenarios make every request distinct (a
 * contact id never asked for before, a random list cursor), and the cached ones repeat one URL.
 */
function scenarios(ctx) {
  const { credentials, fixtures } = ctx;
  const keyOf = new Map(credentials.map((c) => [c.orgId, c.apiKey]));
  const hot = fixtures.hot;

  // The cache-miss ids, split in two disjoint halves: each server reads every id at most once
  // (until its half runs out, which the results flag as `idsWrapped`).
  const half = Math.floor(fixtures.missIds.length / 2);
  const missPools = { bare: fixtures.missIds.slice(0, half), atrium: fixtures.missIds.slice(half) };
  const missNext = { bare: 0, atrium: 0 };
  const missWrapped = { bare: false, atrium: false };

  let orgTurn = 0;
  const nextOrg = () => credentials[orgTurn++ % credentials.length];
  let created = 0;

  return [
    {
      id: 'health',
      title: 'GET /health/live',
      description: 'Liveness probe: no auth, no database. The cost of the framework alone.',
      target: null,
      requests: () => [{ method: 'GET', path: '/health/live' }],
    },
    {
      id: 'get-miss',
      title: 'GET /v1/contacts/{id}, uncached',
      description:
        'A different contact on every request (random sample over all bench orgs, each with its own API key), never repeated: Atrium misses its query cache every time.',
      target: { kind: 'rps', min: 0.6, label: 'read by id, uncached' },
      requests: (server) => [
        {
          method: 'GET',
          setupRequest: (req) => {
            const pool = missPools[server];
            if (missNext[server] >= pool.length) {
              missNext[server] = 0;
              missWrapped[server] = true;
            }
            const row = pool[missNext[server]++];
            return { ...req, path: `/v1/contacts/${row.id}`, headers: { ...req.headers, ...bearer(keyOf.get(row.orgId)) } };
          },
        },
      ],
      notes: (server) => (missWrapped[server] ? { idsWrapped: true } : {}),
    },
    {
      id: 'get-hit',
      title: 'GET /v1/contacts/{id}, cached',
      description:
        'The same contact (with a company) on every request. Atrium answers from its query cache; bare reads the database every time (it has no cache): the target is that the cached read beats the uncached bare read.',
      target: { kind: 'rps', min: 1.2, label: 'read by id, cached' },
      requests: () => [{ method: 'GET', path: `/v1/contacts/${hot.id}`, headers: bearer(keyOf.get(hot.orgId)) }],
    },
    {
      id: 'list-tag',
      title: 'GET /v1/contacts?tag=vip&limit=25, uncached',
      description:
        'A page of 25 contacts tagged vip (with companies), each request for another org and from a random cursor position, so no two requests are alike and Atrium misses its response cache.',
      target: { kind: 'rps', min: 0.6, label: 'list page of 25' },
      requests: () => [
        {
          method: 'GET',
          setupRequest: (req) => {
            const org = nextOrg();
            return {
              ...req,
              path: `/v1/contacts?tag=vip&limit=25&cursor=${cursorAt(randomUUID())}`,
              headers: { ...req.headers, ...bearer(org.apiKey) },
            };
          },
        },
      ],
    },
    {
      id: 'list-tag-repeat',
      title: 'GET /v1/contacts?tag=vip&limit=25, repeated',
      description:
        'The first vip page of one org, again and again: Atrium answers from its response cache, bare runs the query. Informational (no ratio target).',
      target: null,
      requests: () => [{ method: 'GET', path: '/v1/contacts?tag=vip&limit=25', headers: bearer(credentials[0].apiKey) }],
    },
    {
      id: 'search-q',
      title: 'GET /v1/contacts?q=surname12&limit=25, uncached',
      description:
        'Search (trigram index over name and email): each request for another org and from a random cursor, so Atrium misses its response cache. Judged by the list target.',
      target: { kind: 'rps', min: 0.6, label: 'list page of 25 (search)' },
      requests: () => [
        {
          method: 'GET',
          setupRequest: (req) => {
            const org = nextOrg();
            return {
              ...req,
              path: `/v1/contacts?q=surname12&limit=25&cursor=${cursorAt(randomUUID())}`,
              headers: { ...req.headers, ...bearer(org.apiKey) },
            };
          },
        },
      ],
    },
    {
      id: 'create',
      title: 'POST /v1/contacts with Idempotency-Key',
      description:
        'Creates a small contact (name, email, one tag) with a new Idempotency-Key each time, across all orgs. Both servers claim the key and store the response in the same transaction; Atrium also bumps the org cache version in Redis.',
      target: { kind: 'rps', min: 0.5, label: 'create' },
      requests: () => [
        {
          method: 'POST',
          setupRequest: (req) => {
            const org = nextOrg();
            const n = ++created;
            return {
              ...req,
              path: '/v1/contacts',
              headers: {
                ...req.headers,
                ...bearer(org.apiKey),
                'content-type': 'application/json',
                'idempotency-key': randomUUID(),
              },
              body: JSON.stringify({
                firstName: 'Bench',
                lastName: `Load${n}`,
                email: `load-${n}@${CREATED_EMAIL_DOMAIN}`,
                tags: ['bench'],
              }),
            };
          },
        },
      ],
    },
  ];
}

/** Requests whose answers must be identical (status and JSON) on both servers before any load. */
function parityChecks(ctx) {
  const { credentials, fixtures } = ctx;
  const key = credentials.find((c) => c.orgId === fixtures.hot.orgId).apiKey;
  const any = fixtures.missIds[0];
  const anyKey = credentials.find((c) => c.orgId === any.orgId).apiKey;
  return [
    { name: 'health', path: '/health/live' },
    { name: 'contact with company', path: `/v1/contacts/${fixtures.hot.id}`, key },
    { name: 'contact (sampled)', path: `/v1/contacts/${any.id}`, key: anyKey },
    { name: 'list tag=vip', path: '/v1/contacts?tag=vip&limit=25', key },
    { name: 'list tag=vip from a cursor', path: `/v1/contacts?tag=vip&limit=25&cursor=${cursorAt(fixtures.hot.id)}`, key },
    { name: 'search q=surname12', path: '/v1/contacts?q=surname12&limit=25', key },
    { name: 'missing contact', path: `/v1/contacts/${randomUUID()}`, key, ignore: ['requestId', 'detail', 'title', 'type'] },
    {
      name: 'bad key',
      path: `/v1/contacts/${fixtures.hot.id}`,
      key: `${key.slice(0, -4)}AAAA`,
      ignore: ['requestId', 'detail', 'title', 'type'],
    },
    {
      name: 'create (shape)',
      method: 'POST',
      path: '/v1/contacts',
      key,
      body: { firstName: 'Parity', lastName: 'Check', email: `parity@${CREATED_EMAIL_DOMAIN}`, tags: ['bench'] },
      ignore: ['id', 'createdAt', 'updatedAt'],
    },
  ];
}

module.exports = { scenarios, parityChecks };
