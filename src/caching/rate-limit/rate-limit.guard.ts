import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { cacheMetrics } from '../cache-metrics';
import { isAuthLimited } from './rate-limits';

interface RateState {
  limit: number;
  remaining: number;
  reset: number;
}

const STATE = Symbol('atrium.rateLimit');
type RequestWithState = FastifyRequest & { [STATE]?: RateState };

/**
 * @nestjs/throttler with our conventions: the throttlers are defined in rate-limits.ts; the
 * response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of the tightest
 * limit that applied, and an exceeded one answers 429 problem+json with `Retry-After`. Runs after
 * the auth guard (registered after it), so limits can key on the principal and org.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly limited = cacheMetrics.rateLimited();

  /**
   * A request with no tenant on a route that is not an auth route (health, metrics) meets no
   * throttler: every one of them would skip it (see rate-limits.ts), so skip the per-throttler
   * metadata reads as well.
   */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !RequestContext.current().tenant && !isAuthLimited(context);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const request = context.switchToHttp().getRequest<RequestWithState>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const tracker = await getTracker(request, context);
    const key = generateKey(context, tracker, throttler.name ?? 'default');
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, throttler.name ?? 'default');

    const state: RateState = { limit, remaining: Math.max(0, limit - record.totalHits), reset: record.timeToExpire };
    const tightest = request[STATE];
    if (!tightest || state.remaining < tightest.remaining) {
      request[STATE] = state;
      reply.header('ratelimit-limit', state.limit).header('ratelimit-remaining', state.remaining).header('ratelimit-reset', state.reset);
    }
    if (record.isBlocked) {
      this.limited.inc({ limiter: throttler.name ?? 'default' });
      reply.header('ratelimit-remaining', 0).header('ratelimit-reset', record.timeToBlockExpire);
      throw new AppError('rate_limited', 'RATE_LIMITED', `Too many requests; retry in ${record.timeToBlockExpire} s.`, {
        headers: { 'retry-after': String(record.timeToBlockExpire) },
      });
    }
    return true;
  }

  protected override async throwThrottlingException(_context: ExecutionContext): Promise<void> {
    // handleRequest throws our own problem+json error first; this is never reached.
  }
}
