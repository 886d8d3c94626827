import type { CacheAvailability } from '../cache-availability';
import type { RedisClient } from '../redis/redis-client';
import { SharedStore } from './shared-store';

/**
 * Every command goes through CacheAvailability.bounded: refused at once while Redis is suspended.
 * Each command names one key (several keys are several commands, pipelined on the one connection),
 * so each runs on a Redis Cluster too, where a multi-key command needs all its keys in one slot.
 */
export class RedisStore implements SharedStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: RedisClient,
    private readonly availability: CacheAvailability,
  ) {}

  private bounded<T>(operation: () => Promise<T>): Promise<T> {
    return this.availability.bounded(operation);
  }

  async get(key: string): Promise<string | null> {
    return this.bounded(() => this.redis.get(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.bounded(() => this.redis.set(key, value, { expiration: { type: 'PX', value: ttlMs } }));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.bounded(() => Promise.all(keys.map((key) => this.redis.del(key))));
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.bounded(() => this.redis.pExpire(key, ttlMs));
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    await this.bounded(() => this.redis.multi().sAdd(key, member).pExpire(key, ttlMs).exec());
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.bounded(() => this.redis.sRem(key, member));
  }

  async setMembers(key: string): Promise<string[]> {
    return this.bounded(() => this.redis.sMembers(key));
  }

  async increment(key: string): Promise<number> {
    return this.bounded(() => this.redis.incr(key));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? [] : this.bounded(() => Promise.all(keys.map((key) => this.redis.get(key))));
  }
}
