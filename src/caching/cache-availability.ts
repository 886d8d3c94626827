import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClsServiceManager } from 'nestjs-cls';
import { REDIS_CLIENT } from './redis/redis-client.token';
import type { RedisClient } from './redis/redis-client';
import { redisCommandTimeoutMs, withinRedisTimeout } from './redis/timeout';
import { cacheMetrics } from './cache-metrics';

/** How long Redis is skipped after a failed command: at least two command timeouts. */
const MIN_SUSPEND_MS = 2_000;
/** Set in the request's context (nestjs-cls) once one of its Redis commands failed. */
const REQUEST_SAW_REDIS_FAIL = 'atrium.redisFailedInRequest';

export class RedisUnusableError extends Error {
  constructor() {
    super('Redis is suspended or disconnected');
    this.name = 'RedisUnusableError';
  }
}

/**
 * Whether shared state in Redis can be used right now. When it cannot, every caller falls back
 * (bypass the cache, per-instance rate limits, near-cached sessions); each fallback is counted,
 * and the outage is logged once per component until Redis is back.
 *
 * After a command fails or times out, Redis is skipped for the rest of that request, and by every
 * request of the instance for the suspension window (max(2 s, 2 x REDIS_COMMAND_TIMEOUT_MS)): a
 * request that already waited for one timeout never waits for another, and requests arriving
 * meanwhile wait for none. Fallbacks during the window do not extend it: the first command after
 * it is the probe.
 */
@Injectable()
export class CacheAvailability {
  private readonly logger = new Logger('CacheFallback');
  private readonly reported = new Set<string>();
  private readonly fallbacks = cacheMetrics.fallbacks();
  private outageSeen = false;
  private suspendedUntil = 0;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {
    redis?.on('error', () => {
      this.outageSeen = true;
    });
  }

  /**
   * True once after Redis was unreachable: entries written before (or during) the outage may be
   * stale, since invalidations could not be recorded meanwhile.
   */
  takeOutage(): boolean {
    const seen = this.outageSeen;
    this.outageSeen = false;
    return seen;
  }

  /** Connected, but skipped after a failed command (readiness reports this as degraded). */
  get suspended(): boolean {
    return this.redis !== null && Date.now() < this.suspendedUntil;
  }

  /** In embedded mode everything is in-process and always available. */
  get sharedStateUsable(): boolean {
    if (this.redis && (!this.redis.isReady || Date.now() < this.suspendedUntil || requestSawFailure())) {
      this.outageSeen = true;
      return false;
    }
    if (this.reported.size > 0) {
      this.logger.log(`Redis is back; ${[...this.reported].join(', ')} use it again`);
      this.reported.clear();
    }
    return true;
  }

  /**
   * One Redis command on a request path: refused at once while Redis is unusable, bounded by the
   * command timeout otherwise, and a failure suspends Redis use (see the class comment).
   */
  async bounded<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.sharedStateUsable) throw new RedisUnusableError();
    try {
      return await withinRedisTimeout(operation());
    } catch (error) {
      this.commandFailed();
      throw error;
    }
  }

  /** A command failed or timed out: skip Redis for the suspension window (unless already skipping it). */
  commandFailed(): void {
    this.outageSeen = true;
    markRequest();
    if (this.redis?.isReady && Date.now() >= this.suspendedUntil) {
      this.suspendedUntil = Date.now() + Math.max(MIN_SUSPEND_MS, 2 * redisCommandTimeoutMs());
    }
  }

  /** A caller's own Redis command failed and it fell back: suspend Redis use, and count the fallback. */
  fellBack(component: string): void {
    // A connected Redis that failed a command (timed out, say) is skipped briefly; a disconnected one is
    // already skipped until it reconnects.
    this.commandFailed();
    this.bypassed(component);
  }

  /** A caller did without Redis (already suspended, or its failure already reported through bounded): count it. */
  bypassed(component: string): void {
    this.fallbacks.inc({ component });
    if (!this.reported.has(component)) {
      this.reported.add(component);
      this.logger.warn(`Redis unavailable: ${component} falls back until it returns`);
    }
  }
}

function markRequest(): void {
  const cls = ClsServiceManager.getClsService();
  if (cls.isActive()) cls.set(REQUEST_SAW_REDIS_FAIL, true);
}

function requestSawFailure(): boolean {
  const cls = ClsServiceManager.getClsService();
  return cls.isActive() && cls.get(REQUEST_SAW_REDIS_FAIL) === true;
}
