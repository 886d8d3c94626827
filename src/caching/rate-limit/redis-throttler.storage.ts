import { createHash } from 'node:crypto';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { CacheAvailability } from '../cache-availability';
import type { RedisClient } from '../redis/redis-client';
import { withinRedisTimeout } from '../redis/timeout';
import { rateLimitKeys } from './rate-limit-keys';

/** What `increment` answers (the package's `ThrottlerStorageRecord`, whose name it does not export). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One limiter's count for one request: its window, limit and block, and its key under a hash tag. */
export interface RateCount {
  readonly limiter: string;
  readonly tag: string;
  readonly tracker: string;
  readonly ttlMs: number;
  readonly limit: number;
  readonly blockMs: number;
}

/**
 * Fixed windows, counted atomically in Redis so every instance shares them; a key over its limit is
 * blocked for its block duration. KEYS are (counter, block marker) pairs and ARGV (window, limit,
 * block) triples, one per limiter, counted in order: the first blocked limiter ends the call (the
 * ones after it are not counted, as when each was its own call). Returns [hits, msToWindowEnd,
 * blocked, msToUnblock] per limiter counted.
 */
const INCREMENT = `
local results = {}
for i = 1, #KEYS / 2 do
  local counter, marker = KEYS[2 * i - 1], KEYS[2 * i]
  local window, limit, block = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), ARGV[3 * i]
  local blocked = redis.call('PTTL', marker)
  if blocked > 0 then
    local hits = tonumber(redis.call('GET', counter) or '0')
    for _, value in ipairs({hits, math.max(redis.call('PTTL', counter), 0), 1, blocked}) do table.insert(results, value) end
    return results
  end
  local hits = redis.call('INCR', counter)
  if hits == 1 then redis.call('PEXPIRE', counter, window) end
  local ttl = redis.call('PTTL', counter)
  if hits > limit then
    redis.call('SET', marker, '1', 'PX', block)
    for _, value in ipairs({hits, ttl, 1, tonumber(block)}) do table.insert(results, value) end
    return results
  end
  for _, value in ipairs({hits, ttl, 0, 0}) do table.insert(results, value) end
end
return results`;
const INCREMENT_SHA = createHash('sha1').update(INCREMENT).digest('hex');

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The rate-limit counters. Limits are global across instances through Redis (one EVALSHA per
 * hash tag: an authenticated request's limiters are one round trip); while Redis is away each
 * instance counts on its own.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();

  constructor(
    private readonly redis: RedisClient | null,
    private readonly availability: CacheAvailability,
  ) {}

  /** One limiter alone (the credential-failure limiter): `key` is its tag (a name and a value, see rate-limit-keys.ts). */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const [record] = await this.countAll([{ limiter: throttlerName, tag: key, tracker: '', ttlMs: ttl, limit, blockMs: blockDuration }]);
    return record;
  }

  /**
   * Counts `counts` in order, all sharing one tag, in one call; stops at the first blocked one.
   * Returns a record per limiter counted (the last is the blocked one, if any).
   */
  async countAll(counts: readonly RateCount[]): Promise<ThrottlerStorageRecord[]> {
    if (this.redis && this.availability.sharedStateUsable) {
      try {
        const reply = (await withinRedisTimeout(this.evaluate(this.redis, counts))) as number[];
        const records: ThrottlerStorageRecord[] = [];
        for (let i = 0; i < reply.length; i += 4) {
          const [hits, windowMs, blocked, blockMs] = reply.slice(i, i + 4);
          records.push({
            totalHits: hits,
            timeToExpire: seconds(windowMs),
            isBlocked: blocked === 1,
            timeToBlockExpire: blocked === 1 ? seconds(blockMs) : 0,
          });
        }
        return records;
      } catch {
        // counted below, like any other fallback
      }
    }
    if (this.redis) this.availability.fellBack('rate-limits');
    const records: ThrottlerStorageRecord[] = [];
    for (const count of counts) {
      const record = await this.local.increment(
        rateLimitKeys(count.tag, count.limiter, count.tracker)[0],
        count.ttlMs,
        count.limit,
        count.blockMs,
        count.limiter,
      );
      records.push(record);
      if (record.isBlocked) break;
    }
    return records;
  }

  /** EVALSHA, and EVAL once when Redis does not know the script yet (a restart, a failover, a flush). */
  private async evaluate(redis: RedisClient, counts: readonly RateCount[]): Promise<unknown> {
    const options = {
      keys: counts.flatMap((count) => [...rateLimitKeys(count.tag, count.limiter, count.tracker)]),
      arguments: counts.flatMap((count) => [String(count.ttlMs), String(count.limit), String(count.blockMs)]),
    };
    try {
      return await redis.evalSha(INCREMENT_SHA, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(INCREMENT, options);
    }
  }
}
