'use strict';

const autocannon = require('autocannon');
const { startSampler } = require('./servers');

/** Response times in ms, all of them, growing as needed. */
class LatencyLog {
  constructor() {
    this.values = new Float64Array(1 << 16);
    this.length = 0;
  }

  add(ms) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  percentile(p) {
    if (!this.sorted) this.sorted = this.values.subarray(0, this.length).sort();
    if (!this.length) return null;
    const index = Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1));
    return Number(this.sorted[index].toFixed(3));
  }
}

/**
 * One autocannon run against one server, with the server's RSS and CPU sampled throughout.
 * `database` names the database whose PostgreSQL backends are counted as the run's PG CPU.
 */
async function load(server, requests, durationSec, connections, { database, redisUrl }) {
  server.assertAlive();
  const stopSampling = startSampler(server.pid, { database, redisPort: new URL(redisUrl).port || '6379' });
  // autocannon's own histogram keeps whole milliseconds; keep every response time for µs precision.
  const times = new LatencyLog();
  const run = autocannon({ url: server.url, connections, duration: durationSec, requests, timeout: 10 });
  run.on('response', (_client, _status, _bytes, responseTimeMs) => times.add(responseTimeMs));
  const result = await run;
  const sample = stopSampling();
  server.assertAlive();
  const statusCodes = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats || {})) statusCodes[code] = stats.count;
  return {
    requests: result.requests.total,
    durationSec: result.duration,
    rpsAvg: result.requests.average,
    p50Ms: times.percentile(50),
    p99Ms: times.percentile(99),
    maxMs: times.percentile(100),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    ...sample,
  };
}

module.exports = { load, LatencyLog };
