'use strict';

/**
 * A V8 CPU profile of a whole process, as `node --cpu-prof` takes one, for a process started through
 * scripts/start.sh: Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and start.sh passes no flags of
 * ours to node, but NODE_OPTIONS may `--require` this file. It starts the profiler through the
 * inspector (sampling every BENCH_CPU_PROF_INTERVAL_US microseconds, default 1000 as `--cpu-prof`)
 * and, when the process exits, writes CPU.<time>.<pid>.cpuprofile in BENCH_CPU_PROF_DIR: the same
 * format, read by Chrome DevTools, VS Code and bench/lib/profile-summary.js. The main-thread
 * inspector session answers synchronously, so the profile is written inside the 'exit' event.
 */
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US || 1000) });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return process.stderr.write(`cpu profile not written: ${error.message}\n`);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 15);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `CPU.${stamp}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
