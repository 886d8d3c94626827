/**
 * `npm run scaleout [-- --smoke]`: the scale-out topology on loopback, under load, with faults.
 * PostgreSQL primary + streaming replica, PgBouncer (transaction mode) in front of the primary,
 * Redis primary + two replicas + three Sentinels, two Atrium instances (production mode, from the
 * sources) behind haproxy. It seeds orgs through the API, then drives a mixed load of its own
 * (writes each read back at once by their writer, reads by id, lists, searches, cross-tenant
 * probes) while Redis is failed over and the replica is stopped and started again, and measures
 * the throughput of one instance against two behind the same haproxy. It fails (exit 1) on any
 * failed request, stale read by a writer or cross-tenant row. Figures: bench/results/scaleout.json.
 * Not part of CI: it needs minutes, haproxy, pgbouncer, redis-server and PostgreSQL's binaries.
 */
import { Logger } from '@nestjs/common';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyCommand, haproxyStats, sleep } from '../faults/processes';
import { ApiClient } from './api-client';
import { CpuUse, measureCpu } from './cpu';
import { MIXED, Org, READ_HEAVY, drive, seedOrgs } from './load';
import { Tally } from './tally';
import { TimelineEvent, injectFaults, watchReadiness } from './timeline';
import { METRICS_TOKEN, Topology, startTopology, stopTopology } from './topology';

const SMOKE = process.argv.includes('--smoke');
const env = process.env;
const ORGS = Number(env.SCALEOUT_ORGS ?? (SMOKE ? 5 : 20));
const CONCURRENCY = Number(env.SCALEOUT_CONCURRENCY ?? 32);
/** Length of the mixed phase, during which the faults happen. */
const MIXED_SECONDS = Number(env.SCALEOUT_MIXED_SECONDS ?? (SMOKE ? 12 : 90));
/** Length of each one-instance and two-instance throughput run; ROUNDS of each, alternating. */
const THROUGHPUT_SECONDS = Number(env.SCALEOUT_THROUGHPUT_SECONDS ?? (SMOKE ? 4 : 20));
const ROUNDS = Number(env.SCALEOUT_ROUNDS ?? (SMOKE ? 1 : 2));
const TIMEOUT_SECONDS = Number(env.SCALEOUT_TIMEOUT_SECONDS ?? 900);
const RESULTS = join(__dirname, '..', '..', 'bench', 'results', SMOKE ? 'scaleout-smoke.json' : 'scaleout.json');

const log = (message: string) => process.stdout.write(`[scaleout] ${message}\n`);

async function main(): Promise<number> {
  // Cross-tenant probes read another org's contacts: at least two orgs.
  if (!(ORGS >= 2) || !(CONCURRENCY >= 1) || !(MIXED_SECONDS > 0) || !(THROUGHPUT_SECONDS > 0) || !(ROUNDS >= 1)) {
    throw new Error('SCALEOUT_ORGS must be at least 2, and the concurrency, durations and rounds positive');
  }
  Logger.overrideLogger(['error', 'warn']);
  // The run builds every connection itself: none of the caller's may leak into the instances.
  for (const name of Object.keys(env)) if (/^(DATABASE|REDIS)_/.test(name)) delete env[name];
  const dir = mkdtempSync(join(tmpdir(), 'atrium-scaleout-'));
  log(`${SMOKE ? 'smoke' : 'full'} run; instance and haproxy logs in ${dir}`);
  const topology = await startTopology(dir, log);
  const client = new ApiClient(topology.haproxy.url, CONCURRENCY);
  let started = 0;
  const clock = () => (started ? (performance.now() - started) / 1000 : 0);

  const seeding = new Tally('seed', clock);
  const orgs = await seedOrgs(client, ORGS, 4, seeding);
  seeding.end();
  log(`seeded ${orgs.length} orgs through the API (owner, API key, ${orgs[0].ids.length} contacts each)`);

  started = performance.now();
  const events: TimelineEvent[] = [];
  const stopWatching = watchReadiness(topology, clock, events);
  const mixed = new Tally('mixed + faults', clock);
  log(`mixed load for ${MIXED_SECONDS} s, ${CONCURRENCY} concurrent; Redis failover and replica restart meanwhile`);
  await Promise.all([drive(client, orgs, MIXED, MIXED_SECONDS, CONCURRENCY, mixed), injectFaults(topology, MIXED_SECONDS, clock, events)]);
  report(mixed);

  const throughput = await measureThroughput(topology, client, orgs, clock);
  await stopWatching();
  const fallbacks = await replicaFallbacks(topology);
  client.close();

  const phases = [seeding, mixed, ...throughput.map((run) => run.tally)];
  const total = (pick: (t: Tally) => number) => phases.reduce((sum, t) => sum + pick(t), 0);
  const rps = (instances: number) => average(throughput.filter((run) => run.instances === instances).map((run) => run.tally.rps));
  const summary = {
    at: new Date().toISOString(),
    mode: SMOKE ? 'smoke' : 'full',
    setup: { orgs: ORGS, concurrency: CONCURRENCY, mixedSeconds: MIXED_SECONDS, throughputSeconds: THROUGHPUT_SECONDS, rounds: ROUNDS },
    requests: total((t) => t.requests),
    failed: total((t) => t.failed),
    staleReadsByWriter: total((t) => t.staleReads),
    writerReadbacks: total((t) => t.writerReadbacks),
    crossTenantRows: total((t) => t.crossTenantRows),
    rowsChecked: total((t) => t.rowsChecked),
    crossTenantProbes: total((t) => t.crossProbes),
    rpsOneInstance: Math.round(rps(1)),
    rpsTwoInstances: Math.round(rps(2)),
    phases: phases.map(phaseFigures),
    throughputRuns: throughput.map((run) => ({
      instances: run.instances,
      ...phaseFigures(run.tally),
      servedBy: run.servedBy,
      cpu: run.cpu,
      loadAverageBefore: run.loadAverage,
    })),
    replicaFallbacks: fallbacks,
    timeline: events.map((event) => ({ at: Math.round(event.at * 10) / 10, what: event.what })),
    failures: phases.reduce<Record<string, number>>((all, t) => {
      for (const [kind, count] of t.failuresByKind) all[kind] = (all[kind] ?? 0) + count;
      return all;
    }, {}),
    samples: phases.flatMap((t) => t.samples),
  };
  printSummary(summary);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
  log(`figures written to ${RESULTS}`);
  const clean = summary.failed === 0 && summary.staleReadsByWriter === 0 && summary.crossTenantRows === 0 && summary.requests > 0;
  return clean ? 0 : 1;
}

/**
 * The same read-heavy load through the same haproxy with app2 in maintenance (one instance) and
 * enabled (two), ROUNDS of each, alternating which goes first so drift (caches, WAL, the other
 * processes of the machine) does not all fall on one side.
 */
async function measureThroughput(topology: Topology, client: ApiClient, orgs: readonly Org[], clock: () => number) {
  const runs: { instances: number; tally: Tally; servedBy: Record<string, number>; cpu: CpuUse; loadAverage: number }[] = [];
  const processes = {
    instances: topology.instances.map((instance) => instance.pid),
    postgresPorts: { 'postgres primary': topology.primary.port, 'postgres replica': topology.replica.port },
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const instances of round % 2 === 0 ? [2, 1] : [1, 2]) {
      await setInstances(topology.haproxy.socket, instances);
      const before = await servedBy(topology.haproxy.socket);
      const tally = new Tally(`${instances} instance${instances > 1 ? 's' : ''}, round ${round + 1}`, clock);
      log(`throughput: ${tally.phase}, read-heavy, ${THROUGHPUT_SECONDS} s`);
      const loadAverage = Math.round(loadavg()[0] * 10) / 10;
      const cpu = measureCpu(processes);
      await drive(client, orgs, READ_HEAVY, THROUGHPUT_SECONDS, CONCURRENCY, tally);
      const used = cpu();
      const after = await servedBy(topology.haproxy.socket);
      const served = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n - (before[name] ?? 0)]));
      runs.push({ instances, tally, servedBy: served, cpu: used, loadAverage });
      report(tally);
      log(
        `  served by ${JSON.stringify(served)}; cores busy ${JSON.stringify(used.cores)}, machine ${used.machineBusyPercent} % busy, load average before ${loadAverage}`,
      );
    }
  }
  await setInstances(topology.haproxy.socket, 2);
  return runs;
}

/** app2 into maintenance (haproxy sends it nothing) or back; waits until haproxy has it UP again. */
async function setInstances(socket: string, instances: number): Promise<void> {
  await haproxyCommand(socket, `${instances === 1 ? 'disable' : 'enable'} server atrium/app2`);
  if (instances === 1) return;
  const deadline = Date.now() + 15_000;
  while (!(await haproxyStats(socket)).every((server) => server.status === 'UP')) {
    if (Date.now() > deadline) throw new Error('app2 did not come back UP in haproxy after `enable server`');
    await sleep(100);
  }
}

/** Requests each server has been sent (haproxy's `stot`, which counts HTTP requests on a server). */
async function servedBy(socket: string): Promise<Record<string, number>> {
  const [header, ...rows] = (await haproxyCommand(socket, 'show stat')).split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const served: Record<string, number> = {};
  for (const row of rows.map((line) => line.split(','))) {
    const server = row[columns.indexOf('svname')];
    if (server?.startsWith('app')) served[server] = Number(row[columns.indexOf('stot')] ?? 0);
  }
  return served;
}

/** atrium_db_replica_fallback_total by reason, summed over the instances: replica-routed reads the primary served. */
async function replicaFallbacks(topology: Topology): Promise<Record<string, number>> {
  const fallbacks: Record<string, number> = {};
  for (const instance of topology.instances) {
    const text = await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text());
    for (const match of text.matchAll(/^atrium_db_replica_fallback_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm)) {
      fallbacks[match[1]] = (fallbacks[match[1]] ?? 0) + Number(match[2]);
    }
  }
  return fallbacks;
}

function phaseFigures(t: Tally) {
  return {
    phase: t.phase,
    seconds: Math.round(t.seconds * 10) / 10,
    requests: t.requests,
    rps: Math.round(t.rps),
    failed: t.failed,
    staleReadsByWriter: t.staleReads,
    crossTenantRows: t.crossTenantRows,
    latencyMs: { p50: t.percentile(50), p99: t.percentile(99), max: t.percentile(100) },
  };
}

function report(t: Tally): void {
  const f = phaseFigures(t);
  log(
    `${f.phase}: ${f.requests} requests in ${f.seconds} s (${f.rps}/s), failed ${f.failed}, stale ${f.staleReadsByWriter}, ` +
      `cross-tenant ${f.crossTenantRows}; p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`,
  );
}

function printSummary(s: {
  requests: number;
  failed: number;
  staleReadsByWriter: number;
  writerReadbacks: number;
  crossTenantRows: number;
  rowsChecked: number;
  crossTenantProbes: number;
  rpsOneInstance: number;
  rpsTwoInstances: number;
  replicaFallbacks: Record<string, number>;
  timeline: TimelineEvent[];
  failures: Record<string, number>;
  samples: string[];
}): void {
  const rows: [string, string | number][] = [
    ['requests', s.requests],
    ['failed requests', s.failed],
    ['stale reads by a writer', `${s.staleReadsByWriter} of ${s.writerReadbacks} read-backs`],
    ['cross-tenant rows', `${s.crossTenantRows} (${s.rowsChecked} rows checked, ${s.crossTenantProbes} probes of other orgs' ids)`],
    ['rps, one instance', s.rpsOneInstance],
    ['rps, two instances', `${s.rpsTwoInstances} (×${(s.rpsTwoInstances / Math.max(1, s.rpsOneInstance)).toFixed(2)})`],
    ['replica reads served by the primary', JSON.stringify(s.replicaFallbacks)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  log('summary');
  for (const [name, value] of rows) log(`  ${name.padEnd(width)}  ${value}`);
  log('timeline (seconds since the load began)');
  for (const event of s.timeline) log(`  ${event.at.toFixed(1).padStart(6)}  ${event.what}`);
  for (const [kind, count] of Object.entries(s.failures)) log(`failure: ${count} × ${kind}`);
  for (const sample of s.samples) log(`sample: ${sample}`);
}

const average = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

let stopping = false;
async function finish(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopTopology(log);
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process of the run`);
    void finish(130);
  });
}
const watchdog = setTimeout(() => {
  log(`still running after ${TIMEOUT_SECONDS} s: stopping`);
  void finish(2);
}, TIMEOUT_SECONDS * 1000);

main()
  .then((code) => {
    clearTimeout(watchdog);
    return finish(code);
  })
  .catch((error: unknown) => {
    clearTimeout(watchdog);
    log(`failed: ${(error as Error).stack ?? error}`);
    return finish(1);
  });
