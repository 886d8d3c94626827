import { Inject, Injectable } from '@nestjs/common';
import { SHARED_STORE, SharedStore } from './stores/shared-store';
import { CacheAvailability } from './cache-availability';

const EPOCH_KEY = 'cache-epoch';
const versionKey = (orgId: string, resource: string) => `cache-version:${orgId}:${resource}`;

/**
 * Invalidation by version stamps instead of key deletion: every cached entry's key includes the
 * versions of the org's resource types it was built from (and a global epoch). A write bumps
 * its types' versions after it commits, so every instance's next read misses, with no key scan.
 * If a bump cannot reach Redis, the epoch is bumped once Redis returns, dropping everything that
 * might be stale.
 */
@Injectable()
export class CacheVersions {
  private epochBumpOwed = false;

  constructor(
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    private readonly availability: CacheAvailability,
  ) {}

  /** A token naming the current versions, or null when shared state is unusable (callers bypass caching). */
  async token(orgId: string, resources: readonly string[]): Promise<string | null> {
    if (!this.availability.sharedStateUsable) return null;
    try {
      if (this.epochBumpOwed) {
        await this.store.increment(EPOCH_KEY);
        this.epochBumpOwed = false;
      }
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
      this.epochBumpOwed = true;
      this.availability.fellBack('cache-invalidation');
    }
  }
}
