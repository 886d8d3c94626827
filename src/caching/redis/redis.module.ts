import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { createClient } from '@redis/client';
import { APP_CONFIG, ResolvedConfig } from '../../config';

export type RedisClient = ReturnType<typeof createRedisClient>;

/** The shared Redis connection, or `null` in embedded mode (no REDIS_URL): in-process stores stand in. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

function createRedisClient(url: string) {
  return createClient({
    url,
    // Commands fail at once while Redis is away instead of queueing behind a reconnect.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
}

function connectRedis(config: ResolvedConfig): RedisClient | null {
  if (!config.redis.url) return null;
  const logger = new Logger('Redis');
  const client = createRedisClient(config.redis.url);
  let reportedDown = false;
  client.on('error', (error: Error) => {
    if (!reportedDown) logger.warn(`Redis unavailable: ${error.message}`);
    reportedDown = true;
  });
  client.on('ready', () => {
    if (reportedDown) logger.log('Redis connection restored');
    reportedDown = false;
  });
  client.connect().catch(() => undefined); // reconnects by itself; readiness reports it meanwhile
  return client;
}

@Global()
@Module({
  providers: [{ provide: REDIS_CLIENT, inject: [APP_CONFIG], useFactory: connectRedis }],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {}

  onApplicationShutdown(): void {
    if (this.redis?.isOpen) this.redis.destroy();
  }
}
