'use strict';

const MB = 1024 * 1024;
const RSS_LIMIT_MB = 250;
const P99_RATIO_MAX = 2;

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The middle value (the mean of the two middle ones for an even count); null for none. */
function median(xs) {
  const sorted = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One server's rounds of one scenario, summed (counts) or averaged (latencies, CPU). */
function aggregate(rounds) {
  const requests = rounds.reduce((a, r) => a + r.requests, 0);
  const seconds = rounds.reduce((a, r) => a + r.durationSec, 0);
  return {
    rps: seconds ? requests / seconds : 0,
    p50Ms: mean(rounds.map((r) => r.p50Ms)),
    p99Ms: mean(rounds.map((r) => r.p99Ms)),
    requests,
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors + r.timeouts, 0),
    statusCodes: rounds.reduce((acc, r) => {
      for (const [code, n] of Object.entries(r.statusCodes)) acc[code] = (acc[code] || 0) + n;
      return acc;
    }, {}),
    maxRssMb: Math.max(...rounds.map((r) => r.maxRssBytes)) / MB,
    serverCpuPct: mean(rounds.map((r) => r.serverCpuPct).filter((x) => x !== null)),
    /** The server's CPU time (every thread) per request served, in ms: steadier than rps on a shared machine. */
    cpuMsPerRequest: requests ? (1000 * rounds.reduce((a, r) => a + (r.serverCpuSeconds ?? 0), 0)) / requests : null,
    postgresCpuPct: mean(rounds.map((r) => r.postgresCpuPct).filter((x) => x !== null && x !== undefined)),
    redisCpuPct: mean(rounds.map((r) => r.redisCpuPct).filter((x) => x !== null && x !== undefined)),
    machineBusyPct: mean(rounds.map((r) => r.machineBusyPct).filter((x) => x !== null)),
    loadGenCpuPct: mean(rounds.map((r) => r.loadGenCpuPct)),
  };
}

/** 1000000 → "1M", 600 → "600": the size of the data set a plan was judged on. */
function rowCount(n) {
  return n >= 1_000_000 && n % 100_000 === 0 ? `${n / 1_000_000}M` : n.toLocaleString('en-US');
}

/**
 * The index check (bench/lib/plans.js) as a target: every list shape reaches contacts through an
 * index and none scans the table. `plans` is null when the run does not judge it (smoke: on a few
 * hundred rows a sequential scan is the planner's right choice).
 */
function planTarget(plans, contacts) {
  const failed = plans.shapes.filter((s) => !s.ok).map((s) => `${s.shape} (${s.seqScanOnContacts ? 'seq scan' : 'no index'})`);
  return {
    name: `every contact list/search/filter plan uses an index (${rowCount(contacts)} rows)`,
    value: failed.length ? failed.join(', ') : `all ${plans.shapes.length} shapes`,
    pass: plans.ok,
  };
}

function summarize(scenarioResults, { atriumIdleRssMb, plans = null, contacts = 0 }) {
  const set = `large (${rowCount(contacts)} contacts)`;
  const scenarios = scenarioResults.map((s) => {
    const bare = aggregate(s.rounds.bare);
    const atrium = aggregate(s.rounds.atrium);
    return {
      ...s,
      bare,
      atrium,
      rpsRatio: bare.rps ? atrium.rps / bare.rps : null,
      p99Ratio: bare.p99Ms ? atrium.p99Ms / bare.p99Ms : null,
    };
  });
  const targets = [];
  for (const s of scenarios) {
    if (s.target) {
      targets.push({
        name: `${s.target.label}: rps ÷ bare`,
        set,
        scenario: s.id,
        value: s.rpsRatio,
        op: '≥',
        limit: s.target.min,
        unit: '×',
        pass: s.rpsRatio !== null && s.rpsRatio >= s.target.min,
      });
    }
  }
  for (const s of scenarios) {
    targets.push({
      name: "p99 ÷ bare's p99",
      set,
      scenario: s.id,
      value: s.p99Ratio,
      op: '≤',
      limit: P99_RATIO_MAX,
      unit: '×',
      pass: s.p99Ratio !== null && s.p99Ratio <= P99_RATIO_MAX,
    });
  }
  const failures = scenarios.flatMap((s) =>
    ['bare', 'atrium'].filter((server) => s[server].non2xx + s[server].errors > 0).map((server) => `${s.id}/${server}`),
  );
  targets.push({
    name: 'no errors or non-2xx (both servers, every scenario)',
    set,
    scenario: 'all',
    value: failures.length ? failures.join(', ') : 'none',
    pass: failures.length === 0,
  });
  const atriumMaxRss = Math.max(atriumIdleRssMb ?? 0, ...scenarios.map((s) => s.atrium.maxRssMb));
  if (plans) targets.push({ ...planTarget(plans, contacts), set, scenario: 'index check' });
  return { scenarios, targets, atriumMaxRssMb: atriumMaxRss };
}

const fmt = {
  int: (x) => (x === null || x === undefined ? '–' : Math.round(x).toLocaleString('en-US')),
  ms: (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1)),
  ratio: (x) => (x === null || x === undefined ? '–' : x.toFixed(2)),
  pct: (x) => (x === null || x === undefined ? '–' : `${Math.round(x)}%`),
  cpu: (x) => (x === null || x === undefined ? '–' : x.toFixed(3)),
};

function errorsCell(a) {
  const n = a.non2xx + a.errors;
  if (!n) return '0';
  const codes = Object.entries(a.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, c]) => `${c}×${code}`)
    .join(' ');
  return `${n}${codes ? ` (${codes})` : ''}${a.errors ? ` ${a.errors} err` : ''}`;
}

/** The results as a Markdown table (what bench/README.md shows) and the target verdicts. */
function renderTable(summary) {
  const lines = [
    '| scenario | server | rps | p50 ms | p99 ms | non-2xx / errors | max RSS MB | server CPU | CPU ms / request | PG CPU | rps ratio | p99 ratio |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summary.scenarios) {
    lines.push(
      `| ${s.id} | bare | ${fmt.int(s.bare.rps)} | ${fmt.ms(s.bare.p50Ms)} | ${fmt.ms(s.bare.p99Ms)} | ${errorsCell(s.bare)} | ${fmt.int(s.bare.maxRssMb)} | ${fmt.pct(s.bare.serverCpuPct)} | ${fmt.cpu(s.bare.cpuMsPerRequest)} | ${fmt.pct(s.bare.postgresCpuPct)} | 1.00 | 1.00 |`,
    );
    lines.push(
      `| | atrium | ${fmt.int(s.atrium.rps)} | ${fmt.ms(s.atrium.p50Ms)} | ${fmt.ms(s.atrium.p99Ms)} | ${errorsCell(s.atrium)} | ${fmt.int(s.atrium.maxRssMb)} | ${fmt.pct(s.atrium.serverCpuPct)} | ${fmt.cpu(s.atrium.cpuMsPerRequest)} | ${fmt.pct(s.atrium.postgresCpuPct)} | **${fmt.ratio(s.rpsRatio)}** | **${fmt.ratio(s.p99Ratio)}** |`,
    );
  }
  return lines.join('\n');
}

/** The Atrium RSS target over every Atrium process of the run: `peaks` is [{ set, mb }]. */
function rssTarget(peaks) {
  const mb = Math.max(...peaks.map((p) => p.mb));
  return {
    name: 'Atrium peak RSS, idle or under load (production defaults)',
    set: peaks.map((p) => p.set).join(' + '),
    scenario: 'all',
    value: mb,
    op: '≤',
    limit: RSS_LIMIT_MB,
    unit: 'MB',
    pass: mb <= RSS_LIMIT_MB,
  };
}

/** "met (+0.12)" / "**missed** by 0.18 (30 %)": how far a measured value is from its limit. */
function verdict(t) {
  if (typeof t.value !== 'number' || !t.op) return t.pass ? 'met' : '**missed**';
  const gap = t.op === '≥' ? t.value - t.limit : t.limit - t.value;
  const amount = t.unit === 'MB' ? `${Math.round(Math.abs(gap))} MB` : Math.abs(gap).toFixed(2);
  const relative = t.limit ? ` (${Math.round((100 * Math.abs(gap)) / t.limit)} % of the target)` : '';
  return t.pass ? `met (margin ${amount})` : `**missed** by ${amount}${relative}`;
}

/** Every target of the run, one row each, with the measured value and how far it is from the target. */
function renderTargetTable(targets) {
  const value = (t) => (typeof t.value !== 'number' ? t.value : t.unit === 'MB' ? `${Math.round(t.value)} MB` : `${t.value.toFixed(2)}×`);
  const limit = (t) => (t.op ? `${t.op} ${t.unit === 'MB' ? `${t.limit} MB` : `${t.limit.toFixed(2)}×`}` : '');
  return [
    '| target | set | scenario | measured | target | verdict |',
    '|---|---|---|---:|---:|---|',
    ...targets.map((t) => `| ${t.name} | ${t.set} | ${t.scenario} | ${value(t)} | ${limit(t)} | ${verdict(t)} |`),
  ].join('\n');
}

module.exports = {
  summarize,
  renderTable,
  renderTargetTable,
  rssTarget,
  fmt,
  mean,
  median,
  rowCount,
  errorsCell,
  P99_RATIO_MAX,
  RSS_LIMIT_MB,
};
