import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux the run targets). */
const TICKS_PER_SECOND = 100;

/** The processes of the run, by what they are: each is counted with every process below it. */
export interface RunProcesses {
  readonly instances: readonly number[];
  /** The ports of the PostgreSQL servers (primary, replica): their postmasters are found by their `-p` argument. */
  readonly postgresPorts: Readonly<Record<string, number>>;
}

export interface CpuUse {
  /** Share of the whole machine's CPU time that was busy (every process, other users' included). */
  readonly machineBusyPercent: number;
  /** Cores each part kept busy on average (1 = one core all the time); `other` is everything not of this run. */
  readonly cores: Record<string, number>;
}

interface Proc {
  readonly ppid: number;
  readonly comm: string;
  readonly seconds: number;
}

/**
 * Starts measuring CPU use: the machine's, and each part of the run's (the instances, PostgreSQL,
 * PgBouncer, Redis, haproxy, this load client, and the rest of the machine), from /proc, so a
 * throughput figure says which part was the limit.
 */
export function measureCpu(run: RunProcesses): () => CpuUse {
  const started = performance.now();
  const machineBefore = machineTimes();
  const before = processes();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const machineAfter = machineTimes();
    const after = processes();
    const roots = rootsOf(run, after);
    const used: Record<string, number> = {};
    for (const [pid, proc] of after) {
      const part = partOf(pid, after, roots);
      used[part] = (used[part] ?? 0) + proc.seconds - (before.get(pid)?.seconds ?? 0);
    }
    const cores = Object.fromEntries(Object.entries(used).map(([part, cpu]) => [part, Math.round((cpu / seconds) * 100) / 100]));
    const total = machineAfter.total - machineBefore.total;
    return { machineBusyPercent: total > 0 ? Math.round((1 - (machineAfter.idle - machineBefore.idle) / total) * 100) : 0, cores };
  };
}

/** Which part a process belongs to: the first root among itself and its ancestors; the run's children by their name. */
function partOf(pid: number, procs: Map<number, Proc>, roots: Map<number, string>): string {
  for (let at: number | undefined = pid; at && at > 1; at = procs.get(at)?.ppid) {
    const root = roots.get(at);
    if (root === 'client') {
      const comm = procs.get(pid)?.comm ?? '';
      return ['haproxy', 'pgbouncer', 'redis-server'].includes(comm) ? comm.replace('-server', '') : 'client';
    }
    if (root) return root;
  }
  return 'other';
}

function rootsOf(run: RunProcesses, procs: Map<number, Proc>): Map<number, string> {
  const roots = new Map<number, string>([[process.pid, 'client']]);
  run.instances.forEach((pid, i) => roots.set(pid, `app${i + 1}`));
  for (const [pid, proc] of procs) {
    if (proc.comm !== 'postgres') continue;
    const args = readText(`/proc/${pid}/cmdline`).split('\0');
    const port = Number(args[args.indexOf('-p') + 1]);
    for (const [name, candidate] of Object.entries(run.postgresPorts)) if (args.includes('-p') && port === candidate) roots.set(pid, name);
  }
  return roots;
}

function processes(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    // After "(comm)": state is field 3, ppid 4, utime 14 and stime 15.
    const fields = stat.slice(close + 2).split(' ');
    procs.set(Number(entry), {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    });
  }
  return procs;
}

function machineTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    idle += cpu.times.idle;
    total += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.idle + cpu.times.irq;
  }
  return { idle, total };
}

/** A process may end between listing /proc and reading it. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
