'use strict';

/**
 * The bare reference for the benchmark: plain Fastify 5 and a `pg` Pool of 10, no framework, no
 * ORM, no cache. It does the work Atrium does for the benchmarked routes, written the plain way:
 *
 * - API keys (`atr_` + org id + secret) are checked on every request: SHA-256 of the key, looked
 *   up under the key's org, joined with its creator's membership (role) and the org's plan.
 * - Every request runs in one transaction that first sets `app.org_id` transaction-locally,
 *   connected as the runtime role `atrium_app`, so PostgreSQL row-level security applies as it
 *   does to Atrium.
 * - The same JSON: contacts as Atrium presents them, lists as `{ data, nextCursor }`, errors as
 *   problem+json; an ETag on GETs; `X-Request-Id` on every response.
 * - POST /v1/contacts claims its `Idempotency-Key` with an insert in the same transaction as the
 *   contact and stores the response there.
 *
 * Environment: DATABASE_URL, PORT (3001), HOST (127.0.0.1), BARE_POOL_MAX (10).
 */

const { createHash, randomUUID } = require('node:crypto');
const Fastify = require('fastify');
const { Pool } = require('pg');
const { v7: uuidv7 } = require('uuid');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.BARE_POOL_MAX || 10),
  idleTimeoutMillis: 30_000,
  application_name: 'atrium-bench-bare',
  statement_timeout: 15_000,
  // The same runtime role as Atrium: it owns no table, so row-level security binds it.
  options: '-c role=atrium_app',
});

// ---------------------------------------------------------------------------------------------
// Errors and responses

class HttpError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

function sendProblem(reply, status, code, detail) {
  const body = {
    type: 'about:blank',
    title: TITLES[status] || 'Error',
    status,
    detail,
    code,
    requestId: reply.getHeader('x-request-id'),
  };
  return reply.code(status).header('content-type', 'application/problem+json').send(JSON.stringify(body));
}

function etagOf(json) {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/** A GET answer: JSON with a strong ETag, 304 when the client has it. */
function sendJson(request, reply, value) {
  const json = JSON.stringify(value);
  const etag = etagOf(json);
  reply.header('etag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return reply.code(304).send();
  }
  return reply.header('content-type', 'application/json; charset=utf-8').send(json);
}

// ---------------------------------------------------------------------------------------------
// Tenancy: transaction per request, API-key check

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_KEY = /^Bearer (atr_[A-Za-z0-9_-]{65})$/;

/** The org named by an API key, or null. */
function parseApiKey(header) {
  const match = API_KEY.exec(header || '');
  if (!match) return null;
  const key = match[1];
  const hex = Buffer.from(key.slice(4, 26), 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  const orgId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { key, orgId };
}

const CONTACT_PERMISSIONS = {
  owner: ['contacts:read', 'contacts:write'],
  admin: ['contacts:read', 'contacts:write'],
  member: ['contacts:read', 'contacts:write'],
  viewer: ['contacts:read'],
  auditor: [],
};

/** Runs `work(client)` in a transaction under the org's row-level security. */
async function inOrg(orgId, work) {
  const client = await pool.connect();
  let failed = null;
  try {
    await client.query('begin');
    await client.query("select set_config('app.org_id', $1, true), set_config('app.user_id', '', true)", [orgId]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    failed = error;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed && !(failed instanceof HttpError) ? failed : undefined);
  }
}

/** Key by hash under its org, with its creator's role: 401 for a bad key, 403 without the permission. */
async function authorize(client, credential, permission) {
  const { rows } = await client.query(
    `select k.id, k.scopes, k.revoked_at, k.expires_at, k.last_used_at, m.role, o.plan
       from api_keys k
       left join memberships m on m.org_id = k.org_id and m.user_id = k.created_by_id
       join organizations o on o.id = k.org_id
      where k.org_id = $1 and k.key_hash = $2`,
    [credential.orgId, createHash('sha256').update(credential.key).digest('hex')],
  );
  const key = rows[0];
  const now = Date.now();
  if (!key || key.revoked_at || (key.expires_at && key.expires_at.getTime() <= now) || !key.role) {
    throw new HttpError(401, 'INVALID_CREDENTIALS', 'The bearer token is not valid or no longer valid.');
  }
  if (!key.scopes.includes(permission) || !CONTACT_PERMISSIONS[key.role].includes(permission)) {
    throw new HttpError(403, 'FORBIDDEN', `This needs the ${permission} permission.`);
  }
  if (!key.last_used_at || now - key.last_used_at.getTime() >= 60_000) {
    await client.query(
      `update api_keys set last_used_at = now()
        where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [key.id],
    );
  }
  return key;
}

function credentialOf(request) {
  const credential = parseApiKey(request.headers.authorization);
  if (!credential) throw new HttpError(401, 'INVALID_CREDENTIALS', 'The bearer token is not valid or no longer valid.');
  return credential;
}

// ---------------------------------------------------------------------------------------------
// Contacts

const CONTACT_COLUMNS = `c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, c.tags, c.custom_fields,
       c.version, c.created_at, c.updated_at, co.name as company_name`;

function presentContact(row) {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    companyId: row.company_id,
    company: row.company_id && row.company_name !== null ? { id: row.company_id, name: row.company_name } : null,
    tags: row.tags,
    customFields: row.custom_fields,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function decodeCursor(cursor) {
  if (cursor === undefined) return undefined;
  try {
    const position = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
    if (typeof position.id === 'string' && UUID.test(position.id)) return position.id;
  } catch {
    // below
  }
  throw new HttpError(400, 'VALIDATION_FAILED', 'cursor is not a cursor this API issued');
}

function listParams(query) {
  const limit = query.limit === undefined ? 25 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'VALIDATION_FAILED', 'limit must be 1..100');
  const q = query.q === undefined ? undefined : String(query.q).trim().toLowerCase();
  if (q !== undefined && (q.length < 3 || q.length > 100)) throw new HttpError(400, 'VALIDATION_FAILED', 'q must be 3..100 characters');
  const tag = query.tag === undefined ? undefined : String(query.tag);
  return { limit, after: decodeCursor(query.cursor), q, tag };
}

function validateCreate(body) {
  const ok =
    body &&
    typeof body === 'object' &&
    typeof body.firstName === 'string' &&
    body.firstName.trim().length >= 1 &&
    body.firstName.length <= 100 &&
    typeof body.lastName === 'string' &&
    body.lastName.trim().length >= 1 &&
    body.lastName.length <= 100 &&
    (body.email === undefined ||
      body.email === null ||
      (typeof body.email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email))) &&
    (body.phone === undefined || body.phone === null || (typeof body.phone === 'string' && /^\+[1-9]\d{6,14}$/.test(body.phone))) &&
    (body.companyId === undefined || body.companyId === null || (typeof body.companyId === 'string' && UUID.test(body.companyId))) &&
    (body.tags === undefined || (Array.isArray(body.tags) && body.tags.every((t) => typeof t === 'string' && t.length <= 50))) &&
    (body.customFields === undefined || (typeof body.customFields === 'object' && !Array.isArray(body.customFields)));
  if (!ok) throw new HttpError(400, 'VALIDATION_FAILED', 'The request body is not a valid contact.');
}

/** JSON with sorted keys: the same body always hashes the same. */
function sortedJson(value) {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------
// Server

const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

app.addHook('onRequest', (request, reply, done) => {
  const sent = request.headers['x-request-id'];
  reply.header('x-request-id', typeof sent === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(sent) ? sent : randomUUID());
  done();
});

app.setErrorHandler((error, request, reply) => {
  if (error instanceof HttpError) return sendProblem(reply, error.status, error.code, error.message);
  if (error.statusCode && error.statusCode < 500) return sendProblem(reply, error.statusCode, 'BAD_REQUEST', 'The request is malformed.');
  process.stderr.write(`${JSON.stringify({ level: 50, msg: 'request failed', url: request.url, err: String(error?.stack || error) })}\n`);
  return sendProblem(reply, 500, 'INTERNAL', 'Something failed on our side.');
});

app.get('/health/live', async () => ({ status: 'ok' }));

app.get('/v1/contacts/:id', async (request, reply) => {
  const credential = credentialOf(request);
  const { id } = request.params;
  if (!UUID.test(id)) throw new HttpError(400, 'VALIDATION_FAILED', 'id must be a UUID');
  const row = await inOrg(credential.orgId, async (client) => {
    await authorize(client, credential, 'contacts:read');
    const { rows } = await client.query(
      `select ${CONTACT_COLUMNS}
         from contacts c
         left join companies co on co.id = c.company_id and co.org_id = $1
        where c.org_id = $1 and c.id = $2`,
      [credential.orgId, id],
    );
    return rows[0];
  });
  if (!row) throw new HttpError(404, 'CONTACT_NOT_FOUND', 'No contact with this id.');
  return sendJson(request, reply, presentContact(row));
});

app.get('/v1/contacts', async (request, reply) => {
  const credential = credentialOf(request);
  const { limit, after, q, tag } = listParams(request.query);
  const params = [credential.orgId];
  const where = ['c.org_id = $1'];
  if (after) where.push(`c.id > $${params.push(after)}`);
  if (tag !== undefined) where.push(`c.tags @> array[$${params.push(tag)}]::text[]`);
  if (q !== undefined) where.push(`c.search_text like $${params.push(`%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)}`);
  const rows = await inOrg(credential.orgId, async (client) => {
    await authorize(client, credential, 'contacts:read');
    const result = await client.query(
      `select ${CONTACT_COLUMNS}
         from contacts c
         left join companies co on co.id = c.company_id and co.org_id = $1
        where ${where.join(' and ')}
        order by c.id
        limit $${params.push(limit + 1)}`,
      params,
    );
    return result.rows;
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify({ id: last.id })).toString('base64url') : null;
  return sendJson(request, reply, { data: page.map(presentContact), nextCursor });
});

app.post('/v1/contacts', async (request, reply) => {
  const credential = credentialOf(request);
  const body = request.body;
  validateCreate(body);
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey))) {
    throw new HttpError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  const requestHash = createHash('sha256')
    .update(`POST /v1/contacts\n${sortedJson(body)}`)
    .digest('hex');

  const outcome = await inOrg(credential.orgId, async (client) => {
    await authorize(client, credential, 'contacts:write');
    let claimId = null;
    if (idempotencyKey !== undefined) {
      const claim = await client.query(
        `insert into idempotency_records (id, org_id, key, request_hash, status_code, expires_at)
         values ($1, $2, $3, $4, 0, now() + interval '24 hours')
         on conflict (org_id, key) do update
           set id = excluded.id, request_hash = excluded.request_hash, status_code = 0, response_body = null,
               response_headers = '{}', created_at = now(), expires_at = excluded.expires_at
           where idempotency_records.expires_at <= now()
         returning id`,
        [uuidv7(), credential.orgId, idempotencyKey, requestHash],
      );
      if (claim.rows.length === 0) {
        const { rows } = await client.query(
          'select request_hash, status_code, response_body from idempotency_records where org_id = $1 and key = $2',
          [credential.orgId, idempotencyKey],
        );
        if (rows[0].request_hash !== requestHash) {
          throw new HttpError(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used with a different request in the last 24 hours.',
          );
        }
        return { status: rows[0].status_code, view: rows[0].response_body, replayed: true };
      }
      claimId = claim.rows[0].id;
    }
    let companyName = null;
    if (body.companyId) {
      const company = await client.query('select name from companies where org_id = $1 and id = $2', [credential.orgId, body.companyId]);
      if (company.rows.length === 0) throw new HttpError(400, 'VALIDATION_FAILED', 'companyId: no such company');
      companyName = company.rows[0].name;
    }
    const { rows } = await client.query(
      `insert into contacts (id, org_id, first_name, last_name, email, phone, company_id, tags, custom_fields)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       returning id, first_name, last_name, email, phone, company_id, tags, custom_fields, version, created_at, updated_at`,
      [
        uuidv7(),
        credential.orgId,
        body.firstName.trim(),
        body.lastName.trim(),
        body.email ? body.email.trim().toLowerCase() : null,
        body.phone ?? null,
        body.companyId ?? null,
        body.tags ?? [],
        JSON.stringify(body.customFields ?? {}),
      ],
    );
    const view = presentContact({ ...rows[0], company_name: companyName });
    if (claimId) {
      await client.query(`update idempotency_records set status_code = 201, response_body = $2, response_headers = '{}' where id = $1`, [
        claimId,
        JSON.stringify(view),
      ]);
    }
    return { status: 201, view, replayed: false };
  });
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(outcome.view));
});

async function shutdown() {
  await app.close();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ host: process.env.HOST || '127.0.0.1', port: Number(process.env.PORT || 3001) }).catch((error) => {
  process.stderr.write(`bare server failed to start: ${error.stack}\n`);
  process.exit(1);
});
