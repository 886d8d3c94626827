import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS_CLIENT } from './redis/redis-client.token';
import type { RedisClient } from './redis/redis-client';
import { cacheMetrics } from './cache-metrics';

/**
 * Whether shared state in Redis can be used right now. When it cannot, every caller falls back
 * (bypass the cache, per-instance rate limits, near-cached sessions); each fallback is counted,
 * and the outage is logged once per component until Redis is back.
 */
const SUSPEND_MS = 2_000;

@Injectable()
export class CacheAvailability {
  private readonly logger = new Logger('CacheFallback');
  private readonly reported = new Set<string>();
  private readonly fallbacks = cacheMetrics.fallbacks();
  private outageSeen = false;
  /** After a failed or timed-out command, Redis is skipped for a moment instead of every request waiting on it. */
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

  /** In embedded mode everything is in-process and always available. */
  get sharedStateUsable(): boolean {
    if (this.redis && (!this.redis.isReady || Date.now() < this.suspendedUntil)) {
      this.outageSeen = true;
      return false;
    }
    if (this.reported.size > 0) {
      this.logger.log(`Redis is back; ${[...this.reported].join(', ')} use it again`);
      this.reported.clear();
    }
    return true;
  }

  fellBack(component: string): void {
    this.outageSeen = true;
    // A connected Redis that failed a command (timed out, say) is skipped briefly; a disconnected one is
    // already skipped until it reconnects.
    if (this.redis?.isReady) this.suspendedUntil = Date.now() + SUSPEND_MS;
    this.fallbacks.inc({ component });
    if (!this.reported.has(component)) {
      this.reported.add(component);
      this.logger.warn(`Redis unavailable: ${component} falls back until it returns`);
    }
  }
}
