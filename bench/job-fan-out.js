#!/usr/bin/env node
'use strict';

/**
 * What spreading per-organization job work over instances buys (bench/README.md, "Jobs over
 * 2,000 organizations"): the scale seed at BENCH_JOB_ORGS organizations, then the evidence and
 * monthly-reports jobs run by `npm run job` (one instance working the queue), and again with a
 * second instance (`node dist/src/main.js`) working the same queue. Each run is checked to have
 * done every organization exactly once (its job_run_items, its audit events or reports).
 *
 *   npm run bench:jobs                          (2,000 organizations)
 *   BENCH_JOB_ORGS=100 node bench/job-fan-out.js   (a quick run, after npm run build)
 *   BENCH_JOB_REUSE=1 node bench/job-fan-out.js    (keeps the seeded database if it has the orgs)
 *   BENCH_JOB_CONCURRENCY=1 …                      (JOB_QUEUE_CONCURRENCY of each instance; default 2)
 *
 * It needs the local PostgreSQL (superuser postgres) and Redis, and uses its own database,
 * atrium_bench_jobs (dropped and created again each run). Both instances run with the production
 * defaults (JOB_QUEUE_CONCURRENCY=2 each).
 */

const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');
const { recreateBenchDatabase } = require('./lib/database');
const { atriumServer, freePort, machineInfo } = require('./lib/servers');

const PROJECT_DIR = path.join(__dirname, '..');
const ORGS = Number(process.env.BENCH_JOB_ORGS || 2_000);
const CONTACTS = Number(process.env.BENCH_JOB_CONTACTS || 20);
const DATABASE_URL = process.env.BENCH_JOBS_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/atrium_bench_jobs';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/4';
const CONCURRENCY = process.env.BENCH_JOB_CONCURRENCY || '2';
const ENV = { NODE_ENV: 'production', DATABASE_URL, REDIS_URL, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', JOB_QUEUE_CONCURRENCY: CONCURRENCY };

const log = (message) => process.stdout.write(`[jobs-bench] ${message}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function run(label, args) {
  const result = spawnSync(process.execPath, args, {
    cwd: PROJECT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ENV },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** How many organizations the bench database holds; 0 when it does not exist. */
async function seededOrganizations() {
  const db = new Client({ connectionString: DATABASE_URL });
  try {
    await db.connect();
    return Number((await db.query('select count(*) from organizations')).rows[0].count);
  } catch {
    return 0;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** The machine's CPU time so far (/proc/stat, all cores): busy and total jiffies. */
function cpuTimes() {
  const fields = require('node:fs').readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + (fields[4] || 0);
  return { busy: total - idle, total };
}

/** Runs the job through the CLI (an instance of its own, working the queue) and reads its run record. */
function runJob(job) {
  const line = run(job, ['dist/src/compliance/jobs/cli.js', job])
    .split('\n')
    .find((text) => text.startsWith('{"job"'));
  const result = JSON.parse(line);
  if (result.status !== 'succeeded') throw new Error(`${job}: ${JSON.stringify(result)}`);
  return result;
}

/** Every organization done exactly once by the run: its items, and the work's own records. */
async function checkOnce(db, job, runId) {
  const items = (
    await db.query(
      `select count(*) filter (where state = 'done') as done, count(*) as total, count(distinct instance) as instances,
              sum(attempts) as attempts from job_run_items where run_id = $1`,
      [runId],
    )
  ).rows[0];
  const effects =
    job === 'evidence'
      ? `select count(*) as wrong from organizations o
         where (select count(*) from audit_events e where e.org_id = o.id and e.action = 'evidence.collect' and e.target_id = $1::text) <> 1`
      : `select count(*) as wrong from organizations o
         where (select count(*) from compliance_reports r where r.org_id = o.id and r.kind = 'monthly' and r.status = 'ready') <> 1`;
  const wrong = Number((await db.query(effects, job === 'evidence' ? [runId] : [])).rows[0].wrong);
  const once = Number(items.done) === ORGS && Number(items.total) === ORGS && wrong === 0;
  return { once, instances: Number(items.instances), attempts: Number(items.attempts), wrong };
}

async function measure(db, job) {
  if (job === 'monthly-reports') await db.query(`delete from compliance_reports where kind = 'monthly'`);
  const before = cpuTimes();
  const result = runJob(job);
  const after = cpuTimes();
  // Includes the CLI's start-up and whatever else the machine ran meanwhile.
  const busy = Math.round((100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total));
  const check = await checkOnce(db, job, result.runId);
  log(
    `${job}: ${seconds(result.durationMs)}, exactly once: ${check.once}, instances ${check.instances}, attempts ${check.attempts}, machine CPU busy ${busy}%`,
  );
  if (!check.once) throw new Error(`${job} did not do every organization exactly once: ${JSON.stringify(check)}`);
  return { ms: result.durationMs, busy, ...check };
}

async function main() {
  for (const file of ['dist/src/main.js', 'dist/src/compliance/jobs/cli.js', 'dist/src/database/seed/cli.js']) {
    require('node:fs').accessSync(path.join(PROJECT_DIR, file));
  }
  log(`${ORGS.toLocaleString('en')} organizations × ${CONTACTS} contacts, JOB_QUEUE_CONCURRENCY=${CONCURRENCY} per instance, database ${new URL(DATABASE_URL).pathname.slice(1)}`);
  if (process.env.BENCH_JOB_REUSE && (await seededOrganizations()) === ORGS) {
    log('reusing the seeded database');
    run('migrate', ['dist/src/database/cli.js', 'up']);
  } else {
    await recreateBenchDatabase(DATABASE_URL);
    const seedStarted = performance.now();
    run('seed', ['dist/src/database/seed/cli.js', 'bench', '--orgs', String(ORGS), '--contacts', String(CONTACTS)]);
    log(`seeded in ${seconds(performance.now() - seedStarted)}`);
  }
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const results = {};
  try {
    for (const job of ['evidence', 'monthly-reports']) results[job] = { one: await measure(db, job) };
    const second = atriumServer(
      {
        atriumNodeOptions: [],
        projectDir: PROJECT_DIR,
        stateDir: path.join(__dirname, '.state'),
        mode: 'jobs',
        databaseUrl: DATABASE_URL,
        redisUrl: REDIS_URL,
      },
      await freePort(),
      { JOB_QUEUE_CONCURRENCY: CONCURRENCY },
    );
    await second.start();
    try {
      for (const job of ['evidence', 'monthly-reports']) results[job].two = await measure(db, job);
    } finally {
      await second.stop();
    }
  } finally {
    await db.end();
  }
  const machine = machineInfo();
  log(`machine: ${JSON.stringify(machine)}`);
  process.stdout.write(
    '\n| job | one instance | two instances | two ÷ one | target | machine CPU busy (one / two) | every org once |\n|---|---|---|---|---|---|---|\n',
  );
  for (const [job, { one, two }] of Object.entries(results)) {
    const ratio = two.ms / one.ms;
    process.stdout.write(
      `| ${job} | ${seconds(one.ms)} | ${seconds(two.ms)} (items on ${two.instances} instances) | ${ratio.toFixed(2)} | < 0.60 ${ratio < 0.6 ? 'met' : 'missed'} | ${one.busy}% / ${two.busy}% | ${one.once && two.once} |\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
