import { RedisClientType, createClient } from '@redis/client';
import { CONNECT_TIMEOUT_MS, PING_INTERVAL_MS, RedisLink, RedisLinkEvents } from './redis-link';

/** One Redis server at REDIS_URL; node-redis reconnects to it by itself. */
export class StandaloneLink implements RedisLink {
  readonly driver: RedisClientType;

  constructor(url: string) {
    this.driver = createClient({
      url,
      // Commands fail at once while Redis is away instead of queueing behind a reconnect (callers bound
      // each command's wait, see timeout.ts); the ping notices a connection that went silent.
      disableOfflineQueue: true,
      pingInterval: PING_INTERVAL_MS,
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
    });
  }

  isReady(): boolean {
    return this.driver.isReady;
  }

  isOpen(): boolean {
    return this.driver.isOpen;
  }

  open(events: RedisLinkEvents): void {
    this.driver.on('error', (error: unknown) => events.error(error));
    this.driver.on('ready', () => events.ready());
    this.driver.connect().catch(() => undefined); // readiness reports the outage meanwhile
  }

  async destroy(): Promise<void> {
    if (this.driver.isOpen) this.driver.destroy();
  }
}
