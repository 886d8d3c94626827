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
 *   BENCH_JOB_BATCH_SIZE=1 …                       (JOB_QUEUE_BATCH_SIZE of each instance; default: Atrium's)
 *   BENCH_JOB_POLL_MS=500 …                        (JOB_QUEUE_POLL_MS of each instance; default: Atrium's)
 *   ATRIUM_MAX_HEAP_MB=0 …                         (both instances without the production heap cap of 192 MB)
 *   BENCH_JOB_INSTANCE_CPU=0.5 …                   (each instance in a CPU cgroup of its own with that
 *                                                   many cores, as a container's CPU limit gives; root)
 *   BENCH_CPU_PROF=/tmp/profiles …                 (V8 CPU profiles: cli/ (each CLI process), first/ (WARM), second/)
 *   BENCH_JOB_WARM=1 …                             (warm instances, as production's are: see WARM)
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
const INSTANCE_CPU = Number(process.env.BENCH_JOB_INSTANCE_CPU || 0);
/**
 * The heap cap (MB; 0: none) scripts/start.sh gives the second instance, production's default, given
 * to the CLI instance too: without it the two instances are not alike (V8 collects less often
 * uncapped, so the CLI instance spent less CPU per item than the capped one).
 */
const HEAP_MB = Number(process.env.ATRIUM_MAX_HEAP_MB || 192);
/**
 * Warm instances. By default the run's own instance is the CLI process, new for each run, and the
 * second instance is started just before the two-instance runs: each pays a new process's warm-up
 * (V8 compiling the hot paths: bench/README.md, "Warm instances"), once in a one-instance run and
 * twice in a two-instance run. With WARM, both instances are long-running servers as in
 * production, each measured run follows an unmeasured one on the same instances, and the CLI only
 * starts the run and waits for it (JOB_QUEUE_CONCURRENCY=0), in the first instance's CPU group, so
 * what the run's own instance does besides its items is still paid from that instance's budget.
 * A run's own instance wakes its workers when it queues the items; the first server stands in for
 * it, so it looks for items every 500 ms (JOB_QUEUE_POLL_MS' minimum) where the second keeps the
 * default 2 s: without that the one-instance runs would start up to 2 s late, as production's do not.
 */
const WARM = process.env.BENCH_JOB_WARM === '1';
/** The queue settings of both instances. */
const QUEUE = {
  JOB_QUEUE_CONCURRENCY: CONCURRENCY,
  ...(process.env.BENCH_JOB_BATCH_SIZE ? { JOB_QUEUE_BATCH_SIZE: process.env.BENCH_JOB_BATCH_SIZE } : {}),
  ...(process.env.BENCH_JOB_POLL_MS ? { JOB_QUEUE_POLL_MS: process.env.BENCH_JOB_POLL_MS } : {}),
};
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const ENV = {
  NODE_ENV: 'production',
  DATABASE_URL,
  REDIS_URL,
  LOG_LEVEL: 'warn',
  JOBS_ENABLED: 'false',
  ...QUEUE,
  ...(PROFILE_DIR
    ? { NODE_OPTIONS: `--require=${path.join(__dirname, 'lib/cpu-profile-preload.js')}`, BENCH_CPU_PROF_DIR: path.join(PROFILE_DIR, 'cli') }
    : {}),
};

const log = (message) => process.stdout.write(`[jobs-bench] ${message}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A CPU cgroup of its own for one instance, capped at INSTANCE_CPU cores (cgroup v2 `cpu.max`, else
 * v1 `cpu.cfs_quota_us`): what a container's CPU limit gives a process. Null when no cap is asked.
 */
function cpuGroup(name) {
  if (!INSTANCE_CPU) return null;
  const fs = require('node:fs');
  const period = 100_000;
  const quota = Math.round(INSTANCE_CPU * period);
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  const dir = fs.existsSync(v2) ? `/sys/fs/cgroup/atrium-bench-${name}` : `/sys/fs/cgroup/cpu/atrium-bench-${name}`;
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(v2)) fs.writeFileSync(`${dir}/cpu.max`, `${quota} ${period}`);
  else {
    fs.writeFileSync(`${dir}/cpu.cfs_period_us`, String(period));
    fs.writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quota));
  }
  return { procs: `${dir}/cgroup.procs`, remove: () => fs.rmdirSync(dir) };
}

function run(label, args, group = null, env = {}) {
  // In a group, a shell puts itself in the group and then becomes the instance (exec), so every
  // thread the instance starts is in the group from its first instruction.
  const [command, commandArgs] = group
    ? ['/bin/sh', ['-c', `echo $$ > ${group.procs} && exec "$0" "$@"`, process.execPath, ...args]]
    : [process.execPath, args];
  const result = spawnSync(command, commandArgs, {
    cwd: PROJECT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ENV, ...env },
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
function runJob(job, group) {
  const heap = HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : [];
  const line = run(job, [...heap, 'dist/src/platform/jobs/cli.js', job], group, WARM ? { JOB_QUEUE_CONCURRENCY: '0' } : {})
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
      `select count(*) filter (where state = 'done') as done, count(*) as total,
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
  // Items done per instance, most first: two instances that work alike take about half each.
  const split = (
    await db.query(`select count(*) as items from job_run_items where run_id = $1 group by instance order by count(*) desc`, [runId])
  ).rows.map((row) => Number(row.items));
  return { once, attempts: Number(items.attempts), wrong, split };
}

/** Each run of monthly-reports starts with none of the month's reports. */
async function prepare(db, job) {
  if (job === 'monthly-reports') await db.query(`delete from compliance_reports where kind = 'monthly'`);
}

/** An unmeasured run on the instances of the measured run that follows (WARM only). */
async function warmUp(db, job, group) {
  if (!WARM) return;
  await prepare(db, job);
  log(`${job}: warm-up run ${seconds(runJob(job, group).durationMs)}`);
}

async function measure(db, job, group) {
  await warmUp(db, job, group);
  await prepare(db, job);
  const before = cpuTimes();
  const result = runJob(job, group);
  const after = cpuTimes();
  // Includes the CLI's start-up and whatever else the machine ran meanwhile.
  const busy = Math.round((100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total));
  const check = await checkOnce(db, job, result.runId);
  // The second instance runs its schedules, as production's do: what else ran during the run.
  const others = (
    await db.query(
      `select job, count(*)::int as runs from job_runs
       where id <> $1 and started_at < (select finished_at from job_runs where id = $1)
         and coalesce(finished_at, now()) > (select started_at from job_runs where id = $1)
       group by job order by job`,
      [result.runId],
    )
  ).rows.map((row) => `${row.job} ×${row.runs}`);
  log(
    `${job}: ${seconds(result.durationMs)}, exactly once: ${check.once}, items per instance ${check.split.join(' / ')}, ` +
      `attempts ${check.attempts}, machine CPU busy ${busy}%, other job runs meanwhile: ${others.join(', ') || 'none'}`,
  );
  if (!check.once) throw new Error(`${job} did not do every organization exactly once: ${JSON.stringify(check)}`);
  return { ms: result.durationMs, busy, ...check };
}

/** A server working the queue (`scripts/start.sh`, as production starts it), in `group` once it is up. */
async function startInstance(name, group, env = {}) {
  const server = atriumServer(
    {
      atriumNodeOptions: [],
      cpuProfileDir: PROFILE_DIR && path.join(PROFILE_DIR, name),
      projectDir: PROJECT_DIR,
      stateDir: path.join(__dirname, '.state'),
      mode: 'jobs',
      databaseUrl: DATABASE_URL,
      redisUrl: REDIS_URL,
    },
    await freePort(),
    { ...env, ...QUEUE },
    { logName: `atrium-jobs-${name}` },
  );
  await server.start();
  if (group) require('node:fs').writeFileSync(group.procs, String(server.pid));
  return server;
}

async function main() {
  for (const file of ['dist/src/main.js', 'dist/src/platform/jobs/cli.js', 'dist/src/database/seed/cli.js']) {
    require('node:fs').accessSync(path.join(PROJECT_DIR, file));
  }
  log(
    `${ORGS.toLocaleString('en')} organizations × ${CONTACTS} contacts, JOB_QUEUE_CONCURRENCY=${CONCURRENCY} ` +
      `JOB_QUEUE_BATCH_SIZE=${QUEUE.JOB_QUEUE_BATCH_SIZE ?? 'default'} per instance, ` +
      `${INSTANCE_CPU ? `each instance capped at ${INSTANCE_CPU} CPU` : 'instances not capped'}, ` +
      `${WARM ? 'warm servers (the CLI only starts the runs)' : 'the CLI as the run’s own instance'}, database ${new URL(DATABASE_URL).pathname.slice(1)}`,
  );
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
  const jobs = (process.env.BENCH_JOBS || 'evidence,monthly-reports').split(',');
  const groups = [cpuGroup('first'), cpuGroup('second')];
  const servers = [];
  try {
    // WARM: the first instance is a server too, and the CLI only starts the runs.
    if (WARM) servers.push(await startInstance('first', groups[0], { JOB_QUEUE_POLL_MS: '500' }));
    for (const job of jobs) results[job] = { one: await measure(db, job, groups[0]) };
    servers.push(await startInstance('second', groups[1]));
    for (const job of jobs) results[job].two = await measure(db, job, groups[0]);
  } finally {
    for (const server of servers) await server.stop();
    await db.end();
    for (const group of groups) group?.remove();
  }
  const machine = machineInfo();
  log(`machine: ${JSON.stringify(machine)}`);
  if (INSTANCE_CPU) log(`each instance capped at ${INSTANCE_CPU} CPU (cgroup); PostgreSQL not capped`);
  process.stdout.write(
    '\n| job | one instance | two instances | two ÷ one | target | machine CPU busy (one / two) | every org once |\n|---|---|---|---|---|---|---|\n',
  );
  for (const [job, { one, two }] of Object.entries(results)) {
    const ratio = two.ms / one.ms;
    process.stdout.write(
      `| ${job} | ${seconds(one.ms)} | ${seconds(two.ms)} (items ${two.split.join(' / ')}) | ${ratio.toFixed(2)} | < 0.60 ${ratio < 0.6 ? 'met' : 'missed'} | ${one.busy}% / ${two.busy}% | ${one.once && two.once} |\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
