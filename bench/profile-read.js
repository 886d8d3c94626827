#!/usr/bin/env node
'use strict';

/**
 * A CPU profile of Atrium on one line of the small table (bench/README.md, "Profiling a line"):
 * Atrium runs as the bench runs it (production, CACHE_TTL_SECONDS=1, the small table's database)
 * under V8's CPU profiler (lib/cpu-profile-preload.js), the bench's load generator drives the line
 * for a while, and the samples of the measured window are summed up: CPU per request, self time by
 * function and by area of the code, inclusive time of the functions and areas on the request's path.
 *
 *   node bench/profile-read.js                       the uncached read by id, 20 s
 *   PROFILE_LINE='atrium, one id' PROFILE_SECONDS=30 node bench/profile-read.js
 *
 * PROFILE_LINE names a line of the small table ('atrium, random ids' by default, 'atrium, one id',
 * or the atrium line of small-health / small-list as 'health' / 'list'); PROFILE_OUT a Markdown
 * file for the summary (stdout otherwise). The raw profile stays in bench/.state/profiles/.
 */

const fs = require('node:fs');
const path = require('node:path');
const { loadConfig } = require('./lib/config');
const { prepareDatabase, loadSmallFixtures } = require('./lib/database');
const { load } = require('./lib/load');
const { atriumServer, freePort, sleep } = require('./lib/servers');
const { smallScenarios, flushRedis } = require('./lib/small');
const { summarize, renderRows } = require('./lib/profile-summary');

const log = (message) => process.stdout.write(`[profile] ${message}\n`);

/** CPU seconds (user + system) of one thread of a process: the main thread's id is the process id. */
function threadCpuSeconds(pid, tid = pid) {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function pickLine(scenarios, wanted) {
  const alias = { health: ['small-health', 'atrium'], list: ['small-list', 'atrium'] };
  const [scenarioId, label] = alias[wanted] ?? ['small-get', wanted];
  const line = scenarios.find((s) => s.id === scenarioId)?.lines.find((l) => l.label === label);
  if (!line) throw new Error(`no line "${wanted}" (try 'atrium, random ids', 'atrium, one id', 'health' or 'list')`);
  return { scenarioId, line };
}

async function main() {
  const base = loadConfig([]);
  const seconds = Number(process.env.PROFILE_SECONDS || 20);
  const wanted = process.env.PROFILE_LINE || 'atrium, random ids';
  const dir = path.join(base.stateDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    ...base,
    mode: 'profile',
    cpuProfileDir: dir,
    cpuProfileIntervalUs: Number(process.env.PROFILE_INTERVAL_US || 500),
  };
  const small = config.small;
  const credentials = await prepareDatabase(
    { ...config, databaseUrl: small.databaseUrl, databaseName: small.databaseName, orgs: 1, contactsPerOrg: small.contacts },
    log,
  );
  const { orgId, apiKey } = credentials[0];
  const fixtures = await loadSmallFixtures(small.databaseUrl, orgId);
  await flushRedis(config.redisUrl);
  const { scenarioId, line } = pickLine(smallScenarios({ apiKey, fixtures }), wanted);

  const atrium = atriumServer(
    config,
    await freePort(),
    { DATABASE_URL: small.databaseUrl, CACHE_TTL_SECONDS: String(small.cacheTtlSeconds) },
    { logName: 'atrium-profile' },
  );
  await atrium.start();
  const target = { database: small.databaseName, redisUrl: config.redisUrl };
  let run;
  let fromUs;
  let toUs;
  try {
    log(`warming up ${scenarioId} / ${line.label} for 3 s`);
    await load(atrium, line.requests(), 3, small.connections, target);
    await sleep(500);
    log(`profiling ${scenarioId} / ${line.label} for ${seconds} s, ${small.connections} connections`);
    fromUs = nowUs();
    const mainCpu0 = threadCpuSeconds(atrium.pid);
    run = await load(atrium, line.requests(), seconds, small.connections, target);
    run.mainThreadCpuMsPerRequest = ((threadCpuSeconds(atrium.pid) - mainCpu0) * 1000) / run.requests;
    toUs = nowUs();
  } finally {
    const exit = await atrium.stop();
    if (exit?.code !== 0) log(`atrium exit ${JSON.stringify(exit)}`);
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const scale = { requests: run.requests, projectDir: config.projectDir, cpuMsPerRequest: run.mainThreadCpuMsPerRequest };
  let summary = summarize(profile, { fromUs, toUs, ...scale });
  let windowNote = 'the samples of the measured load run only';
  if (summary.windowMs < seconds * 500) {
    // The profile's clock did not line up with ours: fall back to the whole profile (start-up and warm-up included).
    summary = summarize(profile, scale);
    windowNote = 'the whole profile (start-up and warm-up included: the clocks did not line up)';
  }
  const rps = Math.round(run.requests / run.durationSec);
  const md = [
    `# CPU profile: ${scenarioId} / ${line.label}`,
    '',
    `${new Date().toISOString()}; Atrium \`dist/src/main.js\` as the bench runs it (NODE_ENV=production, LOG_LEVEL=warn, CACHE_TTL_SECONDS=${small.cacheTtlSeconds}, rate limits at 1,000,000), ` +
      `V8 CPU profile sampling every ${process.env.PROFILE_INTERVAL_US || '500'} µs; ${small.connections} connections for ${seconds} s: ${run.requests.toLocaleString('en-US')} requests (${rps} rps), ` +
      `p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, server CPU ${Math.round(run.serverCpuPct)}% of a core, PostgreSQL ${Math.round(run.postgresCpuPct)}%, Redis ${Math.round(run.redisCpuPct)}%, machine ${Math.round(run.machineBusyPct)}% busy.`,
    '',
    `Summed over ${windowNote}: ${Math.round(summary.windowMs)} ms of wall time, ${Math.round(summary.cpuMs)} ms on the CPU (the rest idle), ` +
      `**${run.mainThreadCpuMsPerRequest.toFixed(3)} ms of main-thread CPU per request** (\`/proc/<pid>/task/<pid>/stat\`, profiler overhead included; ` +
      `the whole process, GC helper and libuv threads included, used ${(((run.serverCpuPct / 100) * run.durationSec * 1000) / run.requests).toFixed(3)} ms). ` +
      `The samples' own durations add up to ${summary.sampledMsPerRequest.toFixed(3)} ms per request: on a busy machine they also count time the thread waited for a core, ` +
      'so the ms per request below are each share of the samples times the measured main-thread CPU.',
    `Raw profile: ${path.relative(config.projectDir, path.join(dir, file))}.`,
    '',
    "## Self time by area, Node's internals counted in their caller's area (a socket write under pg is pg's; async hooks apart)",
    '',
    renderRows(summary.attributedByArea, { perRequest: true }),
    '',
    "## Self time by area (native frames counted in their caller's area)",
    '',
    renderRows(summary.selfByArea, { perRequest: true }),
    '',
    '## Inclusive time by area (a sample counts for every area on its stack)',
    '',
    renderRows(summary.inclusiveByArea, { perRequest: true }),
    '',
    '## Self time by function (top 30)',
    '',
    renderRows(summary.selfByFunction, { perRequest: true }),
    '',
    '## Inclusive time by function (top 90)',
    '',
    renderRows(summary.inclusiveByFunction, { perRequest: true }),
    '',
  ].join('\n');
  if (process.env.PROFILE_OUT) {
    fs.writeFileSync(process.env.PROFILE_OUT, md);
    log(`summary written to ${process.env.PROFILE_OUT}`);
  } else {
    process.stdout.write(`${md}\n`);
  }
  fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify({ run, summary }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`[profile] FAILED: ${error.stack || error}\n`);
  process.exit(1);
});
