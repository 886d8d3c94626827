import type { RedisClient } from '../redis/redis-client';
import { withinRedisTimeout as bounded } from '../redis/timeout';
import { SharedStore } from './shared-store';

export class RedisStore implements SharedStore {
  readonly kind = 'redis' as const;

  constructor(private readonly redis: RedisClient) {}

  async get(key: string): Promise<string | null> {
    return bounded(this.redis.get(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await bounded(this.redis.set(key, value, { expiration: { type: 'PX', value: ttlMs } }));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await bounded(this.redis.del(keys));
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await bounded(this.redis.pExpire(key, ttlMs));
  }

  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    await bounded(this.redis.multi().sAdd(key, member).pExpire(key, ttlMs).exec());
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await bounded(this.redis.sRem(key, member));
  }

  async setMembers(key: string): Promise<string[]> {
    return bounded(this.redis.sMembers(key));
  }

  async increment(key: string): Promise<number> {
    return bounded(this.redis.incr(key));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? [] : bounded(this.redis.mGet([...keys]));
  }
}
