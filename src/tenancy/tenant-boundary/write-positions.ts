import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { CacheAvailability, REDIS_CLIENT, RedisClient } from '../../caching';
import { WalPosition } from './wal-position';

/** Keeps the larger of the stored and the given position: two instances writing for one org must not move it back. */
const REMEMBER = `
local stored = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > stored then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`;

/** Orgs whose last write this instance remembers locally (each entry lives for the TTL below). */
const LOCAL_ORGS = 10_000;
/**
 * A position is kept for the lag bound plus this margin: past it, a replica within the bound (as
 * probed, at most a probe period ago) has replayed the write anyway, so it may serve the org again.
 */
const MARGIN_MS = 2_000;

/** What is known of an org's writes not yet replayed: its newest position, none, or unknown (Redis could not be asked). */
export type LatestWrite = WalPosition | 'none' | 'unknown';

/**
 * The newest WAL position at which each organization committed a write (read-your-writes for the
 * replica), locally and in Redis so every instance sees the writes of the others. It is kept per
 * organization, not per principal: the response and query caches are per organization, so a
 * colleague's replica read that missed the write would be cached under the version that write
 * bumped and served to the writer too. A position is remembered before the write's cache
 * invalidation runs (TenantDatabase.afterCommit), so a read whose cache version follows a write
 * always finds that write's position here.
 */
@Injectable()
export class WritePositions {
  private readonly local: LRUCache<string, WalPosition>;
  private readonly ttlMs: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    private readonly availability: CacheAvailability,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.ttlMs = (config.database.replica?.maxLagMs ?? 0) + MARGIN_MS;
    this.local = new LRUCache({ max: LOCAL_ORGS, ttl: this.ttlMs });
  }

  async remember(orgId: string, position: WalPosition): Promise<void> {
    if ((this.local.get(orgId) ?? -1) < position) this.local.set(orgId, position);
    const redis = this.redis;
    if (!redis) return;
    try {
      await this.availability.bounded(() =>
        redis.eval(REMEMBER, { keys: [keyOf(orgId)], arguments: [String(position), String(this.ttlMs)] }),
      );
    } catch {
      // Other instances cannot learn of this write: they send the org's reads to the primary while Redis is unusable.
      this.availability.bypassed('read-your-writes');
    }
  }

  /** The org's newest write this instance or (through Redis) any other remembers. */
  async latest(orgId: string): Promise<LatestWrite> {
    const local = this.local.get(orgId);
    const redis = this.redis;
    if (!redis) return local ?? 'none';
    try {
      const stored = await this.availability.bounded(() => redis.get(keyOf(orgId)));
      const shared = stored === null ? undefined : Number(stored);
      const newest = Math.max(local ?? -1, shared ?? -1);
      return newest < 0 ? 'none' : newest;
    } catch {
      this.availability.bypassed('read-your-writes');
      return 'unknown';
    }
  }
}

function keyOf(orgId: string): string {
  return `replica:written:${orgId}`;
}
