import { Inject, Injectable } from '@nestjs/common';
import { SHARED_STORE, SharedStore } from './stores/shared-store';
import { CacheAvailability } from './cache-availability';

const EPOCH_KEY = 'cache-epoch';
const versionKey = (orgId: string, resource: string) => `cache-version:${orgId}:${resource}`;

/**
 * Invalidation by version stamps instead of key deletion: every cached entry's key includes the
 * versions of the org's resource types it was built from (and a global epoch). A write bumps
 * its types' versions after it commits, so every instance's next read misses, with no key scan.
 * Every instance that notices a Redis outage bumps the epoch when Redis returns, before it reads
 * the cache again: invalidations made during the outage were lost, so nothing older may be served.
 */
@Injectable()
export class CacheVersions {
  constructor(
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    private readonly availability: CacheAvailability,
  ) {}

  /** A token naming the current versions, or null when shared state is unusable (callers bypass caching). */
  async token(orgId: string, resources: readonly string[]): Promise<string | null> {
    if (!this.availability.sharedStateUsable) return null;
    try {
      if (this.availability.takeOutage()) await this.store.increment(EPOCH_KEY);
      const values = await this.store.getMany([EPOCH_KEY, ...resources.map((resource) => versionKey(orgId, resource))]);
      return values.map((value) => value ?? '0').join('.');
    } catch {
      return null;
    }
  }

  async bump(orgId: string, resources: readonly string[]): Promise<void> {
    try {
      if (!this.availability.sharedStateUsable) throw new Error('redis unavailable');
      for (const resource of resources) await this.store.increment(versionKey(orgId, resource));
    } catch {
      this.availability.fellBack('cache-invalidation');
    }
  }
}
