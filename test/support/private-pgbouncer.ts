import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/**
 * What Atrium needs from PgBouncer in transaction pooling mode, as measured against PgBouncer 1.18
 * (Debian bookworm):
 * - `ignore_startup_parameters = statement_timeout,options`: node-postgres sends the app's
 *   `statement_timeout` and `options` (`-c role=atrium_app`) in the startup packet, and PgBouncer
 *   refuses a client that sends a parameter it does not track ("unsupported startup parameter").
 *   Ignored, neither reaches PostgreSQL: the server connection keeps the role and the timeout of
 *   the login user. `application_name` is tracked by PgBouncer and passes. extra_float_digits is
 *   not sent by node-postgres.
 * - No named prepared statements: node-postgres sends parameterised queries as unnamed statements
 *   and knex never names one, so nothing outlives a transaction.
 * - `server_reset_query` is not run in transaction mode: the tenant settings must be (and are)
 *   transaction-local.
 */
export const REQUIRED_IGNORE_STARTUP_PARAMETERS = 'statement_timeout,options';

export interface PrivatePgBouncerOptions {
  /** Server connections per (database, user) pool (`default_pool_size`). Default 3. */
  readonly poolSize?: number;
  /** `max_client_conn`. Default 1000. */
  readonly maxClientConnections?: number;
  /** `ignore_startup_parameters`. Default REQUIRED_IGNORE_STARTUP_PARAMETERS. */
  readonly ignoreStartupParameters?: string;
  /** A client waiting longer than this for a server connection is dropped (`query_wait_timeout`). Default 20. */
  readonly queryWaitTimeoutSeconds?: number;
}

/** One row of the admin console's SHOW POOLS. */
export interface PgBouncerPool {
  readonly database: string;
  readonly user: string;
  readonly clientConnections: number;
  readonly waitingClients: number;
  readonly serverConnections: number;
}

/** How long the process may take to listen; it listens in milliseconds, the bound is for a loaded machine. */
const START_TIMEOUT_MS = 15_000;

/**
 * A pgbouncer process of the caller's own, in transaction pooling mode, in front of the
 * PostgreSQL of a given URL, on a free loopback port, with a config generated in a temporary
 * directory. Any database name maps to the same name upstream (`* =`), so scratch databases work
 * through it. Clients are trusted (loopback only); towards PostgreSQL it logs in with the user
 * and password of the upstream URL. Run as root, pgbouncer (which refuses root) runs as the
 * `postgres` OS user (or `nobody`).
 */
export class PrivatePgBouncer {
  private readonly logLines: string[] = [];
  private adminClient: Promise<Client> | null = null;

  private constructor(
    readonly port: number,
    private readonly upstream: URL,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<number | null>,
  ) {
    const keep = (chunk: Buffer) => {
      this.logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.logLines.length > 500) this.logLines.splice(0, this.logLines.length - 500);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts pgbouncer in front of the server of `upstreamUrl` and resolves once it accepts a connection. */
  static async start(upstreamUrl: string, options: PrivatePgBouncerOptions = {}): Promise<PrivatePgBouncer> {
    // A port found free may be taken before pgbouncer binds it: try another then.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await PrivatePgBouncer.startOnce(new URL(upstreamUrl), await freePort(), options);
      } catch (error) {
        lastError = error;
        if (!/Address already in use/i.test(String(error))) break;
      }
    }
    throw lastError;
  }

  /** `upstreamUrl`'s user, password, database and parameters, but through this pgbouncer. */
  url(database?: string): string {
    const url = new URL(this.upstream.toString());
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    if (database !== undefined) url.pathname = `/${database}`;
    return url.toString();
  }

  /** Runs one command on the admin console (the `pgbouncer` database: SHOW POOLS, SHOW STATS, ...), on one kept connection. */
  async admin<T = Record<string, unknown>>(command: string): Promise<T[]> {
    this.adminClient ??= (async () => {
      const client = new Client({ connectionString: this.url('pgbouncer') });
      client.on('error', () => (this.adminClient = null));
      await client.connect();
      return client;
    })();
    const client = await this.adminClient.catch((error: unknown) => {
      this.adminClient = null;
      throw error;
    });
    // The admin console speaks the simple query protocol only: no parameters.
    return (await client.query(command)).rows as T[];
  }

  /** SHOW POOLS, with the server connections of each pool summed (active, idle, used, tested, logging in). */
  async pools(): Promise<PgBouncerPool[]> {
    const rows = await this.admin<Record<string, string | number>>('SHOW POOLS');
    const n = (value: string | number | undefined) => Number(value ?? 0);
    return rows
      .filter((row) => row.database !== 'pgbouncer')
      .map((row) => ({
        database: String(row.database),
        user: String(row.user),
        clientConnections: n(row.cl_active) + n(row.cl_waiting),
        waitingClients: n(row.cl_waiting),
        serverConnections: n(row.sv_active) + n(row.sv_idle) + n(row.sv_used) + n(row.sv_tested) + n(row.sv_login),
      }));
  }

  /** pgbouncer's recent log lines, for a failure message. */
  log(): string {
    return this.logLines.join('\n');
  }

  /** Stops pgbouncer (SIGTERM: immediate shutdown in 1.18; SIGKILL after 3 s) and removes its directory. */
  async stop(): Promise<void> {
    const admin = this.adminClient;
    this.adminClient = null;
    await admin?.then((client) => client.end()).catch(() => undefined);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
      await this.exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private static async startOnce(upstream: URL, port: number, options: PrivatePgBouncerOptions): Promise<PrivatePgBouncer> {
    const user = decodeURIComponent(upstream.username) || 'postgres';
    const password = decodeURIComponent(upstream.password);
    const dir = mkdtempSync(join(tmpdir(), 'atrium-pgbouncer-'));
    const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
    const upstreamHost = upstream.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    writeFileSync(join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        // Every name to the same name upstream: the app's start-up check (MikroORM's ensureDatabase)
        // looks its database up by the name it connected with, and would try to create an alias.
        `* = host=${upstreamHost} port=${upstream.port || '5432'}`,
        '',
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        // Clients are the tests on loopback; towards PostgreSQL the auth_file password is used.
        'auth_type = trust',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        `admin_users = ${user}`,
        'pool_mode = transaction',
        `default_pool_size = ${options.poolSize ?? 3}`,
        'min_pool_size = 0',
        'reserve_pool_size = 0',
        `max_client_conn = ${options.maxClientConnections ?? 1000}`,
        `ignore_startup_parameters = ${options.ignoreStartupParameters ?? REQUIRED_IGNORE_STARTUP_PARAMETERS}`,
        `query_wait_timeout = ${options.queryWaitTimeoutSeconds ?? 20}`,
        'log_connections = 0',
        'log_disconnections = 0',
        'log_pooler_errors = 1',
        'stats_period = 60',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const owner = runAsUser();
    if (owner) for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), owner.uid, owner.gid);

    const child = spawn(pgbouncerBinary(), [join(dir, 'pgbouncer.ini')], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const bouncer = new PrivatePgBouncer(port, upstream, dir, child, exited);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pgbouncer did not listen on ${port} in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        const listening = new RegExp(`listening on 127\\.0\\.0\\.1:${port}\\b`);
        const watch = (chunk: Buffer) => {
          if (listening.test(chunk.toString('utf8')) || listening.test(bouncer.log())) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stderr?.on('data', watch);
        child.stdout?.on('data', watch);
        child.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          const missing = error.code === 'ENOENT' ? ' (install it: apt-get install pgbouncer, or set PGBOUNCER_BIN)' : '';
          reject(new Error(`pgbouncer did not start: ${error.message}${missing}`));
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`pgbouncer exited with ${code} before listening:\n${bouncer.log()}`));
        });
      });
      // It listens: one round trip on the admin console proves it answers.
      await bouncer.admin('SHOW VERSION');
      return bouncer;
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
  }
}

function pgbouncerBinary(): string {
  if (process.env.PGBOUNCER_BIN) return process.env.PGBOUNCER_BIN;
  // Debian installs it in /usr/sbin, which a non-root PATH may lack.
  return existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';
}

/** pgbouncer refuses to run as root: then it runs as the `postgres` OS user, or `nobody`. */
function runAsUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((fields) => fields[0] === name);
    if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user to run pgbouncer as');
}
