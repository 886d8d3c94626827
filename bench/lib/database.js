'use strict';

const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');

/** Contacts the create scenario writes carry this email domain, so every run can remove them first. */
const CREATED_EMAIL_DOMAIN = 'bench-created.example';

function adminUrl(databaseUrl) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

async function withClient(url, work) {
  const client = new Client({ connectionString: url, application_name: 'atrium-bench-harness' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(config) {
  return withClient(adminUrl(config.databaseUrl), async (db) => {
    const { rowCount } = await db.query('select 1 from pg_database where datname = $1', [config.databaseName]);
    return rowCount > 0;
  });
}

async function createDatabase(config, { dropFirst }) {
  await withClient(adminUrl(config.databaseUrl), async (db) => {
    // The name was checked against ^[A-Za-z0-9_]+$ and must contain "bench" (config.js).
    if (dropFirst) await db.query(`drop database if exists "${config.databaseName}" with (force)`);
    await db.query(`create database "${config.databaseName}"`);
  });
}

/** Drops and creates the database a one-off bench uses; its name must contain "bench". */
async function recreateBenchDatabase(databaseUrl) {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^[a-z0-9_]*bench[a-z0-9_]*$/.test(name)) throw new Error(`the database name must contain "bench": ${name}`);
  await withClient(adminUrl(databaseUrl), async (db) => {
    await db.query(`drop database if exists "${name}" with (force)`);
    await db.query(`create database "${name}"`);
  });
}

/** Runs a child process with its output prefixed on ours; rejects on a non-zero exit. */
function runStep(label, command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const forward = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) {
        // The seed logs every API call it makes; the per-org progress lines are enough.
        if (line.trim() && !line.includes('"context":"Http"')) process.stdout.write(`  [${label}] ${line.slice(0, 300)}\n`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

function childEnv(extra) {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

async function migrate(config) {
  await runStep('migrate', process.execPath, [path.join(config.projectDir, 'dist/src/database/cli.js'), 'up'], {
    cwd: config.projectDir,
    env: childEnv({ NODE_ENV: 'production', DATABASE_URL: config.databaseUrl, LOG_LEVEL: 'warn' }),
  });
}

function stateFile(config) {
  return path.join(config.stateDir, `credentials-${config.databaseName}.json`);
}

function readState(config) {
  try {
    return JSON.parse(fs.readFileSync(stateFile(config), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Back to the seeded rows: the create scenario's contacts and every idempotency record go. Those
 * contacts never get activities, so the foreign-key triggers are skipped where we may: with them,
 * each deleted contact costs a sequential scan of all activities (no index on contact_id alone).
 */
async function cleanUp(db) {
  const { rows } = await db.query('select rolsuper from pg_roles where rolname = current_user');
  await db.query('begin');
  try {
    if (rows[0]?.rolsuper) await db.query('set local session_replication_role = replica');
    await db.query(`delete from contacts where email like $1`, [`%@${CREATED_EMAIL_DOMAIN}`]);
    await db.query('delete from idempotency_records');
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/** Does the database hold exactly the data set the state file describes, with working keys? */
async function isSeeded(config, state) {
  if (!state || state.orgs !== config.orgs || state.contactsPerOrg !== config.contactsPerOrg) return false;
  if (!Array.isArray(state.credentials) || state.credentials.length !== config.orgs) return false;
  return withClient(config.databaseUrl, async (db) => {
    const tables = await db.query(`select to_regclass('public.contacts') as t`);
    if (!tables.rows[0].t) return false;
    await cleanUp(db);
    const hashes = state.credentials.map((c) => createHash('sha256').update(c.apiKey).digest('hex'));
    const keys = await db.query('select count(*)::int as n from api_keys where key_hash = any($1) and revoked_at is null', [hashes]);
    if (keys.rows[0].n !== config.orgs) return false;
    const contacts = await db.query('select count(*)::int as n from contacts where org_id = any($1)', [
      state.credentials.map((c) => c.orgId),
    ]);
    return contacts.rows[0].n === config.orgs * config.contactsPerOrg;
  });
}

/**
 * The dedicated bench database, migrated and seeded with `orgs` × `contactsPerOrg` (unless it
 * already is), bench orgs on the enterprise plan. Returns the credentials ({orgId, apiKey}[]).
 */
async function prepareDatabase(config, log) {
  fs.mkdirSync(config.stateDir, { recursive: true });
  const exists = await databaseExists(config);
  if (!exists) {
    log(`creating database ${config.databaseName}`);
    await createDatabase(config, { dropFirst: false });
  }
  log('applying migrations');
  await migrate(config);

  let state = config.reseed ? null : readState(config);
  if (!(await isSeeded(config, state))) {
    if (exists) {
      log(`database ${config.databaseName} does not hold the requested data set: recreating it`);
      await createDatabase(config, { dropFirst: true });
      await migrate(config);
    }
    state = await seed(config, log);
  } else {
    log(`database ${config.databaseName} already seeded (${config.orgs} orgs x ${config.contactsPerOrg} contacts)`);
  }
  await withClient(config.databaseUrl, async (db) => {
    await db.query(`update organizations set plan = 'enterprise' where id = any($1) and plan <> 'enterprise'`, [
      state.credentials.map((c) => c.orgId),
    ]);
  });
  return state.credentials;
}

async function seed(config, log) {
  const started = Date.now();
  log(`seeding ${config.orgs} orgs x ${config.contactsPerOrg} contacts (this can take minutes)`);
  // The seed CLI writes .data/bench-credentials.json under its working directory: give it one of
  // ours, so the project's .data is left alone and the keys stay next to this database's state.
  const workDir = path.join(config.stateDir, `seed-${config.databaseName}`);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  await runStep(
    'seed',
    process.execPath,
    [
      path.join(config.projectDir, 'dist/src/database/seed/cli.js'),
      'bench',
      '--orgs',
      String(config.orgs),
      '--contacts',
      String(config.contactsPerOrg),
    ],
    {
      cwd: workDir,
      env: childEnv({
        NODE_ENV: 'production',
        DATABASE_URL: config.databaseUrl,
        LOG_LEVEL: 'warn',
        // Every sign-up comes from the same in-process address: the auth limits would stop the seed.
        AUTH_RATE_LIMIT_PER_IP: '100000',
        AUTH_RATE_LIMIT_PER_EMAIL: '100000',
        RATE_LIMIT_FREE: '1000000',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      }),
    },
  );
  const credentials = JSON.parse(fs.readFileSync(path.join(workDir, '.data', 'bench-credentials.json'), 'utf8'));
  fs.rmSync(workDir, { recursive: true, force: true });
  const state = {
    database: config.databaseName,
    orgs: config.orgs,
    contactsPerOrg: config.contactsPerOrg,
    seededAt: new Date().toISOString(),
    seedSeconds: Math.round((Date.now() - started) / 1000),
    credentials,
  };
  fs.writeFileSync(stateFile(config), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  log(`seeded in ${state.seedSeconds} s; credentials in ${path.relative(config.projectDir, stateFile(config))}`);
  return state;
}

/** What the scenarios need from the data: random contact ids (with their org) and one contact with a company. */
async function loadFixtures(config, credentials) {
  return withClient(config.databaseUrl, async (db) => {
    await cleanUp(db);
    await db.query('analyze contacts; analyze idempotency_records');
    const orgIds = credentials.map((c) => c.orgId);
    // A fixed seed makes the sample (and so the work) the same from run to run.
    await db.query('select setseed(0.42)');
    const sample = await db.query(`select org_id, id from contacts where org_id = any($1) order by random() limit $2`, [
      orgIds,
      config.missIds,
    ]);
    const hot = await db.query(`select org_id, id from contacts where org_id = $1 and company_id is not null order by id limit 1`, [
      orgIds[0],
    ]);
    const version = await db.query('select version() as v, current_setting($1) as sb', ['shared_buffers']);
    const size = await db.query('select pg_size_pretty(pg_database_size(current_database())) as s');
    return {
      missIds: sample.rows.map((r) => ({ orgId: r.org_id, id: r.id })),
      hot: hot.rows[0] ? { orgId: hot.rows[0].org_id, id: hot.rows[0].id } : null,
      postgres: version.rows[0].v,
      sharedBuffers: version.rows[0].sb,
      databaseSize: size.rows[0].s,
    };
  });
}

/** A fixed shuffle (a small LCG seeded with `seed`), so the order of requests is the same from run to run. */
function shuffled(values, seed = 42) {
  const out = values.slice();
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * What the small-table set needs from its org: every contact id in a fixed random order (the
 * uncached reads walk it round and round, so an id comes back only after all the others), one
 * contact with a company (the cached read), and the list cursors (every id but the last 25, in
 * the same order, so every page is full).
 */
async function loadSmallFixtures(databaseUrl, orgId) {
  return withClient(databaseUrl, async (db) => {
    await cleanUp(db);
    await db.query('analyze contacts');
    const { rows } = await db.query('select id, company_id from contacts where org_id = $1 order by id', [orgId]);
    const hot = rows.find((r) => r.company_id !== null);
    const version = await db.query('select version() as v, current_setting($1) as sb', ['shared_buffers']);
    const size = await db.query('select pg_size_pretty(pg_database_size(current_database())) as s');
    return {
      contacts: rows.length,
      ids: shuffled(rows.map((r) => r.id)),
      cursorIds: shuffled(
        rows.slice(0, Math.max(0, rows.length - 25)).map((r) => r.id),
        7,
      ),
      hot: hot ? hot.id : null,
      postgres: version.rows[0].v,
      sharedBuffers: version.rows[0].sb,
      databaseSize: size.rows[0].s,
    };
  });
}

module.exports = { prepareDatabase, loadFixtures, loadSmallFixtures, withClient, recreateBenchDatabase, CREATED_EMAIL_DOMAIN };
