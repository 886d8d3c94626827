import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { freePort } from '../../support/free-port';
import { eventually } from './private-redis';

type Admin = ReturnType<typeof createAdmin>;

function createAdmin(port: number) {
  return createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false } });
}

/** One `redis-server` (data node or Sentinel) of the topology. */
interface Node {
  readonly port: number;
  process: ChildProcess | null;
}

/**
 * A Redis replication group of this spec's own, watched by three Sentinels: one primary and two
 * replicas (`--replicaof`) and three `redis-server --sentinel` processes with generated config files
 * in a temp dir, all on free loopback ports. Sentinels declare a primary down after 1 s without an
 * answer, so a hard kill is failed over within a few seconds.
 */
export class PrivateSentinelGroup {
  private readonly admins = new Map<number, Admin>();

  private constructor(
    readonly masterName: string,
    private readonly dir: string,
    readonly dataNodes: Node[],
    readonly sentinels: Node[],
  ) {}

  static async start(masterName = 'atrium-test'): Promise<PrivateSentinelGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-sentinel-'));
    const ports = [];
    for (let i = 0; i < 6; i += 1) ports.push(await freePort());
    const group = new PrivateSentinelGroup(
      masterName,
      dir,
      ports.slice(0, 3).map((port) => ({ port, process: null })),
      ports.slice(3).map((port) => ({ port, process: null })),
    );
    const [primary, ...replicas] = group.dataNodes;
    await group.spawnDataNode(primary, []);
    for (const replica of replicas) await group.spawnDataNode(replica, ['--replicaof', '127.0.0.1', String(primary.port)]);
    await group.until(async () => (await group.info(primary.port, 'replication')).includes('connected_slaves:2'), 'replicas to attach');
    for (const sentinel of group.sentinels) await group.spawnSentinel(sentinel, primary.port);
    await group.untilSettled();
    return group;
  }

  /** The `REDIS_SENTINELS` value that reaches this group. */
  get sentinelList(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  /** The primary's port as the Sentinels name it. */
  async masterPort(): Promise<number> {
    const reply = (await this.command(this.sentinels[0].port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName])) as string[];
    return Number(reply[1]);
  }

  /**
   * Waits until every Sentinel knows the primary, the live replicas and the two other Sentinels,
   * and every live replica is in sync: only then can a failover be agreed and a replica promoted.
   */
  async untilSettled(): Promise<void> {
    const master = await this.masterPort();
    const live = this.dataNodes.filter((node) => node.process !== null && node.port !== master);
    await this.until(async () => {
      for (const sentinel of this.sentinels) {
        const peers = (await this.command(sentinel.port, ['SENTINEL', 'SENTINELS', this.masterName])) as unknown[];
        const replicas = (await this.command(sentinel.port, ['SENTINEL', 'REPLICAS', this.masterName])) as string[][];
        const healthy = replicas.filter((fields) => {
          const flags = fields[fields.indexOf('flags') + 1];
          return flags === 'slave' && fields[fields.indexOf('master-link-status') + 1] === 'ok';
        });
        if (peers.length !== this.sentinels.length - 1 || healthy.length < live.length) return false;
      }
      for (const replica of live) {
        if (!(await this.info(replica.port, 'replication')).includes('master_link_status:up')) return false;
      }
      return true;
    }, 'the Sentinels to agree on the topology');
  }

  /**
   * Resolves with the new primary's port at the next `+switch-master` any Sentinel publishes; the
   * subscription is in place when this returns.
   */
  async nextSwitch(): Promise<{ readonly switched: Promise<number> }> {
    const subscriber = createClient({ socket: { host: '127.0.0.1', port: this.sentinels[1].port, reconnectStrategy: false } });
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    let resolveSwitch: (port: number) => void = () => undefined;
    const switched = new Promise<number>((resolve) => (resolveSwitch = resolve));
    // "<name> <old-ip> <old-port> <new-ip> <new-port>"
    await subscriber.subscribe('+switch-master', (message) => resolveSwitch(Number(message.split(' ')[4])));
    // Wrapped: an async function returning the promise itself would wait for the switch.
    return {
      switched: switched.finally(() => {
        if (subscriber.isOpen) subscriber.destroy();
      }),
    };
  }

  /** A planned failover: the Sentinels promote a replica without the primary failing. */
  async failover(): Promise<void> {
    await this.command(this.sentinels[0].port, ['SENTINEL', 'FAILOVER', this.masterName]);
  }

  /** Kills the process on `port` with SIGKILL: no goodbye to its clients, as with a lost machine. */
  async kill(port: number): Promise<void> {
    const node = [...this.dataNodes, ...this.sentinels].find((candidate) => candidate.port === port);
    const child = node?.process;
    if (!node || !child) return;
    node.process = null;
    this.dropAdmin(port);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async get(port: number, key: string): Promise<string | null> {
    return (await this.command(port, ['GET', key])) as string | null;
  }

  async role(port: number): Promise<string> {
    return ((await this.command(port, ['ROLE'])) as unknown[])[0] as string;
  }

  async dispose(): Promise<void> {
    for (const port of [...this.admins.keys()]) this.dropAdmin(port);
    for (const node of [...this.sentinels, ...this.dataNodes]) await this.kill(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawnDataNode(node: Node, extra: string[]): Promise<void> {
    const args = ['--port', String(node.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra];
    await this.spawn(node, args);
  }

  private async spawnSentinel(node: Node, masterPort: number): Promise<void> {
    // Sentinel rewrites its config file as it learns the topology, so each has its own, writable.
    const file = join(this.dir, `sentinel-${node.port}.conf`);
    writeFileSync(
      file,
      [
        `port ${node.port}`,
        'bind 127.0.0.1',
        'daemonize no',
        `dir ${this.dir}`,
        `sentinel monitor ${this.masterName} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${this.masterName} 1000`,
        `sentinel failover-timeout ${this.masterName} 10000`,
        `sentinel parallel-syncs ${this.masterName} 1`,
        '',
      ].join('\n'),
    );
    await this.spawn(node, [file, '--sentinel']);
  }

  private async spawn(node: Node, args: string[]): Promise<void> {
    const child = spawn('redis-server', args, { cwd: this.dir, stdio: 'ignore' });
    node.process = child;
    await this.until(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server ${args.join(' ')} exited with ${child.exitCode}`);
      return (await this.ping(node.port)) === 'PONG';
    }, `redis-server to answer on ${node.port}`);
  }

  private async ping(port: number): Promise<string | null> {
    return (await this.command(port, ['PING']).catch(() => null)) as string | null;
  }

  /**
   * One command on the node's admin connection, opened on first use. A failover closes the data
   * nodes' client connections (CLIENT KILL), so a failed command is sent once more on a new one.
   */
  private async command(port: number, args: string[]): Promise<unknown> {
    try {
      return await this.admin(port).sendCommand(args);
    } catch {
      this.dropAdmin(port);
      return this.admin(port).sendCommand(args);
    }
  }

  private async info(port: number, section: string): Promise<string> {
    return (await this.command(port, ['INFO', section])) as string;
  }

  private dropAdmin(port: number): void {
    const admin = this.admins.get(port);
    this.admins.delete(port);
    if (admin?.isOpen) admin.destroy();
  }

  /** The node's admin connection (commands sent before it is connected wait for it). */
  private admin(port: number): Admin {
    let admin = this.admins.get(port);
    if (!admin) {
      admin = createAdmin(port);
      admin.on('error', () => undefined);
      admin.connect().catch(() => undefined);
      this.admins.set(port, admin);
    }
    return admin;
  }

  private async until(check: () => Promise<boolean>, what: string): Promise<void> {
    const swallow = async () => {
      try {
        return await check();
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('redis-server ')) throw error;
        return false;
      }
    };
    if (!(await eventually(swallow, 20_000))) throw new Error(`timed out waiting for ${what}`);
  }
}
