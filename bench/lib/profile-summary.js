'use strict';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums it up for a time window: CPU per request,
 * self time by function and by area of the code, and inclusive time of the functions and areas
 * a request passes through. Used by bench/profile-read.js.
 */

const path = require('node:path');

/**
 * Areas of the code, first match wins, by the frame's script (and for a few, its function name).
 * `dist/src/...` and `dist/libs/...` are Atrium's own code; the rest are its libraries and Node.
 */
const AREAS = [
  ['Nest router/guards/interceptors/pipes', /node_modules\/@nestjs\/(core|common)\//],
  ['rate limit (throttler + guard)', /node_modules\/@nestjs\/throttler\/|dist\/src\/caching\/rate-limit\//],
  ['auth/credential resolution', /dist\/src\/tenancy\/auth\/|node_modules\/lru-cache\//],
  [
    'cache (query/near cache, versions)',
    /dist\/src\/caching\/|dist\/src\/crm\/records-cache|node_modules\/(keyv|@keyv|cache-manager|cacheable)\//,
  ],
  ['ETag', /dist\/libs\/http\/src\/etag/],
  ['request context / ALS (ours, nestjs-cls)', /dist\/libs\/request-context\/|node_modules\/nestjs-cls\//],
  ['tenant database (TenantDatabase, prelude)', /dist\/src\/tenancy\/tenant-boundary\//],
  ['contacts (controller/service/repository/views)', /dist\/src\/crm\//],
  ['validation/transformation (class-validator/transformer)', /node_modules\/class-(validator|transformer)\//],
  [
    'logging (pino, access log)',
    /node_modules\/(pino|pino-http|nestjs-pino|pino-std-serializers|sonic-boom|thread-stream)\/|dist\/src\/monitoring\/logging\//,
  ],
  ['metrics (prom-client, http metrics hook)', /node_modules\/(prom-client|@willsoto)\/|dist\/src\/monitoring\/metrics\//],
  ['monitoring (other)', /dist\/src\/monitoring\//],
  ['pg / pg-protocol', /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+)\//],
  ['knex (and its pool, tarn)', /node_modules\/(knex|tarn)\//],
  ['MikroORM', /node_modules\/@mikro-orm\//],
  ['Redis client', /node_modules\/@redis\//],
  [
    'Fastify (router, hooks, reply)',
    /node_modules\/(fastify|find-my-way|@fastify|light-my-request|avvio|fast-json-stringify|secure-json-parse|fast-querystring)\//,
  ],
  ['other Atrium code', /dist\/(src|libs)\//],
  ['reflect-metadata (route metadata lookups)', /node_modules\/reflect-metadata\//],
  ['other libraries', /node_modules\//],
  ['async hooks / ALS (Node)', /node:async_hooks|node:internal\/async_hooks|node:internal\/async_local_storage/],
  ['Node net/stream/http', /node:(net|stream|http|_http|internal\/(stream|net|http|streams|js_stream))/],
  ['Node timers/promises/process', /node:internal\/(timers|process|promises)|node:timers/],
  ['Node (other)', /^node:/],
];

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function areaOfFrame(frame) {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url || '';
  if (!url) return null; // native or builtin: attributed to its caller's area
  for (const [area, pattern] of AREAS) if (pattern.test(url)) return area;
  return 'other';
}

function shortUrl(url, projectDir) {
  if (!url) return '(native)';
  let u = url.replace(/^file:\/\//, '');
  if (projectDir && u.startsWith(projectDir)) u = path.relative(projectDir, u);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm + 'node_modules/'.length);
  return u;
}

function frameName(frame, projectDir) {
  const fn = frame.functionName || '(anonymous)';
  if (SPECIAL.has(fn)) return fn;
  return `${shortUrl(frame.url, projectDir)}:${fn}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

/**
 * Sums the profile over samples whose time falls in [fromUs, toUs] (V8's monotonic clock, the
 * same as process.hrtime in any process of the machine; null: the whole profile).
 */
function summarize(profile, { fromUs = null, toUs = null, requests = null, projectDir = null, top = 30, cpuMsPerRequest = null } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);

  // Each node's area: its own, or (native frames) the nearest ancestor's.
  const areaCache = new Map();
  const areaOf = (id) => {
    if (areaCache.has(id)) return areaCache.get(id);
    const node = byId.get(id);
    let area = areaOfFrame(node.callFrame);
    if (area === null) {
      const p = parent.get(id);
      area = p === undefined ? 'native' : areaOf(p);
      if (area === '(root)') area = `native: ${node.callFrame.functionName || '(anonymous)'}`;
    }
    areaCache.set(id, area);
    return area;
  };

  // The same, with Node's own JavaScript (streams, net, timers) also counted in its caller's area:
  // a socket write under pg is pg's cost, under the Redis client Redis's. Async hooks stay apart.
  const attributedCache = new Map();
  const attributedOf = (id) => {
    if (attributedCache.has(id)) return attributedCache.get(id);
    const own = areaOf(id);
    let area = own;
    if (/^Node |^native/.test(own)) {
      const p = parent.get(id);
      const up = p === undefined ? null : attributedOf(p);
      area = up === null || up === '(root)' ? own : up;
    }
    attributedCache.set(id, area);
    return area;
  };
  const keepAsync = (id) => {
    const own = areaOf(id);
    return own === 'async hooks / ALS (Node)' ? own : attributedOf(id);
  };

  const self = new Map();
  const attributed = new Map();
  const selfArea = new Map();
  const inclusive = new Map();
  const inclusiveArea = new Map();
  let cpuUs = 0;
  let idleUs = 0;
  let windowUs = 0;
  let t = profile.startTime;
  const add = (map, key, us) => map.set(key, (map.get(key) || 0) + us);
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const duration = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if ((fromUs !== null && t < fromUs) || (toUs !== null && t > toUs)) continue;
    windowUs += duration;
    const id = profile.samples[i];
    const node = byId.get(id);
    if (node.callFrame.functionName === '(idle)') {
      idleUs += duration;
      continue;
    }
    cpuUs += duration;
    add(self, frameName(node.callFrame, projectDir), duration);
    add(selfArea, areaOf(id), duration);
    add(attributed, keepAsync(id), duration);
    const names = new Set();
    const areas = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur).callFrame;
      if (frame.functionName === '(root)') break;
      names.add(frameName(frame, projectDir));
      areas.add(areaOf(cur));
    }
    for (const name of names) add(inclusive, name, duration);
    for (const area of areas) add(inclusiveArea, area, duration);
  }
  // With the thread's measured CPU per request (`cpuMsPerRequest`), each share of the samples is
  // scaled to it: on a busy machine the samples' durations also count time the thread waited for a core.
  const perRequestMs = (us) => (cpuMsPerRequest !== null ? (cpuMsPerRequest * us) / cpuUs : requests ? us / 1000 / requests : null);
  const rows = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / cpuUs, msPerRequest: perRequestMs(us) }));
  return {
    windowMs: windowUs / 1000,
    cpuMs: cpuUs / 1000,
    idleMs: idleUs / 1000,
    requests,
    cpuMsPerRequest: perRequestMs(cpuUs),
    sampledMsPerRequest: requests ? cpuUs / 1000 / requests : null,
    selfByFunction: rows(self, top),
    selfByArea: rows(selfArea, 100),
    attributedByArea: rows(attributed, 100),
    inclusiveByFunction: rows(inclusive, top * 3),
    inclusiveByArea: rows(inclusiveArea, 100),
  };
}

function renderRows(rows, { perRequest }) {
  const lines = [`| ${'what'} | ms | % of CPU |${perRequest ? ' ms per request |' : ''}`, `|---|---:|---:|${perRequest ? '---:|' : ''}`];
  for (const r of rows) {
    lines.push(
      `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} |${perRequest ? ` ${r.msPerRequest.toFixed(3)} |` : ''}`,
    );
  }
  return lines.join('\n');
}

module.exports = { summarize, renderRows, AREAS };
