'use strict';

/**
 * The honest reference of the small-table set (bench/README.md, "The small table"): the minimum of
 * what Atrium does on `GET /v1/contacts/{id}`, written by hand on plain Fastify 5, `pg` (Pool of 10)
 * and `@redis/client`. Per request:
 *
 * - an `X-Request-Id` (the client's if sane, else a random UUID) on the response;
 * - the API key checked as Atrium checks it: SHA-256 of the token, looked up under its own org
 *   (the same join of the key with its creator's membership and the org's plan), revocation,
 *   expiry, membership and the `contacts:read` scope checked, `last_used_at` written at most once
 *   a minute; a successful resolution kept in memory for 1 s (as Atrium's near cache keeps it),
 *   concurrent misses of one key sharing one lookup;
 * - ONE rate-limit `EVAL` in Redis per request (Atrium's fixed-window script, per API key), with
 *   the `RateLimit-*` headers, 429 when blocked;
 * - the org set for row-level security the way Atrium sets it for a read: one simple-protocol
 *   message holding `select set_config('role', …), set_config('statement_timeout', …),
 *   set_config('app.org_id', …), set_config('app.user_id', …)` and the statement, which PostgreSQL
 *   runs as one implicit transaction (values inlined: every one is a checked UUID or hex digest);
 * - the row as Atrium's `ContactView`, with a strong ETag (SHA-256 of the body) and 304 for a
 *   matching `If-None-Match`; problem+json errors with Atrium's codes.
 *
 * It has no cache of rows: the query cache is the one Atrium feature it leaves out, so that
 * Atrium's uncached read is compared with the same work done by hand.
 *
 * Environment: DATABASE_URL, REDIS_URL, PORT (3003), HOST (127.0.0.1), BARE_POOL_MAX (10),
 * RATE_LIMIT_ENTERPRISE (per key per minute, 1,000,000 here as in the bench's Atrium).
 */

const { createHash, randomUUID } = require('node:crypto');
const Fastify = require('fastify');
const { Pool } = require('pg');
const { createClient } = require('@redis/client');
const { UUID, parseApiKey, CONTACT_COLUMNS, CONTACT_FROM, presentContact } = require('./lib/contact-view');

const RUNTIME_ROLE = 'atrium_app';
const STATEMENT_TIMEOUT = '15000ms';
const CREDENTIAL_FRESH_MS = 1_000;
const CREDENTIAL_CACHE_MAX = 10_000;
const LAST_USED_INTERVAL_MS = 60_000;
const RATE_WINDOW_MS = 60_000;
const RATE_LIMIT = Number(process.env.RATE_LIMIT_ENTERPRISE || 1_000_000);
const RATE_BLOCK_MS = RATE_WINDOW_MS;

/** Atrium's fixed-window counter (src/caching/rate-limit/redis-throttler.storage.ts): [hits, msToWindowEnd, blocked, msToUnblock]. */
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}`;

const ROLE_PERMITS_READ = new Set(['owner', 'admin', 'member', 'viewer']);

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.BARE_POOL_MAX || 10),
  idleTimeoutMillis: 30_000,
  application_name: 'atrium-bench-parity-bare',
});

const redis = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' });
redis.on('error', (error) => process.stderr.write(`${JSON.stringify({ level: 50, msg: 'redis', err: String(error) })}\n`));

class HttpError extends Error {
  constructor(status, code, detail, headers = {}) {
    super(detail);
    Object.assign(this, { status, code, headers });
  }
}

const TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** The transaction-local scope Atrium sets before a tenant statement (tenant-database.ts, SET_SCOPE), for one org. */
const scope = (orgId) =>
  `select set_config('role', '${RUNTIME_ROLE}', true), set_config('statement_timeout', '${STATEMENT_TIMEOUT}', true), ` +
  `set_config('app.org_id', '${orgId}', true), set_config('app.user_id', '', true); `;

/** One message: the scope, then `statement`; PostgreSQL runs both as one implicit transaction. Returns the statement's rows. */
async function readAs(orgId, statement) {
  const results = await pool.query(scope(orgId) + statement);
  return results[1].rows;
}

// ---------------------------------------------------------------------------------------------
// Credentials, cached 1 s

const credentials = new Map(); // hash → { until, key }
const loading = new Map(); // hash → Promise<key | null>

async function lookUp(orgId, hash) {
  const [key] = await readAs(
    orgId,
    `select k.id, k.scopes, k.revoked_at, k.expires_at, k.last_used_at, k.created_by_id, m.role, o.plan
       from api_keys k
       left join memberships m on m.org_id = k.org_id and m.user_id = k.created_by_id
       join organizations o on o.id = k.org_id
      where k.org_id = '${orgId}' and k.key_hash = '${hash}'`,
  );
  const now = Date.now();
  if (!key || key.revoked_at || (key.expires_at && key.expires_at.getTime() <= now) || !key.role) return null;
  if (!key.last_used_at || now - key.last_used_at.getTime() >= LAST_USED_INTERVAL_MS) {
    await readAs(
      orgId,
      `update api_keys set last_used_at = now()
        where org_id = '${orgId}' and id = '${key.id}' and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    );
  }
  return { id: key.id, orgId, canRead: key.scopes.includes('contacts:read') && ROLE_PERMITS_READ.has(key.role) };
}

async function authenticate(header) {
  const credential = parseApiKey(header);
  if (!credential) throw new HttpError(401, 'INVALID_CREDENTIALS', 'The bearer token is not valid or no longer valid.');
  const hash = createHash('sha256').update(credential.key).digest('hex');
  const cached = credentials.get(hash);
  let key;
  if (cached && cached.until > Date.now()) {
    key = cached.key;
  } else {
    let pending = loading.get(hash);
    if (!pending) {
      pending = lookUp(credential.orgId, hash).finally(() => loading.delete(hash));
      loading.set(hash, pending);
    }
    key = await pending;
    if (key) {
      if (credentials.size >= CREDENTIAL_CACHE_MAX) credentials.clear();
      credentials.set(hash, { until: Date.now() + CREDENTIAL_FRESH_MS, key });
    }
  }
  if (!key) throw new HttpError(401, 'INVALID_CREDENTIALS', 'The bearer token is not valid or no longer valid.');
  return key;
}

// ---------------------------------------------------------------------------------------------
// Rate limit: one EVAL

async function rateLimit(key, reply) {
  const counter = `rate:{principal:api_key:${key.id}}`;
  const [hits, windowMs, blocked, blockMs] = await redis.eval(INCREMENT, {
    keys: [counter, `${counter}:blocked`],
    arguments: [String(RATE_WINDOW_MS), String(RATE_LIMIT), String(RATE_BLOCK_MS)],
  });
  const seconds = (ms) => Math.max(1, Math.ceil(ms / 1000));
  reply
    .header('ratelimit-limit', RATE_LIMIT)
    .header('ratelimit-remaining', blocked === 1 ? 0 : Math.max(0, RATE_LIMIT - hits))
    .header('ratelimit-reset', seconds(blocked === 1 ? blockMs : windowMs));
  if (blocked === 1) {
    throw new HttpError(429, 'RATE_LIMITED', `Too many requests; retry in ${seconds(blockMs)} s.`, {
      'retry-after': String(seconds(blockMs)),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Server

const app = Fastify({ logger: false });

app.addHook('onRequest', (request, reply, done) => {
  const sent = request.headers['x-request-id'];
  reply.header('x-request-id', typeof sent === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(sent) ? sent : randomUUID());
  done();
});

app.setErrorHandler((error, request, reply) => {
  const known = error instanceof HttpError;
  if (!known) {
    process.stderr.write(`${JSON.stringify({ level: 50, msg: 'request failed', url: request.url, err: String(error?.stack || error) })}\n`);
  }
  const status = known ? error.status : 500;
  const body = {
    type: 'about:blank',
    title: TITLES[status] || 'Error',
    status,
    detail: known ? error.message : 'Something failed on our side.',
    code: known ? error.code : 'INTERNAL',
    requestId: reply.getHeader('x-request-id'),
  };
  if (known) for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(status).header('content-type', 'application/problem+json').send(JSON.stringify(body));
});

app.get('/health/live', async () => ({ status: 'ok' }));

app.get('/v1/contacts/:id', async (request, reply) => {
  const key = await authenticate(request.headers.authorization);
  if (!key.canRead) throw new HttpError(403, 'FORBIDDEN', 'This needs the contacts:read permission.');
  await rateLimit(key, reply);
  const { id } = request.params;
  if (!UUID.test(id)) throw new HttpError(400, 'VALIDATION_FAILED', 'id must be a UUID');
  const [row] = await readAs(key.orgId, `select ${CONTACT_COLUMNS} ${CONTACT_FROM} where c.org_id = '${key.orgId}' and c.id = '${id}'`);
  if (!row) throw new HttpError(404, 'CONTACT_NOT_FOUND', 'No contact with this id.');
  const json = JSON.stringify(presentContact(row));
  const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  reply.header('etag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
  return reply.header('content-type', 'application/json; charset=utf-8').send(json);
});

async function shutdown() {
  await app.close();
  await pool.end();
  await redis.close().catch(() => redis.destroy());
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

redis
  .connect()
  .then(() => app.listen({ host: process.env.HOST || '127.0.0.1', port: Number(process.env.PORT || 3003) }))
  .catch((error) => {
    process.stderr.write(`parity bare server failed to start: ${error.stack}\n`);
    process.exit(1);
  });
