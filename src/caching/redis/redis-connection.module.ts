import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { CacheAvailability } from '../cache-availability';
import { RedisClient, connectRedis } from './redis-client';
import { REDIS_CLIENT } from './redis-client.token';
import { configureRedisCommandTimeout } from './timeout';

/** The process's one Redis connection (none in embedded mode) and whether it is usable now. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig): RedisClient | null => {
        configureRedisCommandTimeout(config.redis.commandTimeoutMs);
        return connectRedis(config.redis);
      },
    },
    CacheAvailability,
  ],
  exports: [REDIS_CLIENT, CacheAvailability],
})
export class RedisConnectionModule {}
