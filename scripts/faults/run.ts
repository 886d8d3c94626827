/**
 * `npm run faults`: two Atrium instances behind haproxy (health check GET /health/ready every
 * 500 ms, fall 2, `timeout check 1s`) on a Redis and a database of the run's own, under load
 * (autocannon), while Redis is frozen (SIGSTOP) for FAULTS_FREEZE_SECONDS, then (second phase)
 * killed (SIGKILL) for as long and restarted empty (FAULTS_SCENARIOS). Reports the requests
 * lost (any answer but 2xx, any error or timeout) and haproxy's view of the servers, writes the
 * figures to bench/results/faults.json and exits 1 when a request was lost.
 * Loopback only, bounded in time (FAULTS_TIMEOUT_SECONDS), installs haproxy (Debian) if missing.
 * Not part of `npm test`: it needs minutes, haproxy and a PostgreSQL superuser.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, withDatabaseUrl } from '../../src/config';
import { applyMigrations } from '../../src/database/migrate';
import { Logger } from '@nestjs/common';
import { ensureHaproxy, haproxyStats, sleep, startHaproxy, startInstance, startRedis, stopAll } from './processes';

interface LoadResult {
  requests: { total: number };
  statusCodeStats?: Record<string, { count: number }>;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; max: number };
}
// autocannon ships no types; this is the part of its API the run uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<LoadResult>;

const env = process.env;
const DATABASE_URL = env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/atrium_faults_run';
const WARMUP_SECONDS = Number(env.FAULTS_WARMUP_SECONDS ?? 3);
const BEFORE_SECONDS = Number(env.FAULTS_BEFORE_SECONDS ?? 4);
const FREEZE_SECONDS = Number(env.FAULTS_FREEZE_SECONDS ?? 5);
/** `freeze` (SIGSTOP, then SIGCONT) and `kill` (SIGKILL, then a restart, empty), each for FAULTS_FREEZE_SECONDS. */
const SCENARIOS = (env.FAULTS_SCENARIOS ?? 'freeze,kill').split(',').map((name) => name.trim());
const AFTER_SECONDS = Number(env.FAULTS_AFTER_SECONDS ?? 6);
const CONNECTIONS = Number(env.FAULTS_CONNECTIONS ?? 16);
const TIMEOUT_SECONDS = Number(env.FAULTS_TIMEOUT_SECONDS ?? 240);
const RESULTS = join(__dirname, '..', '..', 'bench', 'results', 'faults.json');

const log = (message: string) => process.stdout.write(`[faults] ${message}\n`);

/** A fresh database of the run's own; its name must say so, since it is dropped and re-created. */
async function freshDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/faults/.test(name) || !['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error('FAULTS_DATABASE_URL must be on 127.0.0.1 and name a database containing "faults": the run drops it');
  }
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  await applyMigrations(withDatabaseUrl(loadConfig({ ...env, NODE_ENV: 'production', DATABASE_URL }), DATABASE_URL));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string, init: RequestInit & { token?: string; body?: string } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** An org with an API key and some contacts, made through the API. */
async function seed(base: string): Promise<{ key: string; contactIds: string[] }> {
  const signup = await json(`${base}/v1/auth/signup`, {
    method: 'POST',
    body: JSON.stringify({
      email: `faults-${Date.now()}@example.com`,
      password: 'Faults-run-2026!x',
      name: 'Fault Run',
      organizationName: 'Fault Run',
    }),
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const apiKey = await json(`${base}/v1/api-keys`, {
    method: 'POST',
    token: signup.body.token,
    body: JSON.stringify({ name: 'faults', scopes: ['contacts:read', 'contacts:write'] }),
  });
  if (apiKey.status !== 201) throw new Error(`api key answered ${apiKey.status}`);
  const key = apiKey.body.secret as string;
  const contactIds: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const created = await json(`${base}/v1/contacts`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ firstName: `Fault${i}`, lastName: 'Run' }),
    });
    contactIds.push(created.body.id);
  }
  return { key, contactIds };
}

/** Polls both instances' readiness directly every 100 ms: the slowest answer and any non-200. */
function sampleReadiness(instances: readonly string[]): () => { maxMs: number; samples: number; notReady: number } {
  let maxMs = 0;
  let samples = 0;
  let notReady = 0;
  let running = true;
  const loop = async (url: string) => {
    while (running) {
      const started = performance.now();
      const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        () => 0,
      );
      maxMs = Math.max(maxMs, performance.now() - started);
      samples += 1;
      if (status !== 200) notReady += 1;
      await sleep(100);
    }
  };
  const loops = instances.map(loop);
  return () => {
    running = false;
    void Promise.all(loops);
    return { maxMs: Math.round(maxMs), samples, notReady };
  };
}

type Request = Record<string, unknown>;

/** Reads (a contact by id, a list page) on most connections and PATCHes on two, at the same time. */
async function load(url: string, key: string, contactIds: readonly string[], seconds: number) {
  let n = 0;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const next = () => contactIds[n++ % contactIds.length];
  const [reads, writes] = await Promise.all([
    run(url, headers, Math.max(1, CONNECTIONS - 2), seconds, [
      { method: 'GET', setupRequest: (request: Request) => ({ ...request, path: `/v1/contacts/${next()}` }) },
      { method: 'GET', path: '/v1/contacts?limit=10' },
    ]),
    run(url, headers, 2, seconds, [
      {
        method: 'PATCH',
        setupRequest: (request: Request) => ({
          ...request,
          path: `/v1/contacts/${next()}`,
          body: JSON.stringify({ lastName: `Run ${n}` }),
        }),
      },
    ]),
  ]);
  return { reads, writes, lost: reads.lost + writes.lost };
}

async function run(url: string, headers: Record<string, string>, connections: number, seconds: number, requests: object[]) {
  const result = await autocannon({ url, connections, duration: seconds, timeout: 10, headers, requests });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count;
  return {
    requests: result.requests.total,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    // Every answer but a 2xx, and every request that got none (connection error or timeout).
    lost: result.non2xx + result.errors,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

async function main(): Promise<number> {
  Logger.overrideLogger(['error', 'warn']);
  const dir = mkdtempSync(join(tmpdir(), 'atrium-faults-'));
  log(`logs and configs in ${dir}`);
  log(ensureHaproxy(log));
  await freshDatabase();
  const redis = await startRedis(dir);
  const instanceEnv = {
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL: redis.url,
    LOG_LEVEL: 'warn',
    MIGRATE_ON_BOOT: 'false',
    JOBS_ENABLED: 'false',
    CACHE_DEGRADED_FAILS_READINESS: 'false',
    RATE_LIMIT_FREE: '1000000',
    RATE_LIMIT_PRO: '1000000',
    RATE_LIMIT_ENTERPRISE: '1000000',
    AUTH_RATE_LIMIT_PER_IP: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL: '100000',
  };
  const instances = await Promise.all([startInstance('app1', dir, instanceEnv), startInstance('app2', dir, instanceEnv)]);
  const haproxy = await startHaproxy(
    dir,
    instances.map((instance) => instance.port),
  );
  const { key, contactIds } = await seed(haproxy.url);
  log(`2 instances behind haproxy ${haproxy.url}; warming up ${WARMUP_SECONDS} s`);
  await load(haproxy.url, key, contactIds, WARMUP_SECONDS);

  const phases = [];
  for (const scenario of SCENARIOS) {
    const fault =
      scenario === 'kill'
        ? { name: 'kill', inject: () => redis.kill(), heal: () => redis.restart() }
        : { name: 'freeze', inject: async () => redis.freeze(), heal: async () => redis.thaw() };
    phases.push(await phase(fault, haproxy, instances, key, contactIds));
  }
  const report = {
    at: new Date().toISOString(),
    setup: {
      instances: 2,
      haproxy: 'check GET /health/ready inter 500 fall 2 timeout check 1s',
      connections: { reads: Math.max(1, CONNECTIONS - 2), writes: 2 },
      faultSeconds: FREEZE_SECONDS,
      loadSeconds: BEFORE_SECONDS + FREEZE_SECONDS + AFTER_SECONDS,
      redisCommandTimeoutMs: Number(env.REDIS_COMMAND_TIMEOUT_MS ?? 1000),
    },
    phases,
  };
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${RESULTS}`);
  return phases.every((p) => p.load.lost === 0 && p.haproxy.every((server) => server.wentDown === 0)) ? 0 : 1;
}

interface Fault {
  readonly name: string;
  inject(): Promise<void>;
  heal(): Promise<void>;
}

/** Load through haproxy with `fault` from BEFORE_SECONDS for FREEZE_SECONDS; what was lost and what haproxy saw. */
async function phase(
  fault: Fault,
  haproxy: { url: string; socket: string },
  instances: readonly { url: string }[],
  key: string,
  contactIds: readonly string[],
) {
  const stopSampling = sampleReadiness(instances.map((instance) => instance.url));
  const before = await haproxyStats(haproxy.socket);
  const total = BEFORE_SECONDS + FREEZE_SECONDS + AFTER_SECONDS;
  log(`${fault.name}: load for ${total} s; Redis ${fault.name} from ${BEFORE_SECONDS} s to ${BEFORE_SECONDS + FREEZE_SECONDS} s`);
  const running = load(haproxy.url, key, contactIds, total);
  await sleep(BEFORE_SECONDS * 1000);
  await fault.inject();
  await sleep(FREEZE_SECONDS * 1000);
  await fault.heal();
  const result = await running;
  const readiness = stopSampling();
  const after = await haproxyStats(haproxy.socket);
  const servers = after.map((server) => {
    const earlier = before.find((b) => b.server === server.server);
    return {
      ...server,
      failedChecks: server.failedChecks - (earlier?.failedChecks ?? 0),
      wentDown: server.wentDown - (earlier?.wentDown ?? 0),
    };
  });
  for (const [name, part] of Object.entries({ reads: result.reads, writes: result.writes })) {
    log(
      `${name}: ${part.requests} requests, status codes ${JSON.stringify(part.statusCodes)}, errors ${part.errors}, ` +
        `timeouts ${part.timeouts}, lost ${part.lost}; latency p50 ${part.latencyMs.p50} ms, p99 ${part.latencyMs.p99} ms, ` +
        `max ${part.latencyMs.max} ms`,
    );
  }
  log(`lost ${result.lost}`);
  log(`readiness: ${readiness.samples} probes, slowest ${readiness.maxMs} ms, ${readiness.notReady} not 200`);
  for (const server of servers)
    log(`haproxy ${server.server}: ${server.status}, failed checks ${server.failedChecks}, went DOWN ${server.wentDown} times`);
  return { scenario: fault.name, load: result, readiness, haproxy: servers };
}

const watchdog = setTimeout(() => {
  log(`still running after ${TIMEOUT_SECONDS} s: stopping`);
  void stopAll().finally(() => process.exit(2));
}, TIMEOUT_SECONDS * 1000);

main()
  .then(async (code) => {
    clearTimeout(watchdog);
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    clearTimeout(watchdog);
    log(`failed: ${(error as Error).stack ?? error}`);
    await stopAll();
    process.exit(1);
  });
