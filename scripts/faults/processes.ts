import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** Child processes of the fault run: all on 127.0.0.1, all stopped by `stopAll`. */
const children = new Set<ChildProcess>();
const ROOT = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function track(child: ChildProcess, logFile: string): ChildProcess {
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function stopAll(): Promise<void> {
  const exits = [...children].map(
    (child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))),
  );
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  }
  const killer = setTimeout(() => [...children].forEach((child) => child.kill('SIGKILL')), 5_000);
  await Promise.all(exits);
  clearTimeout(killer);
}

/** haproxy from the Debian package, installed when missing. */
export function ensureHaproxy(log: (message: string) => void): string {
  const version = () => execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  try {
    return version();
  } catch {
    log('haproxy is missing: installing the Debian package (apt-get install -y haproxy)');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const apt = (args: string[]) =>
      execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    try {
      apt(['install', '-y', 'haproxy']);
    } catch {
      apt(['update']);
      apt(['install', '-y', 'haproxy']);
    }
    return version();
  }
}

export interface RunRedis {
  readonly url: string;
  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** SIGKILL: connections drop, the port refuses. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps no data). */
  restart(): Promise<void>;
}

/** A redis-server of the run's own, which the run freezes or kills and restarts. */
export async function startRedis(dir: string): Promise<RunRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = track(
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { cwd: dir }),
      join(dir, 'redis.log'),
    );
    const deadline = Date.now() + 5_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await sleep(50);
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    restart: start,
  };
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => (socket.destroy(), resolve(chunk.toString().startsWith('+PONG'))));
  });
}

/** One Atrium instance from the sources (no build, nothing written to dist/), ready once /health/ready says 200. */
export async function startInstance(
  name: string,
  dir: string,
  env: Record<string, string>,
): Promise<{ url: string; port: number; pid: number }> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env, HOST: '127.0.0.1', PORT: String(port) },
    }),
    join(dir, `${name}.log`),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { url, port, pid: child.pid ?? 0 };
    if (Date.now() > deadline) throw new Error(`${name} did not become ready (see ${dir}/${name}.log)`);
    await sleep(200);
  }
}

/** haproxy in front of the instances, checking /health/ready as in the incident: inter 500, fall 2, timeout check 1s. */
export async function startHaproxy(dir: string, backends: readonly number[]): Promise<{ url: string; socket: string }> {
  const port = await freePort();
  const socket = join(dir, 'haproxy.sock');
  const config = [
    'global',
    `  stats socket ${socket} level admin`,
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout check 1s',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend atrium',
    'backend atrium',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    ...backends.map((backend, i) => `  server app${i + 1} 127.0.0.1:${backend} check inter 500 fall 2 rise 2`),
    '',
  ].join('\n');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'haproxy.cfg'), config);
  track(spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { cwd: dir }), join(dir, 'haproxy.log'));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (
    (await fetch(`${url}/health/live`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error('haproxy did not start (see haproxy.log)');
    await sleep(100);
  }
  return { url, socket };
}

/** `show stat` over haproxy's admin socket: per server, status, failed checks and transitions to DOWN. */
export function haproxyStats(socket: string): Promise<{ server: string; status: string; failedChecks: number; wentDown: number }[]> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let text = '';
    connection.once('error', reject);
    connection.on('data', (chunk) => (text += chunk.toString()));
    connection.once('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const columns = header.replace(/^# /, '').split(',');
      const at = (row: string[], name: string) => row[columns.indexOf(name)];
      resolve(
        rows
          .map((line) => line.split(','))
          .filter((row) => at(row, 'svname')?.startsWith('app'))
          .map((row) => ({
            server: at(row, 'svname'),
            status: at(row, 'status'),
            failedChecks: Number(at(row, 'chkfail') || 0),
            wentDown: Number(at(row, 'chkdown') || 0),
          })),
      );
    });
    connection.write('show stat\n');
  });
}

/** One command on haproxy's admin socket (e.g. `disable server atrium/app2`); its whole answer. */
export function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let text = '';
    connection.once('error', reject);
    connection.on('data', (chunk) => (text += chunk.toString()));
    connection.once('end', () => resolve(text.trim()));
    connection.write(`${command}\n`);
  });
}
