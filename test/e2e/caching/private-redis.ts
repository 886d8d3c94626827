import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';

/**
 * A redis-server of this spec file's own, on a free port, so no other suite can see or disturb
 * its keys. It can be stopped and started again on the same port (an outage), optionally keeping
 * its data across the restart (`SAVE` first: Redis returning with what it held, as after a
 * network partition or with persistence on).
 */
export class PrivateRedis {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'atrium-redis-')));
    await redis.resume();
    return redis;
  }

  /** `db` selects one of the server's numbered databases. */
  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** Starts the server again on the same port (loading the data kept by `stop({ keepData: true })`). */
  async resume(): Promise<void> {
    if (this.process) throw new Error('redis-server is running already');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { cwd: this.dir, stdio: 'ignore' },
    );
    this.process = child;
    const deadline = Date.now() + 5_000;
    while (!(await this.command('PING')).startsWith('+PONG')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await sleep(25);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 3 s); with keepData its keys are saved first. */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    const child = this.process;
    if (!child) return;
    if (options.keepData && !(await this.command('SAVE')).startsWith('+OK')) throw new Error('redis SAVE failed');
    this.process = null;
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(killer);
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as with a network black hole. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    this.thaw();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Sends one inline command and returns the raw first reply ('' when nothing answers). */
  command(line: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: this.port });
      let reply = '';
      const finish = () => {
        socket.destroy();
        resolve(reply);
      };
      socket.setTimeout(2_000, finish);
      socket.once('error', finish);
      socket.once('connect', () => socket.write(`${line}\r\n`));
      socket.on('data', (chunk) => {
        reply += chunk.toString('utf8');
        if (reply.endsWith('\r\n')) finish();
      });
    });
  }

  /** The keys of database `db` matching `pattern` (the reply of KEYS, parsed). */
  async keys(pattern: string, db = 0): Promise<string[]> {
    const reply = await new Promise<string>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: this.port });
      let text = '';
      socket.setTimeout(2_000, () => socket.destroy());
      socket.once('error', () => resolve(''));
      socket.once('close', () => resolve(text));
      socket.once('connect', () => socket.end(`SELECT ${db}\r\nKEYS ${pattern}\r\nQUIT\r\n`));
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    });
    return reply
      .split('\r\n')
      .filter((line, index, lines) => index > 0 && lines[index - 1].startsWith('$'))
      .filter((line) => line !== '');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
