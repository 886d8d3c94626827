import { RedisClientType, createClient } from '@redis/client';
import type { RedisSentinelConfig } from '../../config';
import { CONNECT_TIMEOUT_MS } from './redis-link';

export interface PrimaryAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Hears every `+switch-master` the Sentinels publish for our primary, on one subscription per
 * configured Sentinel (any one alive is enough; the same switch heard twice is harmless).
 *
 * node-redis's Sentinel client does not learn of a switch from this channel (its subscription
 * pattern is `switch-master`, which does not match `+switch-master`): after a planned failover
 * it keeps writing to the demoted primary until the next topology scan, and a Sentinel converts
 * that server to a replica (discarding what was written to it meanwhile) only some seconds later.
 */
export class SwitchWatch {
  private readonly subscribers: RedisClientType[] = [];

  constructor(
    private readonly sentinel: RedisSentinelConfig,
    private readonly onSwitch: (to: PrimaryAddress) => void,
  ) {}

  open(): void {
    for (const node of this.sentinel.nodes) {
      const subscriber = createClient({
        ...(this.sentinel.password === undefined ? {} : { password: this.sentinel.password }),
        socket: {
          host: node.host,
          port: node.port,
          connectTimeout: CONNECT_TIMEOUT_MS,
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
        },
      });
      subscriber.on('error', () => undefined); // a Sentinel that is away is the others' job; it reconnects by itself
      subscriber.connect().catch(() => undefined);
      // Queued until connected, and subscribed again after each reconnection by node-redis.
      subscriber.subscribe('+switch-master', (message) => this.heard(message)).catch(() => undefined);
      this.subscribers.push(subscriber);
    }
  }

  close(): void {
    for (const subscriber of this.subscribers) if (subscriber.isOpen) subscriber.destroy();
    this.subscribers.length = 0;
  }

  /** `<master-name> <old-ip> <old-port> <new-ip> <new-port>` */
  private heard(message: string): void {
    const [name, , , host, port] = message.split(' ');
    if (name === this.sentinel.masterName && host && Number(port) > 0) this.onSwitch({ host, port: Number(port) });
  }
}
