import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { cacheMetrics } from '../cache-metrics';
import { isAuthLimited, rateCounts } from './rate-limits';
import { RATE_COUNTERS } from './rate-counters.token';
import type { RateCount, RedisThrottlerStorage, ThrottlerStorageRecord } from './redis-throttler.storage';

/**
 * The rate limits (rate-limits.ts), counted in Redis with one call per hash tag: one round trip for
 * an authenticated request. The response carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` of the tightest limit that applied, and an exceeded one answers 429
 * problem+json with `Retry-After`. Runs after the auth guard (registered after it), so limits can
 * key on the principal and org. A request with no tenant on a route that is not an auth route
 * (health, metrics, docs) meets no limiter and costs nothing here.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limited = cacheMetrics.rateLimited();

  constructor(
    @Inject(RATE_COUNTERS) private readonly counters: RedisThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly context: RequestContext,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const authRoute = isAuthLimited(execution);
    if (!this.context.tenant && !authRoute) return true;
    const http = execution.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const counts = rateCounts(this.config, this.context, request, authRoute);
    let tightest: { count: RateCount; record: ThrottlerStorageRecord } | undefined;
    for (const group of byTag(counts)) {
      const records = await this.counters.countAll(group);
      for (const [index, record] of records.entries()) {
        const count = group[index];
        if (!tightest || remaining(count, record) < remaining(tightest.count, tightest.record)) tightest = { count, record };
        if (record.isBlocked) this.refuse(http.getResponse<FastifyReply>(), count, record);
      }
    }
    if (tightest) {
      http
        .getResponse<FastifyReply>()
        .header('ratelimit-limit', tightest.count.limit)
        .header('ratelimit-remaining', remaining(tightest.count, tightest.record))
        .header('ratelimit-reset', tightest.record.timeToExpire);
    }
    return true;
  }

  private refuse(reply: FastifyReply, count: RateCount, record: ThrottlerStorageRecord): never {
    this.limited.inc({ limiter: count.limiter });
    reply.header('ratelimit-limit', count.limit).header('ratelimit-remaining', 0).header('ratelimit-reset', record.timeToBlockExpire);
    throw new AppError('rate_limited', 'RATE_LIMITED', `Too many requests; retry in ${record.timeToBlockExpire} s.`, {
      headers: { 'retry-after': String(record.timeToBlockExpire) },
    });
  }
}

const remaining = (count: RateCount, record: ThrottlerStorageRecord) => Math.max(0, count.limit - record.totalHits);

/** Consecutive counts of one tag form one call (a multi-key script needs its keys in one cluster slot). */
function byTag(counts: readonly RateCount[]): RateCount[][] {
  const groups: RateCount[][] = [];
  for (const count of counts) {
    const last = groups.at(-1);
    if (last && last[0].tag === count.tag) last.push(count);
    else groups.push([count]);
  }
  return groups;
}
