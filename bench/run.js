#!/usr/bin/env node
'use strict';

/**
 * Atrium against a bare Fastify + pg reference, in one run, scenario by scenario, alternating the
 * servers (bare, atrium, bare, atrium, ...). See bench/README.md.
 *
 *   node bench/run.js            full run (50 orgs x 20,000 contacts, 2 rounds x 10 s, 32 connections)
 *   node bench/run.js --smoke    CI: tiny data set, 1 round x 2 s; fails on a crash or any non-2xx
 *   node bench/run.js --strict   also exit 1 when a target is missed
 *   node bench/run.js --reseed   drop and re-seed the bench database
 */

const fs = require('node:fs');
const path = require('node:path');
const { createClient } = require('@redis/client');
const { loadConfig } = require('./lib/config');
const { prepareDatabase, loadFixtures } = require('./lib/database');
const { atriumServer, bareServer, freePort, machineInfo, rssOf, sleep } = require('./lib/servers');
const { load: loadRun } = require('./lib/load');
const { scenarios: defineScenarios, parityChecks } = require('./lib/scenarios');
const { checkPlans } = require('./lib/plans');
const { summarize, renderTable, renderTargetTable, rssTarget } = require('./lib/report');
const { runSmallSet } = require('./lib/small');

const log = (message) => process.stdout.write(`[bench] ${message}\n`);

async function flushRedis(url) {
  // The bench Redis database is dedicated (redis://…/3 by default): stale cache entries and rate
  // limit counters from an earlier run must not turn this run's cache misses into hits.
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.flushDb();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? null;
  } finally {
    await client.close().catch(() => client.destroy());
  }
}

/** One load run of the 1M-row set. */
const load = (server, requests, durationSec, connections, config) =>
  loadRun(server, requests, durationSec, connections, { database: config.databaseName, redisUrl: config.redisUrl });

async function parity(servers, checks) {
  const outcomes = [];
  for (const check of checks) {
    const answers = {};
    for (const server of servers) {
      const response = await fetch(`${server.url}${check.path}`, {
        method: check.method || 'GET',
        headers: {
          ...(check.key ? { authorization: `Bearer ${check.key}` } : {}),
          ...(check.body ? { 'content-type': 'application/json', 'idempotency-key': `parity-${server.name}-${Date.now()}` } : {}),
        },
        body: check.body ? JSON.stringify(check.body) : undefined,
      });
      const text = await response.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      answers[server.name] = { status: response.status, body };
    }
    const strip = (value) => {
      if (!value || typeof value !== 'object') return value;
      const copy = { ...value };
      for (const field of check.ignore || []) delete copy[field];
      return copy;
    };
    const [a, b] = servers.map((s) => answers[s.name]);
    const same =
      a.status === b.status &&
      (a.status >= 400 ? a.body?.code === b.body?.code : JSON.stringify(strip(a.body)) === JSON.stringify(strip(b.body)));
    outcomes.push({
      name: check.name,
      same,
      status: { [servers[0].name]: a.status, [servers[1].name]: b.status },
      ...(same ? {} : { bodies: { [servers[0].name]: a.body, [servers[1].name]: b.body } }),
    });
  }
  return outcomes;
}

/** One line per list shape: which indexes on contacts it used, and how long it ran. */
function logPlans(plans, judged) {
  for (const p of plans.shapes) {
    const access = [...p.indexes, ...(p.seqScanOnContacts ? ['Seq Scan'] : [])].join(' + ') || 'no index';
    log(
      `plan  ${p.shape.padEnd(14)} ${p.ok ? 'ok  ' : 'FAIL'} ${access.padEnd(26)} ${p.executionMs.toFixed(1)} ms  ${p.rows} row${p.rows === 1 ? '' : 's'}`,
    );
  }
  if (!judged) log('plans: not a target in a smoke run (on a few hundred rows a sequential scan is the right plan)');
}

/** Servers to stop on Ctrl-C or SIGTERM: each set adds its own while it runs. */
const running = new Set();
let interrupted = false;
function onSignal() {
  interrupted = true;
  log('interrupted: stopping the servers');
  Promise.all([...running].map((s) => s.stop(5000))).finally(() => process.exit(130));
}

/**
 * The large set: the seeded data set (1M contacts in a full run), Atrium against bare-server.js,
 * scenario by scenario, alternating the servers. Returns everything the report needs.
 */
async function runLargeSet(config) {
  const credentials = await prepareDatabase(config, log);
  const fixtures = await loadFixtures(config, credentials);
  if (!fixtures.hot) throw new Error('the bench data set has no contact with a company');
  const redisVersion = await flushRedis(config.redisUrl);
  log(
    `PostgreSQL: ${fixtures.postgres.split(' on ')[0]} (shared_buffers ${fixtures.sharedBuffers}, database ${fixtures.databaseSize}); Redis ${redisVersion}`,
  );

  const bare = bareServer(config, await freePort());
  const atrium = atriumServer(config, await freePort());
  const servers = [bare, atrium];
  for (const server of servers) running.add(server);

  const results = [];
  const judgePlans = config.mode !== 'smoke';
  let parityOutcomes = [];
  let plans = null;
  let atriumIdleRssMb = null;
  let atriumEndRssMb = null;
  let exits = {};
  let fatal = null;
  try {
    await bare.start();
    await atrium.start();
    atriumIdleRssMb = (rssOf(atrium.pid) ?? 0) / 1024 / 1024;
    log(
      `servers up: bare pid ${bare.pid} on ${bare.url}, atrium pid ${atrium.pid} on ${atrium.url} (idle RSS ${Math.round(atriumIdleRssMb)} MB)`,
    );

    parityOutcomes = await parity(servers, parityChecks({ credentials, fixtures }));
    const mismatches = parityOutcomes.filter((p) => !p.same);
    log(
      mismatches.length
        ? `parity: ${mismatches.length} answer(s) differ between bare and atrium: ${mismatches.map((m) => m.name).join(', ')}`
        : `parity: both servers give the same answers (${parityOutcomes.length} checks)`,
    );

    // The index check needs only the database: it runs before any load, so its timings are undisturbed.
    plans = await checkPlans(config, credentials);
    logPlans(plans, judgePlans);

    const all = defineScenarios({ credentials, fixtures });
    const selected = config.scenarioFilter.length ? all.filter((s) => config.scenarioFilter.includes(s.id)) : all;
    for (const scenario of selected) {
      const rounds = { bare: [], atrium: [] };
      if (config.warmupSec > 0) {
        for (const server of servers) await load(server, scenario.requests(server.name), config.warmupSec, config.connections, config);
      }
      for (let round = 1; round <= config.rounds; round++) {
        for (const server of servers) {
          const r = await load(server, scenario.requests(server.name), config.durationSec, config.connections, config);
          rounds[server.name].push(r);
          const bad = r.non2xx + r.errors + r.timeouts;
          log(
            `${scenario.id.padEnd(15)} round ${round} ${server.name.padEnd(6)} ${String(Math.round(r.requests / r.durationSec)).padStart(6)} rps  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  RSS ${Math.round(r.maxRssBytes / 1048576)} MB  CPU ${Math.round(r.serverCpuPct ?? 0)}% (PostgreSQL ${Math.round(r.postgresCpuPct ?? 0)}%, Redis ${Math.round(r.redisCpuPct ?? 0)}%, machine ${Math.round(r.machineBusyPct ?? 0)}%)${bad ? `  NON-2XX/ERRORS ${bad} ${JSON.stringify(r.statusCodes)}` : ''}`,
          );
          await sleep(config.mode === 'smoke' ? 100 : 500);
        }
      }
      results.push({
        id: scenario.id,
        title: scenario.title,
        description: scenario.description,
        target: scenario.target,
        notes: { bare: scenario.notes?.('bare') ?? {}, atrium: scenario.notes?.('atrium') ?? {} },
        rounds,
      });
    }
    await sleep(config.mode === 'smoke' ? 500 : 3000);
    atriumEndRssMb = (rssOf(atrium.pid) ?? 0) / 1024 / 1024;
  } catch (error) {
    fatal = error;
  } finally {
    exits = { bare: await bare.stop(), atrium: await atrium.stop() };
    for (const server of servers) running.delete(server);
  }
  if (fatal) throw fatal;

  const summary = summarize(results, {
    atriumIdleRssMb,
    plans: judgePlans ? plans : null,
    contacts: config.orgs * config.contactsPerOrg,
  });
  const wrapped = results.filter((r) => r.notes.atrium.idsWrapped || r.notes.bare.idsWrapped).map((r) => r.id);
  if (wrapped.length && config.mode !== 'smoke') {
    log(
      `warning: the cache-miss ids ran out and wrapped in ${wrapped.join(', ')}: later requests were cache hits; raise BENCH_MISS_IDS or seed more contacts`,
    );
  }
  const busy = summary.scenarios.flatMap((s) => [s.bare.machineBusyPct, s.atrium.machineBusyPct]).filter((x) => x !== null);
  return {
    credentials,
    fixtures,
    redisVersion,
    summary,
    table: renderTable(summary),
    parity: parityOutcomes,
    plans: { ...plans, judged: judgePlans },
    atrium: {
      idleRssMb: atriumIdleRssMb,
      rssAfterLoadMb: atriumEndRssMb,
      maxRssMb: summary.atriumMaxRssMb,
      exit: exits.atrium,
      log: atrium.logProblems(),
    },
    bare: { exit: exits.bare, log: bare.logProblems() },
    machineBusyPct: busy.length
      ? { min: Math.min(...busy), max: Math.max(...busy), mean: busy.reduce((a, b) => a + b, 0) / busy.length }
      : null,
  };
}

const busyRange = (b) => (b ? `${Math.round(b.min)}–${Math.round(b.max)}% (mean ${Math.round(b.mean)}%)` : 'not measured');

async function main() {
  const config = loadConfig(process.argv.slice(2));
  const started = new Date();
  const machine = machineInfo();
  if (config.sets.includes('large')) {
    log(
      `${config.mode} run, large set: ${config.orgs} orgs x ${config.contactsPerOrg} contacts, ${config.rounds} round(s) x ${config.durationSec} s per server and scenario, ${config.connections} connections, warm-up ${config.warmupSec} s`,
    );
  }
  log(`machine: ${machine.nproc} cores, ${machine.memTotal}, node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}`);
  if (machine.loadAverageAtStart[0] > machine.nproc * 0.5) {
    log(`warning: the machine looks busy (load average ${machine.loadAverageAtStart[0]}); numbers will be noisy`);
  }

  for (const file of ['dist/src/main.js', 'dist/src/database/cli.js', 'dist/src/database/seed/cli.js']) {
    if (!fs.existsSync(path.join(config.projectDir, file)))
      throw new Error(`${file} is missing: run npm run build first (npm run bench does)`);
  }

  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let large = null;
  let small = null;
  let fatal = null;
  try {
    if (config.sets.includes('large')) large = await runLargeSet(config);
    if (config.sets.includes('small') && !interrupted) {
      small = await runSmallSet(config, {
        log,
        largeCredentials: large?.credentials ?? null,
        onServers: (servers) => servers.forEach((s) => running.add(s)),
      });
    }
  } catch (error) {
    fatal = error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (interrupted) return;
  if (fatal) {
    log(`FAILED: ${fatal.stack || fatal}`);
    process.exitCode = 1;
    return;
  }

  const rssPeaks = [
    ...(large ? [{ set: large.summary.targets[0]?.set ?? 'large', mb: large.atrium.maxRssMb }] : []),
    ...(small ? [{ set: small.targets[0]?.set ?? 'small', mb: small.atriumMaxRssMb }] : []),
  ];
  const targets = [
    ...(large ? large.summary.targets : []),
    ...(small ? small.targets : []),
    ...(rssPeaks.length ? [rssTarget(rssPeaks)] : []),
  ];
  const targetTable = renderTargetTable(targets);

  if (large) {
    process.stdout.write(`\n## Large set: ${large.summary.targets[0]?.set ?? ''}, Atrium against bare-server.js\n\n${large.table}\n`);
    process.stdout.write(
      `\nAtrium RSS idle before the load ${Math.round(large.atrium.idleRssMb)} MB, peak ${Math.round(large.atrium.maxRssMb)} MB, 3 s after it ${Math.round(large.atrium.rssAfterLoadMb)} MB; ` +
        `exits: atrium ${JSON.stringify(large.atrium.exit)}, bare ${JSON.stringify(large.bare.exit)}; error log lines: atrium ${large.atrium.log.errorLines}, bare ${large.bare.log.errorLines}\n` +
        `Whole machine CPU busy during the load runs: ${busyRange(large.machineBusyPct)} (servers, PostgreSQL, Redis, load generator and anything else running)\n`,
    );
  }
  if (small) {
    process.stdout.write(
      `\n## Small set: ${small.contacts.toLocaleString('en-US')} contacts in one org, Atrium (CACHE_TTL_SECONDS=${small.settings.cacheTtlSeconds}) against the minimal bare and the parity bare; medians of ${small.settings.rounds} round(s)\n\n${small.table}\n`,
    );
    process.stdout.write(
      `\nAtrium RSS idle before the load ${Math.round(small.atriumIdleRssMb)} MB, peak ${Math.round(small.atriumMaxRssMb)} MB, 3 s after it ${Math.round(small.atriumEndRssMb)} MB; ` +
        `exits: ${Object.entries(small.exits)
          .map(([name, exit]) => `${name} ${JSON.stringify(exit)}`)
          .join(', ')}; error log lines: ${Object.entries(small.logs)
          .map(([name, l]) => `${name} ${l.errorLines}`)
          .join(', ')}\n` +
        `Whole machine CPU busy during the load runs: ${busyRange(small.machineBusyPct)}\n`,
    );
  }
  process.stdout.write(
    `\n## Targets (ratios are Atrium ÷ the reference, from this run)\n\n${targetTable}\n\n` +
      `Atrium peak RSS: ${rssPeaks.map((p) => `${p.set} ${Math.round(p.mb)} MB`).join(', ')}; overall ${Math.round(Math.max(...rssPeaks.map((p) => p.mb)))} MB\n`,
  );

  const output = {
    mode: config.mode,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      ...machine,
      postgres: large ? large.fixtures.postgres : null,
      postgresSharedBuffers: large ? large.fixtures.sharedBuffers : null,
      redis: large ? large.redisVersion : null,
    },
    settings: {
      sets: config.sets,
      orgs: config.orgs,
      contactsPerOrg: config.contactsPerOrg,
      databaseSize: large?.fixtures.databaseSize ?? null,
      durationSec: config.durationSec,
      warmupSec: config.warmupSec,
      rounds: config.rounds,
      connections: config.connections,
      missIds: large?.fixtures.missIds.length ?? null,
      database: config.databaseName,
      redis: config.redisUrl,
      small: config.small,
    },
    targets,
    targetTable,
    large: large && {
      parity: large.parity,
      plans: large.plans,
      scenarios: large.summary.scenarios,
      atrium: large.atrium,
      bare: large.bare,
      machineBusyPct: large.machineBusyPct,
      table: large.table,
    },
    small: small && {
      database: small.database,
      orgId: small.orgId,
      contacts: small.contacts,
      parity: small.parity,
      scenarios: small.scenarios,
      atrium: { idleRssMb: small.atriumIdleRssMb, maxRssMb: small.atriumMaxRssMb, rssAfterLoadMb: small.atriumEndRssMb },
      exits: small.exits,
      logs: small.logs,
      machineBusyPct: small.machineBusyPct,
      table: small.table,
    },
  };
  fs.mkdirSync(path.dirname(config.resultsFile), { recursive: true });
  fs.writeFileSync(config.resultsFile, `${JSON.stringify(output, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), config.resultsFile)}`);

  const errorTargets = targets.filter((t) => t.name.startsWith('no errors'));
  const parityFailed = [...(large?.parity ?? []), ...(small?.parity ?? [])].some((p) => !p.same);
  if (errorTargets.some((t) => !t.pass)) {
    log('FAILED: some requests did not succeed (see the non-2xx / errors column)');
    process.exitCode = 1;
  }
  const exits = [...(large ? [large.atrium.exit, large.bare.exit] : []), ...(small ? Object.values(small.exits) : [])];
  if (exits.some((exit) => exit?.code !== 0)) {
    log('FAILED: a server did not shut down cleanly');
    process.exitCode = 1;
  }
  if (config.strict && (targets.some((t) => !t.pass) || parityFailed)) {
    log('FAILED (--strict): a target was missed or the servers answered differently');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`[bench] FAILED: ${error.stack || error}\n`);
  process.exit(1);
});
