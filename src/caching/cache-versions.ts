import { Inject, Injectable } from '@nestjs/common';
import { SHARED_STORE, SharedStore } from './stores/shared-store';
import { CacheAvailability } from './cache-availability';
import { EPOCH_KEY, versionKey } from './cache-keys';
import { cacheMetrics } from './cache-metrics';
import { InvalidationBacklog, StatementRunner } from './invalidation-backlog';

/**
 * Invalidation by version stamps instead of key deletion: every cached entry's key includes the
 * versions of the org's resource types it was built from (and a global epoch). A write bumps
 * its types' versions after it commits, so every instance's next read misses, with no key scan.
 *
 * A bump that cannot be written (Redis hung, unreachable or suspended) is recorded in the
 * invalidation backlog in PostgreSQL before the write is acknowledged (in the write's own
 * transaction when Redis was known to be unusable before it committed, see `prepare`), and no instance serves a
 * cached value of that org until some instance has applied it (invalidation-backlog.ts). Every
 * instance that notices a Redis outage also bumps the epoch when Redis returns, before it reads
 * the cache again.
 */
/** The fallback label of cached reads refused because the org has an invalidation in the backlog (not a Redis fault). */
const BACKLOG_BYPASS = 'cache-backlog';

@Injectable()
export class CacheVersions {
  private readonly blockedReads = cacheMetrics.fallbacks();

  constructor(
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    private readonly availability: CacheAvailability,
    private readonly backlog: InvalidationBacklog,
  ) {}

  /**
   * A token naming the current versions, or null when the cache must not be used now (callers
   * bypass caching; the bypass is counted here under `component`): Redis is unusable, or an
   * invalidation of the org is still in the backlog (counted as `cache-backlog`).
   */
  async token(orgId: string, resources: readonly string[], component: string): Promise<string | null> {
    if (!this.availability.sharedStateUsable) {
      this.availability.bypassed(component);
      return null;
    }
    if (!this.backlog.allows(orgId)) {
      this.blockedReads.inc({ component: BACKLOG_BYPASS });
      return null;
    }
    try {
      if (this.availability.takeOutage()) await this.store.increment(EPOCH_KEY);
      const values = await this.store.getMany([EPOCH_KEY, ...resources.map((resource) => versionKey(orgId, resource))]);
      return values.map((value) => value ?? '0').join('.');
    } catch {
      this.availability.bypassed(component);
      return null;
    }
  }

  /**
   * For a write in progress: while Redis is already known to be unusable, the invalidation is
   * recorded now through `run` (a statement runner of the write's own transaction), so it commits
   * with the write. Returns what to do once the write has committed: bump, or wait out the lease.
   */
  async prepare(orgId: string, resources: readonly string[], run: StatementRunner): Promise<() => Promise<void>> {
    if (this.availability.sharedStateUsable) return () => this.bump(orgId, resources);
    this.availability.bypassed('cache-invalidation');
    await this.backlog.recordIn(run, orgId, resources);
    return () => this.backlog.waitOutLease();
  }

  async bump(orgId: string, resources: readonly string[]): Promise<void> {
    try {
      for (const resource of resources) await this.store.increment(versionKey(orgId, resource));
    } catch {
      this.availability.bypassed('cache-invalidation');
      await this.backlog.record(orgId, resources);
    }
  }
}
