'use strict';

const { randomUUID } = require('node:crypto');
const { createClient } = require('@redis/client');
const { prepareDatabase, loadSmallFixtures } = require('./database');
const { load } = require('./load');
const { atriumServer, minimalBareServer, parityBareServer, freePort, rssOf, sleep } = require('./servers');
const { encodeCursor } = require('./contact-view');
const { fmt, median, mean, rowCount, errorsCell, P99_RATIO_MAX } = require('./report');

/**
 * The small-table set (README: "The small table"): one org of 3,000 contacts, which PostgreSQL
 * holds in memory, so the database is not the limit and what each server's own code costs per
 * request shows. Three servers run side by side: the minimal bare (one statement, the physical
 * reference), the parity bare (Atrium's minimum features by hand, the honest comparison) and
 * Atrium with a 1 s cache TTL (so reads of ever other ids miss its query cache). Each scenario's
 * lines run one after the other in every round; the results are the medians of the rounds.
 */

const bearer = (apiKey) => ({ authorization: `Bearer ${apiKey}` });

/** Walks `values` round and round; `wrapped` counts the full turns. */
function cycle(values) {
  let next = 0;
  return {
    next() {
      const value = values[next];
      next = (next + 1) % values.length;
      return value;
    },
  };
}

/** The scenarios of the set: each a list of lines (server + requests), run in this order in every round. */
function smallScenarios({ apiKey, fixtures }) {
  const byIdLine = (server, label, what, ids) => {
    const order = cycle(ids);
    return {
      label,
      server,
      what,
      requests: () => [
        {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: `/v1/contacts/${order.next()}`, headers: { ...req.headers, ...bearer(apiKey) } }),
        },
      ],
    };
  };
  const listLine = (server, label, what) => {
    const order = cycle(fixtures.cursorIds);
    return {
      label,
      server,
      what,
      requests: () => [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: `/v1/contacts?limit=25&cursor=${encodeCursor(order.next())}`,
            headers: { ...req.headers, ...bearer(apiKey) },
          }),
        },
      ],
    };
  };
  return [
    {
      id: 'small-health',
      title: 'GET /health/live',
      lines: [
        { label: 'bare', server: 'bare', what: 'Fastify route, no work', requests: () => [{ method: 'GET', path: '/health/live' }] },
        { label: 'atrium', server: 'atrium', what: 'liveness probe', requests: () => [{ method: 'GET', path: '/health/live' }] },
      ],
    },
    {
      id: 'small-get',
      title: 'GET /v1/contacts/{id}',
      lines: [
        byIdLine('bare', 'bare', 'one `select … where org_id and id`, no auth', fixtures.ids),
        byIdLine('parity', 'parity bare', 'key check cached 1 s, one rate-limit EVAL, org set for RLS, the row, ETag', fixtures.ids),
        byIdLine(
          'atrium',
          'atrium, random ids',
          `uncached: the ids cycle through all ${fixtures.ids.length.toLocaleString('en-US')} contacts, so one comes back only after all the others (more than the 1 s TTL below ${fixtures.ids.length.toLocaleString('en-US')} rps)`,
          fixtures.ids,
        ),
        {
          label: 'atrium, one id',
          server: 'atrium',
          what: 'cached: the same contact every time (query cache hit)',
          requests: () => [{ method: 'GET', path: `/v1/contacts/${fixtures.hot}`, headers: bearer(apiKey) }],
        },
      ],
    },
    {
      id: 'small-list',
      title: 'GET /v1/contacts?limit=25&cursor=…',
      lines: [
        listLine('bare', 'bare', 'one `select … where org_id and id > cursor order by id limit 26`, no auth'),
        listLine('atrium', 'atrium', 'the same pages: cursors cycle through the ids, so the response cache misses'),
      ],
    },
  ];
}

/** Requests whose answers must agree across the servers before any load (errors: by their `code`). */
function smallParityChecks({ apiKey, fixtures }) {
  const ignore = ['requestId', 'detail', 'title', 'type', 'status'];
  return [
    { name: 'contact with company', path: `/v1/contacts/${fixtures.hot}`, servers: ['bare', 'parity', 'atrium'] },
    { name: 'contact (sampled)', path: `/v1/contacts/${fixtures.ids[0]}`, servers: ['bare', 'parity', 'atrium'] },
    {
      name: 'list page from a cursor',
      path: `/v1/contacts?limit=25&cursor=${encodeCursor(fixtures.cursorIds[0])}`,
      servers: ['bare', 'atrium'],
    },
    { name: 'missing contact', path: `/v1/contacts/${randomUUID()}`, servers: ['bare', 'parity', 'atrium'], ignore },
    { name: 'bad key', path: `/v1/contacts/${fixtures.hot}`, key: `${apiKey.slice(0, -4)}AAAA`, servers: ['parity', 'atrium'], ignore },
  ].map((check) => ({ key: apiKey, ...check }));
}

async function checkParity(servers, checks) {
  const outcomes = [];
  for (const check of checks) {
    const answers = {};
    for (const name of check.servers) {
      const response = await fetch(`${servers[name].url}${check.path}`, { headers: bearer(check.key) });
      const text = await response.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      if (body && typeof body === 'object') for (const field of check.ignore || []) delete body[field];
      answers[name] = { status: response.status, body };
    }
    const [first, ...rest] = check.servers.map((name) => answers[name]);
    const same = rest.every((a) => a.status === first.status && JSON.stringify(a.body) === JSON.stringify(first.body));
    outcomes.push({
      name: check.name,
      same,
      status: Object.fromEntries(check.servers.map((name) => [name, answers[name].status])),
      ...(same ? {} : { bodies: Object.fromEntries(check.servers.map((name) => [name, answers[name].body])) }),
    });
  }
  return outcomes;
}

/** Atrium's cache lookups so far, by cache and result, from GET /metrics (atrium_cache_requests_total). */
async function cacheCounters(server, token) {
  const response = await fetch(`${server.url}/metrics`, { headers: bearer(token) });
  if (response.status !== 200) return null;
  const counters = {};
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith('atrium_cache_requests_total{')) continue;
    const cache = /cache="([^"]+)"/.exec(line)?.[1];
    const result = /result="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (cache && result) counters[`${cache}:${result}`] = value;
  }
  return counters;
}

function cacheDelta(before, after) {
  if (!before || !after) return null;
  const delta = {};
  for (const [name, value] of Object.entries(after)) {
    const d = value - (before[name] ?? 0);
    if (d) delta[name] = d;
  }
  return delta;
}

/** One line's rounds: medians of rps, p50 and p99; the highest RSS; mean CPU; summed failures and cache lookups. */
function aggregateLine(rounds) {
  const cache = {};
  for (const r of rounds) for (const [name, n] of Object.entries(r.cache ?? {})) cache[name] = (cache[name] || 0) + n;
  const nonNull = (xs) => xs.filter((x) => x !== null && x !== undefined);
  return {
    rps: median(rounds.map((r) => r.requests / r.durationSec)),
    rpsRounds: rounds.map((r) => Math.round(r.requests / r.durationSec)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    requests: rounds.reduce((a, r) => a + r.requests, 0),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors + r.timeouts, 0),
    statusCodes: rounds.reduce((acc, r) => {
      for (const [code, n] of Object.entries(r.statusCodes)) acc[code] = (acc[code] || 0) + n;
      return acc;
    }, {}),
    maxRssMb: Math.max(...rounds.map((r) => r.maxRssBytes)) / 1048576,
    serverCpuPct: mean(nonNull(rounds.map((r) => r.serverCpuPct))),
    cpuMsPerRequest: median(
      rounds.map((r) => (r.serverCpuSeconds === null || !r.requests ? null : (1000 * r.serverCpuSeconds) / r.requests)),
    ),
    postgresCpuPct: mean(nonNull(rounds.map((r) => r.postgresCpuPct))),
    redisCpuPct: mean(nonNull(rounds.map((r) => r.redisCpuPct))),
    loadGenCpuPct: mean(nonNull(rounds.map((r) => r.loadGenCpuPct))),
    machineBusyPct: mean(nonNull(rounds.map((r) => r.machineBusyPct))),
    cache: Object.keys(cache).length ? cache : null,
  };
}

/** "contact 2% hits of 31,020": an Atrium line's cache lookups, by cache (`contact`: the query cache of reads by id; `response`: lists). */
function cacheCell(line) {
  if (!line.cache) return '–';
  const parts = [];
  const caches = [...new Set(Object.keys(line.cache).map((name) => name.split(':')[0]))].sort();
  for (const cache of caches) {
    const hits = line.cache[`${cache}:hit`] || 0;
    const total = hits + (line.cache[`${cache}:miss`] || 0);
    if (total) parts.push(`${cache} ${Math.round((100 * hits) / total)}% hits of ${total.toLocaleString('en-US')}`);
  }
  return parts.join(', ') || '–';
}

const line = (scenario, label) => scenario.lines.find((l) => l.label === label);

/** The set's targets, as the final table lists them (see report.js `renderTargetTable`). */
function smallTargets(scenarios, contacts) {
  const set = `small (${rowCount(contacts)} contacts)`;
  const get = scenarios.find((s) => s.id === 'small-get');
  const list = scenarios.find((s) => s.id === 'small-list');
  const targets = [];
  const ratio = (name, scenario, a, b, min) => {
    if (!scenario) return;
    const value = line(scenario, b).summary.rps ? line(scenario, a).summary.rps / line(scenario, b).summary.rps : null;
    targets.push({ name, set, scenario: scenario.id, value, op: '≥', limit: min, unit: '×', pass: value !== null && value >= min });
  };
  ratio('read by id, uncached: rps ÷ bare', get, 'atrium, random ids', 'bare', 0.6);
  ratio('read by id, uncached: rps ÷ parity bare', get, 'atrium, random ids', 'parity bare', 0.9);
  ratio('read by id, cached: rps ÷ bare', get, 'atrium, one id', 'bare', 1.2);
  ratio('list page of 25: rps ÷ bare', list, 'atrium', 'bare', 0.6);
  for (const scenario of scenarios) {
    const bare = line(scenario, 'bare').summary;
    for (const l of scenario.lines.filter((x) => x.server === 'atrium')) {
      const value = bare.p99Ms ? l.summary.p99Ms / bare.p99Ms : null;
      targets.push({
        name: `p99 ÷ bare's p99${scenario.lines.filter((x) => x.server === 'atrium').length > 1 ? ` (${l.label})` : ''}`,
        set,
        scenario: scenario.id,
        value,
        op: '≤',
        limit: P99_RATIO_MAX,
        unit: '×',
        pass: value !== null && value <= P99_RATIO_MAX,
      });
    }
  }
  const failures = scenarios.flatMap((s) =>
    s.lines.filter((l) => l.summary.non2xx + l.summary.errors > 0).map((l) => `${s.id}/${l.label}`),
  );
  targets.push({
    name: 'no errors or non-2xx (every server, every scenario)',
    set,
    scenario: 'all',
    value: failures.length ? failures.join(', ') : 'none',
    pass: failures.length === 0,
  });
  return targets;
}

/** The set's results as a Markdown table (rps and latencies are medians of the rounds). */
function renderSmallTable(scenarios) {
  const rows = [
    '| scenario | server | per request | rps (median) | rps by round | p50 ms | p99 ms | non-2xx / errors | max RSS MB | server CPU | CPU ms / request | PG CPU | Redis CPU | machine busy | Atrium caches | rps ÷ bare | rps ÷ parity | p99 ÷ bare |',
    '|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const s of scenarios) {
    const bare = line(s, 'bare').summary;
    const parity = line(s, 'parity bare')?.summary;
    s.lines.forEach((l, i) => {
      const a = l.summary;
      const vsBare = bare.rps ? a.rps / bare.rps : null;
      const vsParity = parity && l.server === 'atrium' && parity.rps ? a.rps / parity.rps : null;
      const p99 = bare.p99Ms ? a.p99Ms / bare.p99Ms : null;
      const bold = (x) => (l.server === 'atrium' && x !== null ? `**${fmt.ratio(x)}**` : fmt.ratio(x));
      rows.push(
        `| ${i === 0 ? s.id : ''} | ${l.label} | ${l.what} | ${fmt.int(a.rps)} | ${a.rpsRounds.join(', ')} | ${fmt.ms(a.p50Ms)} | ${fmt.ms(a.p99Ms)} | ${errorsCell(a)} | ${fmt.int(a.maxRssMb)} | ${fmt.pct(a.serverCpuPct)} | ${fmt.cpu(a.cpuMsPerRequest)} | ${fmt.pct(a.postgresCpuPct)} | ${fmt.pct(a.redisCpuPct)} | ${fmt.pct(a.machineBusyPct)} | ${cacheCell(a)} | ${bold(vsBare)} | ${vsParity === null ? '' : bold(vsParity)} | ${bold(p99)} |`,
      );
    });
  }
  const get = scenarios.find((x) => x.id === 'small-get');
  if (get) {
    const cpu = (label) => line(get, label)?.summary.cpuMsPerRequest;
    const [bare, parity, miss, hit] = ['bare', 'parity bare', 'atrium, random ids', 'atrium, one id'].map(cpu);
    if ([bare, parity, miss, hit].every((x) => x !== null && x !== undefined)) {
      rows.push(
        '',
        `Server CPU per read by id (every thread of the process, median of the rounds): bare ${fmt.cpu(bare)} ms, parity bare ${fmt.cpu(parity)} ms, ` +
          `Atrium uncached ${fmt.cpu(miss)} ms (${(miss / parity).toFixed(2)}× parity's, ${(miss / bare).toFixed(2)}× bare's), Atrium cached ${fmt.cpu(hit)} ms. ` +
          'On a busy machine these move less than rps, which also depend on how much of the cores each process got.',
      );
    }
  }
  return rows.join('\n');
}

async function flushRedis(url) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    await client.close().catch(() => client.destroy());
  }
}

/**
 * Runs the set end to end: data, servers, parity check, load, summary. `largeCredentials` are the
 * large set's keys when it ran in the same database (a smoke run). Never throws for a failed
 * request (that is a result); throws when a server cannot start or crashes.
 */
async function runSmallSet(config, { log, largeCredentials = null, onServers = () => undefined }) {
  const small = config.small;
  let credentials;
  if (small.sharesDatabase) {
    credentials = largeCredentials ?? (await prepareDatabase(config, log));
  } else {
    credentials = await prepareDatabase(
      { ...config, databaseUrl: small.databaseUrl, databaseName: small.databaseName, orgs: 1, contactsPerOrg: small.contacts },
      log,
    );
  }
  const { orgId, apiKey } = credentials[0];
  const fixtures = await loadSmallFixtures(small.databaseUrl, orgId);
  if (!fixtures.hot) throw new Error('the small-table org has no contact with a company');
  await flushRedis(config.redisUrl);
  log(
    `small table: org ${orgId}, ${fixtures.contacts} contacts in ${small.databaseName} (${fixtures.databaseSize}); ${small.rounds} round(s) x ${small.durationSec} s per line, ${small.connections} connections, warm-up ${small.warmupSec} s, Atrium CACHE_TTL_SECONDS=${small.cacheTtlSeconds}`,
  );

  const servers = {
    bare: minimalBareServer(config, await freePort(), small.databaseUrl),
    parity: parityBareServer(config, await freePort(), small.databaseUrl),
    atrium: atriumServer(
      config,
      await freePort(),
      { DATABASE_URL: small.databaseUrl, CACHE_TTL_SECONDS: String(small.cacheTtlSeconds) },
      { logName: `atrium-small-${config.mode}` },
    ),
  };
  onServers(Object.values(servers));
  const result = { database: small.databaseName, orgId, contacts: fixtures.contacts, settings: { ...small }, scenarios: [], parity: [] };
  let fatal = null;
  try {
    for (const server of Object.values(servers)) await server.start();
    result.atriumIdleRssMb = (rssOf(servers.atrium.pid) ?? 0) / 1048576;
    log(
      `small table servers up: bare pid ${servers.bare.pid}, parity pid ${servers.parity.pid}, atrium pid ${servers.atrium.pid} (idle RSS ${Math.round(result.atriumIdleRssMb)} MB)`,
    );
    result.parity = await checkParity(servers, smallParityChecks({ apiKey, fixtures }));
    const mismatches = result.parity.filter((p) => !p.same);
    log(
      mismatches.length
        ? `small table parity: ${mismatches.length} answer(s) differ: ${mismatches.map((m) => m.name).join(', ')}`
        : `small table parity: the servers give the same answers (${result.parity.length} checks)`,
    );

    const selected = smallScenarios({ apiKey, fixtures }).filter(
      (s) => !config.scenarioFilter.length || config.scenarioFilter.includes(s.id),
    );
    const target = { database: small.databaseName, redisUrl: config.redisUrl };
    for (const scenario of selected) {
      const rounds = scenario.lines.map(() => []);
      if (small.warmupSec > 0) {
        for (const l of scenario.lines) await load(servers[l.server], l.requests(), small.warmupSec, small.connections, target);
      }
      for (let round = 1; round <= small.rounds; round++) {
        for (const [i, l] of scenario.lines.entries()) {
          const server = servers[l.server];
          const before = l.server === 'atrium' ? await cacheCounters(server, config.metricsToken) : null;
          const r = await load(server, l.requests(), small.durationSec, small.connections, target);
          if (before) r.cache = cacheDelta(before, await cacheCounters(server, config.metricsToken));
          rounds[i].push(r);
          const bad = r.non2xx + r.errors + r.timeouts;
          log(
            `${scenario.id.padEnd(12)} round ${round} ${l.label.padEnd(18)} ${String(Math.round(r.requests / r.durationSec)).padStart(6)} rps  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  RSS ${Math.round(r.maxRssBytes / 1048576)} MB  CPU ${Math.round(r.serverCpuPct ?? 0)}% (PostgreSQL ${Math.round(r.postgresCpuPct ?? 0)}%, Redis ${Math.round(r.redisCpuPct ?? 0)}%, machine ${Math.round(r.machineBusyPct ?? 0)}%)${r.cache ? `  cache ${JSON.stringify(r.cache)}` : ''}${bad ? `  NON-2XX/ERRORS ${bad} ${JSON.stringify(r.statusCodes)}` : ''}`,
          );
          await sleep(config.mode === 'smoke' ? 100 : 500);
        }
      }
      result.scenarios.push({
        id: scenario.id,
        title: scenario.title,
        lines: scenario.lines.map((l, i) => ({
          label: l.label,
          server: l.server,
          what: l.what,
          rounds: rounds[i],
          summary: aggregateLine(rounds[i]),
        })),
      });
    }
    await sleep(config.mode === 'smoke' ? 500 : 3000);
    result.atriumEndRssMb = (rssOf(servers.atrium.pid) ?? 0) / 1048576;
  } catch (error) {
    fatal = error;
  } finally {
    result.exits = {};
    for (const [name, server] of Object.entries(servers)) result.exits[name] = await server.stop();
    result.logs = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.logProblems()]));
  }
  if (fatal) throw fatal;
  result.targets = smallTargets(result.scenarios, fixtures.contacts);
  result.atriumMaxRssMb = Math.max(
    result.atriumIdleRssMb ?? 0,
    ...result.scenarios.flatMap((s) => s.lines.filter((l) => l.server === 'atrium').map((l) => l.summary.maxRssMb)),
  );
  for (const s of result.scenarios) {
    for (const l of s.lines.filter((x) => x.server === 'atrium' && x.label !== 'atrium, one id' && x.summary.cache)) {
      const hits = Object.entries(l.summary.cache)
        .filter(([name]) => name.endsWith(':hit'))
        .reduce((a, [, n]) => a + n, 0);
      const total = Object.values(l.summary.cache).reduce((a, n) => a + n, 0);
      if (total && hits / total > 0.05 && config.mode !== 'smoke') {
        log(
          `warning: ${s.id} ${l.label} hit Atrium's cache on ${Math.round((100 * hits) / total)}% of its lookups: it served more requests a second than there are contacts, so ids came back within the TTL; seed more (BENCH_SMALL_CONTACTS)`,
        );
      }
    }
  }
  result.table = renderSmallTable(result.scenarios);
  const busy = result.scenarios.flatMap((s) => s.lines.map((l) => l.summary.machineBusyPct)).filter((x) => x !== null);
  result.machineBusyPct = busy.length ? { min: Math.min(...busy), max: Math.max(...busy), mean: mean(busy) } : null;
  return result;
}

module.exports = { runSmallSet, smallScenarios, flushRedis };
