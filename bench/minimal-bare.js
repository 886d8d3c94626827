'use strict';

/**
 * The physical reference of the small-table set (bench/README.md, "The small table"): plain
 * Fastify 5 and a `pg` Pool of 10, one parameterized statement per request and nothing else. No
 * credential check (the org is read out of the API key and trusted), no rate limit, no
 * transaction, no row-level security (it connects as the table owner and filters on `org_id`
 * itself), no ETag, no request id. What a request costs when it only moves a row from PostgreSQL
 * to the socket: the ceiling any framework is measured against.
 *
 *   GET /health/live             {"status":"ok"}
 *   GET /v1/contacts/:id         select … where c.org_id = $1 and c.id = $2
 *   GET /v1/contacts?cursor&limit select … where c.org_id = $1 [and c.id > $2] order by c.id limit n + 1
 *
 * Environment: DATABASE_URL, PORT (3002), HOST (127.0.0.1), BARE_POOL_MAX (10).
 */

const Fastify = require('fastify');
const { Pool } = require('pg');
const { UUID, parseApiKey, CONTACT_COLUMNS, CONTACT_FROM, presentContact, decodeCursor, presentPage } = require('./lib/contact-view');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.BARE_POOL_MAX || 10),
  idleTimeoutMillis: 30_000,
  application_name: 'atrium-bench-minimal-bare',
});

const problem = (reply, status, code) =>
  reply.code(status).header('content-type', 'application/problem+json').send(JSON.stringify({ status, code }));

const app = Fastify({ logger: false });

app.get('/health/live', async () => ({ status: 'ok' }));

app.get('/v1/contacts/:id', async (request, reply) => {
  const credential = parseApiKey(request.headers.authorization);
  if (!credential) return problem(reply, 401, 'INVALID_CREDENTIALS');
  const { id } = request.params;
  if (!UUID.test(id)) return problem(reply, 400, 'VALIDATION_FAILED');
  const { rows } = await pool.query(`select ${CONTACT_COLUMNS} ${CONTACT_FROM} where c.org_id = $1 and c.id = $2`, [credential.orgId, id]);
  if (!rows[0]) return problem(reply, 404, 'CONTACT_NOT_FOUND');
  return presentContact(rows[0]);
});

app.get('/v1/contacts', async (request, reply) => {
  const credential = parseApiKey(request.headers.authorization);
  if (!credential) return problem(reply, 401, 'INVALID_CREDENTIALS');
  const limit = request.query.limit === undefined ? 25 : Number(request.query.limit);
  const after = decodeCursor(request.query.cursor);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || after === null) return problem(reply, 400, 'VALIDATION_FAILED');
  const { rows } = after
    ? await pool.query(`select ${CONTACT_COLUMNS} ${CONTACT_FROM} where c.org_id = $1 and c.id > $2 order by c.id limit $3`, [
        credential.orgId,
        after,
        limit + 1,
      ])
    : await pool.query(`select ${CONTACT_COLUMNS} ${CONTACT_FROM} where c.org_id = $1 order by c.id limit $2`, [
        credential.orgId,
        limit + 1,
      ]);
  return presentPage(rows, limit);
});

app.setErrorHandler((error, request, reply) => {
  process.stderr.write(`${JSON.stringify({ level: 50, msg: 'request failed', url: request.url, err: String(error?.stack || error) })}\n`);
  return problem(reply, 500, 'INTERNAL');
});

async function shutdown() {
  await app.close();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ host: process.env.HOST || '127.0.0.1', port: Number(process.env.PORT || 3002) }).catch((error) => {
  process.stderr.write(`minimal bare server failed to start: ${error.stack}\n`);
  process.exit(1);
});
