import { CacheModule } from '@nestjs/cache-manager';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import KeyvRedis from '@keyv/redis';
import { CacheableMemory } from 'cacheable';
import { Keyv } from 'keyv';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { CacheAvailability } from './cache-availability';
import { CacheVersions } from './cache-versions';
import { InvalidationBacklog } from './invalidation-backlog';
import { OrganizationCacheEntries } from './organization-cache-entries';
import { QueryCache } from './query-cache';
import { CredentialFailureLimiter } from './rate-limit/credential-failure-limiter';
import { RATE_COUNTERS } from './rate-limit/rate-counters.token';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { RedisClient } from './redis/redis-client';
import { RedisConnectionModule } from './redis/redis-connection.module';
import { REDIS_CLIENT } from './redis/redis-client.token';
import { ResponseCacheInterceptor } from './response-cache.interceptor';
import { MemoryStore } from './stores/memory-store';
import { RedisStore } from './stores/redis-store';
import { SHARED_STORE, SharedStore } from './stores/shared-store';

/**
 * Redis-backed caching (cache-manager on Keyv: @keyv/redis on our one Redis connection, or an
 * in-process LRU in embedded mode), the shared store for sessions and version stamps, and rate
 * limiting (rate-limit/: our guard, counting in Redis). Everything degrades to per-instance memory
 * while Redis is unreachable.
 */
@Global()
@Module({
  imports: [
    RedisConnectionModule,
    CacheModule.registerAsync({
      isGlobal: true,
      imports: [RedisConnectionModule],
      inject: [REDIS_CLIENT, APP_CONFIG],
      useFactory: (redis: RedisClient | null, config: ResolvedConfig) => ({
        ttl: config.cache.ttlMs,
        stores: [
          redis
            ? new Keyv({ store: new KeyvRedis(redis.driver, { namespace: 'cache', throwOnErrors: false }), useKeyPrefix: false })
            : new Keyv({ store: new CacheableMemory({ lruSize: 10_000, ttl: config.cache.ttlMs }) }),
        ],
      }),
    }),
  ],
  providers: [
    {
      provide: RATE_COUNTERS,
      inject: [REDIS_CLIENT, CacheAvailability],
      useFactory: (redis: RedisClient | null, availability: CacheAvailability) => new RedisThrottlerStorage(redis, availability),
    },
    {
      provide: SHARED_STORE,
      inject: [REDIS_CLIENT, CacheAvailability],
      useFactory: (redis: RedisClient | null, availability: CacheAvailability): SharedStore =>
        redis ? new RedisStore(redis, availability) : new MemoryStore(),
    },
    {
      provide: CredentialFailureLimiter,
      inject: [RATE_COUNTERS, APP_CONFIG],
      useFactory: (counters: RedisThrottlerStorage, config: ResolvedConfig) => new CredentialFailureLimiter(counters, config),
    },
    InvalidationBacklog,
    CacheVersions,
    QueryCache,
    ResponseCacheInterceptor,
    OrganizationCacheEntries,
  ],
  exports: [
    RedisConnectionModule,
    RATE_COUNTERS,
    SHARED_STORE,
    CredentialFailureLimiter,
    CacheVersions,
    InvalidationBacklog,
    QueryCache,
    ResponseCacheInterceptor,
    OrganizationCacheEntries,
  ],
})
export class CachingModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(SHARED_STORE) private readonly store: SharedStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.destroy();
    if (this.store instanceof MemoryStore) this.store.close();
  }
}
