import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS_CLIENT } from './redis/redis-client.token';
import type { RedisClient } from './redis/redis-client';
import { cacheMetrics } from './cache-metrics';

/**
 * Whether shared state in Redis can be used right now. When it cannot, every caller falls back
 * (bypass the cache, per-instance rate limits, near-cached sessions); each fallback is counted,
 * and the outage is logged once per component until Redis is back.
 */
@Injectable()
export class CacheAvailability {
  private readonly logger = new Logger('CacheFallback');
  private readonly reported = new Set<string>();
  private readonly fallbacks = cacheMetrics.fallbacks();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {}

  /** In embedded mode everything is in-process and always available. */
  get sharedStateUsable(): boolean {
    if (!this.redis || this.redis.isReady) {
      if (this.reported.size > 0) {
        this.logger.log(`Redis is back; ${[...this.reported].join(', ')} use it again`);
        this.reported.clear();
      }
      return true;
    }
    return false;
  }

  fellBack(component: string): void {
    this.fallbacks.inc({ component });
    if (!this.reported.has(component)) {
      this.reported.add(component);
      this.logger.warn(`Redis unavailable: ${component} falls back until it returns`);
    }
  }
}
