#!/usr/bin/env node
'use strict';

/**
 * What verifying a long audit chain costs (bench/README.md, "Audit verification at 1M events"):
 * one org's chain bulk-seeded with a valid hash chain, then
 *   - GET /v1/audit-events/verify before any checkpoint (it recomputes the whole chain),
 *   - the audit-checkpoint job (verifies what it adds, then signs),
 *   - GET /v1/audit-events/verify after the checkpoint, with a few events appended since,
 *   - a full verification (POST /v1/audit-events/verifications) to the end.
 *
 *   npm run build && node bench/audit-verify.js            (1,000,000 events)
 *   BENCH_AUDIT_EVENTS=20000 node bench/audit-verify.js    (a quick run)
 *
 * It needs the local PostgreSQL (superuser postgres) and Redis, and uses its own database,
 * atrium_bench_audit (dropped and created again each run).
 */

const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');
const { recreateBenchDatabase } = require('./lib/database');
const { atriumServer, freePort } = require('./lib/servers');

const PROJECT_DIR = path.join(__dirname, '..');
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS || 1_000_000);
const DATABASE_URL = process.env.BENCH_AUDIT_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/atrium_bench_audit';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/3';
const INSERT_BATCH = 10_000;
const { chainHash } = require(path.join(PROJECT_DIR, 'dist/src/compliance/audit/audit-chain.js'));

const log = (message) => process.stdout.write(`[audit-bench] ${message}\n`);
const seconds = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function run(label, args, env = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: PROJECT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', DATABASE_URL, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr || result.stdout}`);
  return { ms: performance.now() - started, stdout: result.stdout };
}

async function recreateDatabase() {
  await recreateBenchDatabase(DATABASE_URL);
  run('migrate', ['dist/src/database/cli.js', 'up']);
}

/** Appends `count` events to the org's chain as the table owner, hashed exactly as Atrium hashes them. */
async function seedChain(db, orgId, count) {
  const { rows } = await db.query('select last_seq::bigint as seq, last_hash from audit_chain_heads where org_id = $1', [orgId]);
  let seq = Number(rows[0].seq);
  let prevHash = rows[0].last_hash;
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  for (let done = 0; done < count; ) {
    const size = Math.min(INSERT_BATCH, count - done);
    const cols = { seq: [], id: [], at: [], prev: [], hash: [] };
    for (let i = 0; i < size; i += 1) {
      seq += 1;
      const event = {
        id: randomUUID(),
        orgId,
        seq,
        occurredAt: new Date(base + seq),
        actor: { type: 'system', id: 'bench' },
        action: 'bench.event',
        target: null,
        outcome: 'success',
        requestId: null,
        ip: null,
        changedFields: [],
        details: {},
      };
      const hash = chainHash(prevHash, event);
      cols.seq.push(seq);
      cols.id.push(event.id);
      cols.at.push(event.occurredAt.toISOString());
      cols.prev.push(prevHash);
      cols.hash.push(hash);
      prevHash = hash;
    }
    await db.query(
      `insert into audit_events (org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
         request_id, ip, changed_fields, details, prev_hash, hash)
       select $1, s, i, a, 'system', 'bench', 'bench.event', null, null, 'success', null, null, '{}', '{}', p, h
       from unnest($2::bigint[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[]) as t(s, i, a, p, h)`,
      [orgId, cols.seq, cols.id, cols.at, cols.prev, cols.hash],
    );
    done += size;
    if (done % 100_000 === 0 || done === count) log(`seeded ${done.toLocaleString('en')} events`);
  }
  await db.query('update audit_chain_heads set last_seq = $2, last_hash = $3 where org_id = $1', [orgId, seq, prevHash]);
  return seq;
}

async function main() {
  for (const file of ['dist/src/main.js', 'dist/src/platform/jobs/cli.js']) {
    require('node:fs').accessSync(path.join(PROJECT_DIR, file));
  }
  log(`${EVENTS.toLocaleString('en')} events, database ${new URL(DATABASE_URL).pathname.slice(1)}`);
  await recreateDatabase();
  const server = atriumServer(
    { atriumNodeOptions: [], projectDir: PROJECT_DIR, stateDir: path.join(__dirname, '.state'), mode: 'audit', databaseUrl: DATABASE_URL, redisUrl: REDIS_URL },
    await freePort(),
  );
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  await server.start();
  try {
    const api = async (method, url, token, body) => {
      const response = await fetch(`${server.url}${url}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json();
      if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const timed = async (work) => {
      const started = performance.now();
      const value = await work();
      return { ms: performance.now() - started, value };
    };
    const signup = await api('POST', '/v1/auth/signup', undefined, {
      email: `audit-bench-${Date.now()}@example.test`,
      password: 'plenty of entropy in here 42',
      name: 'Audit Bench',
      organizationName: 'Audit Bench',
    });
    const token = signup.token;
    const orgId = signup.organization.id;

    const seedStarted = performance.now();
    const head = await seedChain(db, orgId, EVENTS);
    log(`chain seeded to seq ${head.toLocaleString('en')} in ${seconds(performance.now() - seedStarted)}`);
    // What autovacuum does to a table this size soon after: the visibility map lets counts read the index alone.
    await db.query('vacuum analyze audit_events');

    const before = await timed(() => api('GET', '/v1/audit-events/verify', token));
    log(`verify, no checkpoint: ${seconds(before.ms)} (checked ${before.value.checked.toLocaleString('en')}, valid ${before.value.valid})`);

    const checkpoint = run('audit-checkpoint job', ['dist/src/platform/jobs/cli.js', 'audit-checkpoint'], { REDIS_URL });
    log(`audit-checkpoint job (verifies ${head.toLocaleString('en')} events, then signs): ${seconds(checkpoint.ms)} including process start-up`);

    for (let i = 0; i < 20; i += 1) await api('POST', '/v1/contacts', token, { firstName: `After${i}`, lastName: 'Checkpoint' });
    const after = [];
    for (let i = 0; i < 5; i += 1) after.push(await timed(() => api('GET', '/v1/audit-events/verify', token)));
    const sorted = after.map((t) => t.ms).sort((a, b) => a - b);
    const last = after[after.length - 1].value;
    log(
      `verify after the checkpoint, 20 writes since: median ${seconds(sorted[2])} of 5 (min ${seconds(sorted[0])}, max ${seconds(sorted[4])}); ` +
        `checked ${last.checked}, checkpointedThrough ${last.checkpointedThrough.toLocaleString('en')}, valid ${last.valid}`,
    );

    const full = await timed(async () => {
      const created = await api('POST', '/v1/audit-events/verifications', token);
      for (;;) {
        const state = await api('GET', `/v1/audit-events/verifications/${created.id}`, token);
        if (state.status === 'succeeded' || state.status === 'failed') return state;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    log(
      `full verification: ${seconds(full.ms)} (${full.value.status}, checked ${full.value.progress.checked.toLocaleString('en')}, ` +
        `valid ${full.value.outcome?.valid}, signed by ${full.value.signature?.keyId})`,
    );
  } finally {
    await db.end();
    await server.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`[audit-bench] FAILED: ${error.stack || error}\n`);
  process.exit(1);
});
