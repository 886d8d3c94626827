import { Logger } from '@nestjs/common';
import { createClient } from '@redis/client';

export type RedisClient = ReturnType<typeof createRedisClient>;

function createRedisClient(url: string) {
  return createClient({
    url,
    // Commands fail at once while Redis is away instead of queueing behind a reconnect (callers bound
    // each command's wait, see timeout.ts); the ping notices a connection that went silent.
    disableOfflineQueue: true,
    pingInterval: 5_000,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
}

/** Connects in the background and reconnects by itself; an outage is logged once, and so is the recovery. */
export function connectRedis(url: string): RedisClient {
  const logger = new Logger('Redis');
  const client = createRedisClient(url);
  let reportedDown = false;
  client.on('error', (error: Error) => {
    if (!reportedDown) logger.warn(`Redis unavailable: ${error.message}`);
    reportedDown = true;
  });
  client.on('ready', () => {
    if (reportedDown) logger.log('Redis connection restored');
    reportedDown = false;
  });
  client.connect().catch(() => undefined); // readiness reports the outage meanwhile
  return client;
}
