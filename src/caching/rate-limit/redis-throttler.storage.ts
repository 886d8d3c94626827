import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { CacheAvailability } from '../cache-availability';
import type { RedisClient } from '../redis/redis-client';
import { withinRedisTimeout } from '../redis/timeout';
import { rateLimitKeys } from './rate-limit-keys';

/** What `increment` answers (the package's `ThrottlerStorageRecord`, whose name it does not export). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One fixed window per key, counted atomically in Redis so every instance shares it; a key over
 * its limit is blocked for `blockDuration`. Returns [hits, msToWindowEnd, blocked, msToUnblock].
 */
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}`;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Limits are global across instances through Redis; while Redis is away each instance counts on its own. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();

  constructor(
    private readonly redis: RedisClient | null,
    private readonly availability: CacheAvailability,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (!this.redis) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    if (this.availability.sharedStateUsable) {
      try {
        const [hits, windowMs, blocked, blockMs] = (await withinRedisTimeout(
          this.redis.eval(INCREMENT, {
            keys: [...rateLimitKeys(throttlerName, key)],
            arguments: [String(ttl), String(limit), String(blockDuration)],
          }),
        )) as number[];
        return {
          totalHits: hits,
          timeToExpire: seconds(windowMs),
          isBlocked: blocked === 1,
          timeToBlockExpire: blocked === 1 ? seconds(blockMs) : 0,
        };
      } catch {
        // counted below, like any other fallback
      }
    }
    this.availability.fellBack('rate-limits');
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}
