import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { CacheableMemory } from 'cacheable';
import type { RedisClient } from './redis/redis-client';
import { REDIS_CLIENT } from './redis/redis-client.token';
import { withinRedisTimeout } from './redis/timeout';

const SCAN_BATCH = 1000;

/**
 * Whether a cache key holds an entry of the org: response-cache keys are `r:<org>:…`
 * (response-cache.interceptor.ts), query-cache keys `q:<org>:…` (query-cache.ts), each behind the
 * store's own prefix (`keyv::` in Redis, `keyv:` in memory).
 */
function entryKeyPattern(orgId: string): RegExp {
  return new RegExp(`(^|:)[rq]:${uuidOnly(orgId)}:`);
}

/** Org ids are UUIDs; anything else is dropped so it can act as neither a regex nor a glob. */
function uuidOnly(orgId: string): string {
  return orgId.replace(/[^0-9a-f-]/gi, '');
}

export interface CacheEntriesScan {
  readonly store: 'redis' | 'in-process';
  /** Entries of the org looked at. */
  readonly scanned: number;
  /** Entries whose stored value contains any of the searched strings (case-insensitive). */
  readonly matching: number;
}

/**
 * Every cached response and query result of one organization, for when bumping versions is not
 * enough: a version bump makes old entries unreachable, but they stay in the store until their
 * TTL. Erasure must leave no copy, so it deletes them and then searches what is left.
 * Redis is walked with SCAN (never KEYS), which visits the whole keyspace: fine for a rare
 * erasure, not for hot paths.
 */
@Injectable()
export class OrganizationCacheEntries {
  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
  ) {}

  get store(): 'redis' | 'in-process' {
    return this.redis ? 'redis' : 'in-process';
  }

  /** Deletes every cached entry of the org; returns how many. Throws when Redis is unreachable. */
  async purge(orgId: string): Promise<number> {
    const redis = this.redis;
    if (!redis) {
      const memory = this.memory();
      const keys = [...memory.keys].filter((key) => entryKeyPattern(orgId).test(key));
      for (const key of keys) memory.delete(key);
      return keys.length;
    }
    let purged = 0;
    for await (const keys of this.redisKeys(redis, orgId)) {
      // One key per command (pipelined): a scan batch spans slots, which a Redis Cluster refuses in one UNLINK.
      const unlinked = await withinRedisTimeout(Promise.all(keys.map((key) => redis.unlink(key))));
      purged += unlinked.reduce((sum, count) => sum + count, 0);
    }
    return purged;
  }

  /** Counts the org's entries whose value contains any of `needles`; the values themselves never leave. */
  async scan(orgId: string, needles: readonly string[]): Promise<CacheEntriesScan> {
    const lowered = needles.filter((needle) => needle.length > 0).map((needle) => needle.toLowerCase());
    const contains = (value: unknown) => typeof value === 'string' && lowered.some((needle) => value.toLowerCase().includes(needle));
    let scanned = 0;
    let matching = 0;
    const redis = this.redis;
    if (!redis) {
      for (const item of this.memory().items) {
        if (!entryKeyPattern(orgId).test(item.key)) continue;
        scanned += 1;
        if (contains(typeof item.value === 'string' ? item.value : JSON.stringify(item.value))) matching += 1;
      }
      return { store: 'in-process', scanned, matching };
    }
    for await (const keys of this.redisKeys(redis, orgId)) {
      const values = await withinRedisTimeout(Promise.all(keys.map((key) => redis.get(key))));
      scanned += keys.length;
      matching += values.filter(contains).length;
    }
    return { store: 'redis', scanned, matching };
  }

  private async *redisKeys(redis: RedisClient, orgId: string): AsyncGenerator<string[]> {
    const pattern = entryKeyPattern(orgId);
    let cursor = '0';
    do {
      const reply = await withinRedisTimeout(redis.scan(cursor, { MATCH: `*[rq]:${uuidOnly(orgId)}:*`, COUNT: SCAN_BATCH }));
      cursor = String(reply.cursor);
      const keys = reply.keys.map(String).filter((key) => pattern.test(key));
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  /** The in-process LRU behind cache-manager in embedded mode (see caching.module.ts). */
  private memory(): CacheableMemory {
    const store = this.cache.stores[0]?.store as unknown;
    if (!(store instanceof CacheableMemory)) throw new Error('The cache is neither Redis nor the in-process LRU');
    return store;
  }
}
