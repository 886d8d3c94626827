import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Method, Reply, call as request, expectProblem } from '../../support/client';
import { parseExposition, valueOf } from '../../support/exposition';

/** Env of an app instance on `redisUrl`: several instances run per file, so each keeps a small database pool. */
export function instanceEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: redisUrl, DATABASE_POOL_MAX: '4', ...extra };
}

export { expectProblem };
export type { Method, Reply };

/** The shared client's request with the token and body in place, as the caching suites (several apps each) write it. */
export function call(
  app: NestFastifyApplication,
  method: Method,
  url: string,
  token: string,
  payload?: object,
  extra: { headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<Reply> {
  return request(app, method, url, { token, body: payload, ...extra });
}

/** The RateLimit-* headers of a response, as numbers (NaN when missing). */
export function rateHeaders(response: Reply): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(response.headers['ratelimit-limit']),
    remaining: Number(response.headers['ratelimit-remaining']),
    reset: Number(response.headers['ratelimit-reset']),
  };
}

/** The sum of a metric's series matching `labels`, scraped from GET /metrics (0 when absent). */
export async function metric(app: NestFastifyApplication, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return valueOf(parseExposition(response.body), name, labels);
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
