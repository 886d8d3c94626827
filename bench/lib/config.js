'use strict';

const { randomBytes } = require('node:crypto');
const path = require('node:path');

const BENCH_DIR = path.resolve(__dirname, '..');
const PROJECT_DIR = path.resolve(BENCH_DIR, '..');

function int(name, fallback, { min = 1, max = 1e9 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/**
 * Everything the run can be told, from flags and BENCH_* variables. `--smoke` is the CI mode:
 * a tiny data set in its own database, one short round per server and scenario.
 */
function loadConfig(argv) {
  const flags = new Set(argv);
  for (const flag of flags) {
    if (!['--smoke', '--strict', '--reseed', '--help'].includes(flag)) throw new Error(`unknown flag ${flag} (see bench/README.md)`);
  }
  if (flags.has('--help')) {
    process.stdout.write('usage: node bench/run.js [--smoke] [--strict] [--reseed]   (variables: see bench/README.md)\n');
    process.exit(0);
  }
  const smoke = flags.has('--smoke');
  const databaseUrl =
    process.env.BENCH_DATABASE_URL || `postgres://postgres@127.0.0.1:5432/${smoke ? 'atrium_bench_smoke' : 'atrium_bench'}`;
  const databaseName = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(databaseName)) throw new Error('the bench database name may use letters, digits and _ only');
  if (!/bench/.test(databaseName)) {
    // The harness creates, cleans and may drop this database: never let it near a real one.
    throw new Error(`the bench database name must contain "bench" (got ${databaseName})`);
  }
  const smallDatabaseUrl =
    process.env.BENCH_SMALL_DATABASE_URL || (smoke ? databaseUrl : 'postgres://postgres@127.0.0.1:5432/atrium_bench_small');
  const smallDatabaseName = decodeURIComponent(new URL(smallDatabaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(smallDatabaseName) || !/bench/.test(smallDatabaseName)) {
    throw new Error(
      `the small-table bench database name must contain "bench" and use letters, digits and _ only (got ${smallDatabaseName})`,
    );
  }
  const sets = (process.env.BENCH_SETS || 'large,small')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const set of sets) if (!['large', 'small'].includes(set)) throw new Error(`BENCH_SETS takes large and/or small (got ${set})`);
  const scenarioFilter = (process.env.BENCH_SCENARIOS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return Object.freeze({
    mode: smoke ? 'smoke' : 'full',
    strict: flags.has('--strict'),
    reseed: flags.has('--reseed'),
    benchDir: BENCH_DIR,
    projectDir: PROJECT_DIR,
    stateDir: path.join(BENCH_DIR, '.state'),
    resultsFile: process.env.BENCH_RESULTS || path.join(BENCH_DIR, 'results', smoke ? 'smoke.json' : 'latest.json'),
    databaseUrl,
    databaseName,
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/3',
    orgs: int('BENCH_ORGS', smoke ? 2 : 50, { max: 10_000 }),
    contactsPerOrg: int('BENCH_CONTACTS', smoke ? 300 : 20_000, { max: 10_000_000 }),
    durationSec: int('BENCH_DURATION', smoke ? 1 : 10, { max: 3600 }),
    warmupSec: int('BENCH_WARMUP', smoke ? 0 : 3, { min: 0, max: 600 }),
    rounds: int('BENCH_ROUNDS', smoke ? 1 : 2, { max: 100 }),
    connections: int('BENCH_CONNECTIONS', smoke ? 8 : 32, { max: 10_000 }),
    /** How many distinct contact ids the cache-miss scenario may use (split between the servers). */
    missIds: int('BENCH_MISS_IDS', smoke ? 600 : 400_000, { max: 10_000_000 }),
    scenarioFilter,
    /** Which sets run: `large` (the 1M-row data set against bare-server.js) and `small` (3,000 contacts against two references). */
    sets,
    /**
     * The small-table set (README: "The small table"): one org of `contacts` contacts in its own
     * database (in a smoke run: the first org of the smoke data set), Atrium with a 1 s cache TTL.
     */
    small: Object.freeze({
      databaseUrl: smallDatabaseUrl,
      databaseName: smallDatabaseName,
      /** Shares the large set's database (a smoke run): no second data set, the first org is measured. */
      sharesDatabase: smallDatabaseUrl === databaseUrl,
      contacts: int('BENCH_SMALL_CONTACTS', 3_000, { max: 1_000_000 }),
      durationSec: int('BENCH_SMALL_DURATION', smoke ? 1 : 10, { max: 3600 }),
      warmupSec: int('BENCH_SMALL_WARMUP', smoke ? 0 : 3, { min: 0, max: 600 }),
      rounds: int('BENCH_SMALL_ROUNDS', smoke ? 1 : 3, { max: 100 }),
      connections: int('BENCH_SMALL_CONNECTIONS', smoke ? 8 : 32, { max: 10_000 }),
      cacheTtlSeconds: int('BENCH_SMALL_CACHE_TTL_SECONDS', 1, { max: 86_400 }),
    }),
    /** A bearer token for Atrium's GET /metrics, new each run. */
    metricsToken: randomBytes(24).toString('hex'),
    /** Extra node flags for Atrium only (e.g. `--max-old-space-size=160`), to measure a heap cap. */
    atriumNodeOptions: (process.env.BENCH_ATRIUM_NODE_OPTIONS || '').split(' ').filter(Boolean),
    /** Where Atrium writes a V8 CPU profile of the whole run (lib/cpu-profile-preload.js); off when unset. */
    cpuProfileDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  });
}

module.exports = { loadConfig, BENCH_DIR, PROJECT_DIR };
