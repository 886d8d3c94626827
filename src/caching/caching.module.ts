import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { RedisClient, connectRedis } from './redis/redis-client';
import { MemoryStore } from './stores/memory-store';
import { RedisStore } from './stores/redis-store';
import { SHARED_STORE, SharedStore } from './stores/shared-store';

/** The shared Redis connection, or `null` in embedded mode (no REDIS_URL). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig): RedisClient | null => (config.redis.url ? connectRedis(config.redis.url) : null),
    },
    {
      provide: SHARED_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null): SharedStore => (redis ? new RedisStore(redis) : new MemoryStore()),
    },
  ],
  exports: [REDIS_CLIENT, SHARED_STORE],
})
export class CachingModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(SHARED_STORE) private readonly store: SharedStore,
  ) {}

  onApplicationShutdown(): void {
    if (this.redis?.isOpen) this.redis.destroy();
    if (this.store instanceof MemoryStore) this.store.close();
  }
}
