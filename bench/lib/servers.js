'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS of a process in bytes, or null once it is gone. */
function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process, in seconds. */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by every process whose command line passes `matches`, by pid. */
function processesCpu(matches) {
  const cpu = new Map();
  let pids = [];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return cpu;
  }
  for (const pid of pids) {
    try {
      if (!matches(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      const seconds = cpuSecondsOf(pid);
      if (seconds !== null) cpu.set(pid, seconds);
    } catch {
      // gone meanwhile
    }
  }
  return cpu;
}

/** The PostgreSQL backends serving the bench database, and the Redis server (shared with anyone else using it). */
const postgresBackends = (database) => processesCpu((cmd) => cmd.startsWith('postgres: ') && cmd.includes(` ${database} `));
const redisServer = (port) => processesCpu((cmd) => cmd.startsWith('redis-server') && cmd.includes(`:${port}`));

function cpuPctSince(before, after, wall) {
  let seconds = 0;
  for (const [pid, s] of after) seconds += s - (before.get(pid) ?? 0);
  return (100 * seconds) / wall;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] || 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Samples a server process while a load run lasts: the highest VmRSS seen, the CPU it used (in %
 * of one core), the CPU of the PostgreSQL backends serving the bench database and of the Redis
 * server, and how busy the whole machine was (so noise from other work shows).
 */
function startSampler(pid, { database, redisPort, intervalMs = 200 } = {}) {
  const started = Date.now();
  const pg0 = postgresBackends(database);
  const redis0 = redisServer(redisPort);
  const cpu0 = cpuSecondsOf(pid);
  const machine0 = machineTicks();
  const self0 = process.cpuUsage();
  let maxRss = rssOf(pid) ?? 0;
  const timer = setInterval(() => {
    const rss = rssOf(pid);
    if (rss !== null && rss > maxRss) maxRss = rss;
  }, intervalMs);
  return () => {
    clearInterval(timer);
    const rss = rssOf(pid);
    if (rss !== null && rss > maxRss) maxRss = rss;
    const wall = (Date.now() - started) / 1000;
    const cpu1 = cpuSecondsOf(pid);
    const machine1 = machineTicks();
    const self = process.cpuUsage(self0);
    return {
      postgresCpuPct: cpuPctSince(pg0, postgresBackends(database), wall),
      redisCpuPct: cpuPctSince(redis0, redisServer(redisPort), wall),
      maxRssBytes: maxRss,
      serverCpuPct: cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / wall : null,
      serverCpuSeconds: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
      loadGenCpuPct: (100 * (self.user + self.system)) / 1e6 / wall,
      machineBusyPct:
        machine0 && machine1 && machine1.total > machine0.total
          ? (100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total)
          : null,
    };
  };
}

/**
 * A server under test as a child process: output to a log file, ready once GET /health/live
 * answers 200, stopped with SIGTERM (SIGKILL after a grace period).
 */
class ServerProcess {
  constructor({ name, command, args, cwd, env, port, logFile }) {
    Object.assign(this, { name, command, args, cwd, env, port, logFile });
    this.exit = null;
    this.child = null;
  }

  get pid() {
    return this.child?.pid;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 90_000) {
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    const log = fs.openSync(this.logFile, 'w');
    this.child = spawn(this.command, this.args, { cwd: this.cwd, env: this.env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`${this.name} exited during start-up (${JSON.stringify(this.exit)}):\n${this.logTail()}`);
      try {
        const response = await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(1000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    await this.stop();
    throw new Error(`${this.name} did not answer /health/live within ${timeoutMs / 1000} s:\n${this.logTail()}`);
  }

  assertAlive() {
    if (this.exit) throw new Error(`${this.name} crashed (${JSON.stringify(this.exit)}):\n${this.logTail()}`);
  }

  async stop(graceMs = 15_000) {
    if (!this.child || this.exit) return this.exit;
    this.child.kill('SIGTERM');
    let timer;
    const result = await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs, null)))]);
    clearTimeout(timer);
    if (result) return result;
    this.child.kill('SIGKILL');
    const killed = await this.exited;
    return { ...killed, killedAfterGrace: true };
  }

  logTail(chars = 3000) {
    try {
      const text = fs.readFileSync(this.logFile, 'utf8');
      return text.slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  /** Log lines at error level or above (pino JSON: level >= 50), and lines that are not JSON at all. */
  logProblems() {
    let text = '';
    try {
      text = fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return { errorLines: 0, samples: [] };
    }
    const problems = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line);
        if (typeof entry.level === 'number' ? entry.level >= 50 : /error|fatal/i.test(String(entry.level))) problems.push(line);
      } catch {
        if (/error/i.test(line)) problems.push(line);
      }
    }
    return { errorLines: problems.length, samples: problems.slice(0, 5).map((l) => l.slice(0, 500)) };
  }
}

function baseEnv(extra) {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/**
 * The built Atrium (`dist/src/main.js`) in production mode; `extraEnv` adds to or overrides its
 * environment, `logName` names its log file (`atrium-<mode>` by default).
 */
function atriumServer(config, port, extraEnv = {}, { name = 'atrium', logName = `atrium-${config.mode}` } = {}) {
  return new ServerProcess({
    name,
    // As production starts it (npm start, the image): through scripts/start.sh, which caps the heap
    // (ATRIUM_MAX_HEAP_MB, passed through when set) and execs node, so the pid is node's. Extra node
    // flags (BENCH_ATRIUM_NODE_OPTIONS) go in NODE_OPTIONS; the CPU profiler, which Node 20 refuses
    // there as a flag, is a preload (cpu-profile-preload.js).
    command: '/bin/sh',
    args: [path.join(config.projectDir, 'scripts/start.sh')],
    cwd: config.projectDir,
    port,
    logFile: path.join(config.stateDir, 'logs', `${logName}.log`),
    env: baseEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      LOG_LEVEL: 'warn',
      MIGRATE_ON_BOOT: 'false',
      // Limits must never interfere with a throughput measurement.
      RATE_LIMIT_FREE: '1000000',
      RATE_LIMIT_PRO: '1000000',
      RATE_LIMIT_ENTERPRISE: '1000000',
      RATE_LIMIT_ORG_MULTIPLIER: '1000',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      SHUTDOWN_GRACE_MS: '10000',
      // The harness reads the query cache's hit and miss counters between load runs (GET /metrics).
      METRICS_TOKEN: config.metricsToken,
      NODE_OPTIONS: [
        ...config.atriumNodeOptions,
        ...(config.cpuProfileDir ? [`--require=${path.join(__dirname, 'cpu-profile-preload.js')}`] : []),
      ].join(' '),
      ...(config.cpuProfileDir
        ? {
            BENCH_CPU_PROF_DIR: config.cpuProfileDir,
            ...(config.cpuProfileIntervalUs ? { BENCH_CPU_PROF_INTERVAL_US: String(config.cpuProfileIntervalUs) } : {}),
          }
        : {}),
      ...(process.env.ATRIUM_MAX_HEAP_MB ? { ATRIUM_MAX_HEAP_MB: process.env.ATRIUM_MAX_HEAP_MB } : {}),
      ...extraEnv,
    }),
  });
}

function bareServer(config, port) {
  return new ServerProcess({
    name: 'bare',
    command: process.execPath,
    args: [path.join(config.benchDir, 'bare-server.js')],
    cwd: config.projectDir,
    port,
    logFile: path.join(config.stateDir, 'logs', `bare-${config.mode}.log`),
    env: baseEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: config.databaseUrl }),
  });
}

/** The small-table set's physical reference (minimal-bare.js): one statement per request, nothing else. */
function minimalBareServer(config, port, databaseUrl) {
  return new ServerProcess({
    name: 'bare',
    command: process.execPath,
    args: [path.join(config.benchDir, 'minimal-bare.js')],
    cwd: config.projectDir,
    port,
    logFile: path.join(config.stateDir, 'logs', `minimal-bare-${config.mode}.log`),
    env: baseEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl }),
  });
}

/** The small-table set's honest reference (parity-bare.js): Atrium's minimum features for a read, by hand. */
function parityBareServer(config, port, databaseUrl) {
  return new ServerProcess({
    name: 'parity',
    command: process.execPath,
    args: [path.join(config.benchDir, 'parity-bare.js')],
    cwd: config.projectDir,
    port,
    logFile: path.join(config.stateDir, 'logs', `parity-bare-${config.mode}.log`),
    env: baseEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: config.redisUrl,
      RATE_LIMIT_ENTERPRISE: '1000000',
    }),
  });
}

function machineInfo() {
  let free = null;
  try {
    free = execFileSync('free', ['-h']).toString().trim();
  } catch {
    // not everywhere
  }
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memTotal: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    free,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((n) => Number(n.toFixed(2))),
  };
}

module.exports = { freePort, startSampler, rssOf, atriumServer, bareServer, minimalBareServer, parityBareServer, machineInfo, sleep };
