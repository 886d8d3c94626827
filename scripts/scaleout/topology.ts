import { Client } from 'pg';
import { loadConfig, withDatabaseUrl } from '../../src/config';
import { RUNTIME_DB_ROLE } from '../../src/database';
import { applyMigrations } from '../../src/database/migrate';
import { PrivatePostgres } from '../../test/e2e/faults/private-postgres';
import { PrivateSentinelGroup } from '../../test/e2e/caching/private-sentinel';
import { PrivatePgBouncer } from '../../test/support/private-pgbouncer';
import { ensureHaproxy, startHaproxy, startInstance, stopAll } from '../faults/processes';

/** The app's login role through PgBouncer: a member of the runtime role that owns nothing (README: PgBouncer). */
const LOGIN_ROLE = 'atrium_login';
/** PostgreSQL sessions PgBouncer keeps towards the primary for the app (both instances together). */
const PGBOUNCER_POOL_SIZE = 10;
/** Each instance's client connections (to PgBouncer, and to the replica). */
const INSTANCE_POOL_MAX = 10;
const SENTINEL_MASTER = 'atrium-scaleout';
/** Lets the run read the replica fallback counters of each instance (`/metrics` is closed in production). */
export const METRICS_TOKEN = 'scaleout-run-metrics-token';

export interface Topology {
  readonly primary: PrivatePostgres;
  readonly replica: PrivatePostgres;
  readonly bouncer: PrivatePgBouncer;
  readonly redis: PrivateSentinelGroup;
  readonly instances: readonly { readonly url: string; readonly port: number; readonly pid: number }[];
  readonly haproxy: { readonly url: string; readonly socket: string };
}

/** What has been started, newest last: stopped in reverse by `stopTopology`, also after a failed start. */
const started: { name: string; stop: () => Promise<void> }[] = [];

/**
 * Everything of the scale-out topology, on loopback with free ports and temp dirs: a PostgreSQL
 * primary (migrated as its owner) with a streaming replica, PgBouncer in transaction mode in front
 * of the primary, Redis as a primary, two replicas and three Sentinels, two Atrium instances from
 * the sources in production mode, and haproxy in front of them checking /health/ready.
 */
export async function startTopology(dir: string, log: (message: string) => void): Promise<Topology> {
  log(ensureHaproxy(log));
  const primary = await PrivatePostgres.start();
  started.push({ name: 'postgres primary', stop: () => primary.dispose() });
  await migrate(primary.url);
  log(`postgres primary ${primary.url} migrated; login role ${LOGIN_ROLE} in ${RUNTIME_DB_ROLE}`);

  const replica = await primary.startReplica();
  started.push({ name: 'postgres replica', stop: () => replica.dispose() });
  log(`postgres replica on port ${replica.port} (pg_basebackup -R, hot standby)`);

  const bouncer = await PrivatePgBouncer.start(asLogin(primary.url), { poolSize: PGBOUNCER_POOL_SIZE });
  started.push({ name: 'pgbouncer', stop: () => bouncer.stop() });
  log(`pgbouncer on port ${bouncer.port} (transaction mode, default_pool_size ${PGBOUNCER_POOL_SIZE})`);

  const redis = await PrivateSentinelGroup.start(SENTINEL_MASTER);
  started.push({ name: 'redis + sentinels', stop: () => redis.dispose() });
  log(`redis primary on port ${await redis.masterPort()}, sentinels ${redis.sentinelList}`);

  // Instances and haproxy are children of this process: stopAll (processes.ts) stops them.
  started.push({ name: 'atrium instances and haproxy', stop: stopAll });
  const env = instanceEnv({ database: bouncer.url(), replica: asLogin(replica.url), sentinels: redis.sentinelList });
  const instances = await Promise.all([startInstance('app1', dir, env), startInstance('app2', dir, env)]);
  const haproxy = await startHaproxy(
    dir,
    instances.map((instance) => instance.port),
  );
  log(`atrium on ports ${instances.map((i) => i.port).join(', ')} behind haproxy ${haproxy.url}`);
  return { primary, replica, bouncer, redis, instances, haproxy };
}

/** Stops whatever `startTopology` started, newest first; a failure to stop one does not keep the others running. */
export async function stopTopology(log: (message: string) => void): Promise<void> {
  for (let next = started.pop(); next; next = started.pop()) {
    await next.stop().catch((error: unknown) => log(`stopping ${next?.name} failed: ${String(error)}`));
  }
}

/** Migrations as the owner, directly (never through PgBouncer); then the login role the app uses. */
async function migrate(url: string): Promise<void> {
  await applyMigrations(withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'production', DATABASE_URL: url }), url));
  const owner = new Client({ connectionString: url });
  await owner.connect();
  try {
    await owner.query(`create role ${LOGIN_ROLE} login in role ${RUNTIME_DB_ROLE}`);
    // PgBouncer drops the start-up `statement_timeout`: the role carries one for what runs outside transactions.
    await owner.query(`alter role ${LOGIN_ROLE} set statement_timeout = '15s'`);
  } finally {
    await owner.end();
  }
}

function asLogin(url: string): string {
  const login = new URL(url);
  login.username = LOGIN_ROLE;
  return login.toString();
}

/** Production mode, as deployed; limits high enough that the load never meets them, jobs off (not measured here). */
function instanceEnv(urls: { database: string; replica: string; sentinels: string }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: urls.database,
    DATABASE_REPLICA_URL: urls.replica,
    DATABASE_POOL_MAX: String(INSTANCE_POOL_MAX),
    REDIS_SENTINELS: urls.sentinels,
    REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
    METRICS_TOKEN,
    LOG_LEVEL: 'warn',
    MIGRATE_ON_BOOT: 'false',
    JOBS_ENABLED: 'false',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    RATE_LIMIT_FREE: '1000000',
    RATE_LIMIT_PRO: '1000000',
    RATE_LIMIT_ENTERPRISE: '1000000',
    AUTH_RATE_LIMIT_PER_IP: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL: '100000',
  };
}
