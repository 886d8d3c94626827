import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/free-port';

const run = promisify(execFile);
const OS_USER = 'postgres';

/** The newest PostgreSQL installed from Debian packages. */
function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((x, y) => Number(y) - Number(x));
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, trust auth, loopback only, its
 * own port), which the test may stop and start again: the shared server is never touched. Runs
 * as the `postgres` OS user when the tests run as root (PostgreSQL refuses to run as root).
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly maxConnections = 40,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, ...ids());
    const server = new PrivatePostgres(await freePort(), dir);
    await server.as(join(binDir(), 'initdb'), ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await server.resume();
    await server.as(join(binDir(), 'createdb'), ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', 'atrium']);
    return server;
  }

  /**
   * A streaming replica of this cluster (initdb's defaults allow replication connections from
   * loopback, and wal_level is `replica`): `pg_basebackup -R` copies it and writes its
   * `primary_conninfo`, and the copy starts as a hot standby on a port of its own.
   */
  async startReplica(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-replica-'));
    if (process.getuid?.() === 0) chownSync(dir, ...ids());
    const replica = new PrivatePostgres(await freePort(), dir, 60);
    await replica.as(join(binDir(), 'pg_basebackup'), [
      ...['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres'],
      ...['-D', replica.dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    await replica.resume();
    return replica;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/atrium`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${this.maxConnections}`;
    await this.as(join(binDir(), 'pg_ctl'), ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', 'start']);
  }

  /** `pg_ctl stop -m fast`: connections are terminated (57P01) and new ones refused. */
  async stop(): Promise<void> {
    await this.as(join(binDir(), 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async as(command: string, args: string[]): Promise<void> {
    if (process.getuid?.() === 0) await run('runuser', ['-u', OS_USER, '--', command, ...args], { cwd: this.dir });
    else await run(command, args, { cwd: this.dir });
  }
}

function ids(): [number, number] {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((entry) => entry.startsWith(`${OS_USER}:`));
  if (!line) throw new Error(`no ${OS_USER} OS user`);
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
