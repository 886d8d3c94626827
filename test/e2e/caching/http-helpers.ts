import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bearer } from '../../support/factories';

/** Env of an app instance on `redisUrl`: several instances run per file, so each keeps a small database pool. */
export function instanceEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: redisUrl, DATABASE_POOL_MAX: '4', ...extra };
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One request with a bearer token (and optional extra headers / client address). */
export function call(
  app: NestFastifyApplication,
  method: Method,
  url: string,
  token: string,
  payload?: object,
  extra: { headers?: Record<string, string>; remoteAddress?: string } = {},
) {
  return app.inject({ method, url, headers: { ...bearer(token), ...extra.headers }, payload, remoteAddress: extra.remoteAddress });
}
export type Reply = Awaited<ReturnType<typeof call>>;

export function expectProblem(response: Reply, status: number, code: string): void {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code });
}

/** The RateLimit-* headers of a response, as numbers (NaN when missing). */
export function rateHeaders(response: Reply): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(response.headers['ratelimit-limit']),
    remaining: Number(response.headers['ratelimit-remaining']),
    reset: Number(response.headers['ratelimit-reset']),
  };
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's series matching `labels`, scraped from GET /metrics (0 when absent). */
export async function metric(app: NestFastifyApplication, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return parseExposition(response.body)
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Cache hits and misses of one cache ('response' or 'contact'), counted over every app of this test process. */
export async function cacheCounts(app: NestFastifyApplication, cache: string): Promise<{ hit: number; miss: number }> {
  return {
    hit: await metric(app, 'atrium_cache_requests_total', { cache, result: 'hit' }),
    miss: await metric(app, 'atrium_cache_requests_total', { cache, result: 'miss' }),
  };
}

/** Runs `work` and returns how the hit/miss counters of `cache` moved meanwhile. */
export async function cacheDelta(
  app: NestFastifyApplication,
  cache: string,
  work: () => Promise<unknown>,
): Promise<{ hit: number; miss: number }> {
  const before = await cacheCounts(app, cache);
  await work();
  const after = await cacheCounts(app, cache);
  return { hit: after.hit - before.hit, miss: after.miss - before.miss };
}
