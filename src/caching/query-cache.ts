import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { CacheAvailability } from './cache-availability';
import { cacheMetrics } from './cache-metrics';
import { CacheVersions } from './cache-versions';

/**
 * Cached results of hot reads, keyed by org, the versions of the resource types they depend on
 * and a name. Concurrent misses for one key share one load (single-flight). A value is stored as
 * JSON; Redis trouble means a plain load, never an error.
 */
@Injectable()
export class QueryCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly requests = cacheMetrics.requests();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly versions: CacheVersions,
    private readonly availability: CacheAvailability,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async getOrLoad<T>(
    cacheName: string,
    orgId: string,
    resources: readonly string[],
    name: string,
    load: () => Promise<T>,
    ttlMs?: number,
  ): Promise<T> {
    const token = await this.versions.token(orgId, resources, cacheName);
    if (token === null) return load();
    const key = `q:${orgId}:${cacheName}:${token}:${name}`;
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const work = this.lookup(cacheName, key, load, ttlMs ?? this.config.cache.ttlMs).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async lookup<T>(cacheName: string, key: string, load: () => Promise<T>, ttlMs: number): Promise<T> {
    const hit = await this.availability.bounded(() => this.cache.get<string>(key)).catch(() => undefined);
    if (hit !== undefined && hit !== null) {
      this.requests.inc({ cache: cacheName, result: 'hit' });
      return JSON.parse(hit) as T;
    }
    this.requests.inc({ cache: cacheName, result: 'miss' });
    const value = await load();
    // Not awaited: the answer does not wait for the fill. Commands on the one Redis connection run in
    // order, so a later read through this instance finds the value.
    void this.availability.bounded(() => this.cache.set(key, JSON.stringify(value), ttlMs)).catch(() => undefined);
    return value;
  }
}
