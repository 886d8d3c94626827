import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { RUNTIME_DB_ROLE } from '../database';
import { BacklogConnection } from './backlog-connection';
import { CacheAvailability } from './cache-availability';
import { versionKey } from './cache-keys';
import { cacheMetrics } from './cache-metrics';
import { REDIS_CLIENT } from './redis/redis-client.token';
import type { RedisClient } from './redis/redis-client';
import { SHARED_STORE, SharedStore } from './stores/shared-store';

/** How often every instance reads the backlog (one indexed query on a table that is almost always empty). */
export const BACKLOG_POLL_MS = 250;
/**
 * How old an instance's view of the backlog may be for it to serve cached values. A writer whose
 * bump failed answers only this long after recording it, so by then every instance that still
 * serves from the cache has read the backlog since the record and refuses the stale entries.
 */
export const BACKLOG_LEASE_MS = 1_000;

/** Runs one statement (`?` placeholders), e.g. in the transaction of the write being invalidated. */
export type StatementRunner = (sql: string, params: unknown[]) => Promise<unknown>;

interface BacklogRow {
  readonly id: string;
  readonly cache_scope: string;
  readonly resources: string[];
}

/**
 * Cache-version bumps that could not be written to Redis, kept durably in PostgreSQL until some
 * instance (whichever reaches Redis first) applies them. Until then no instance serves a cached
 * value of that org: each reads the backlog every BACKLOG_POLL_MS, and one that has not managed
 * to for BACKLOG_LEASE_MS (database trouble, a stalled event loop) serves nothing from the cache.
 * Without Redis (embedded mode) the in-process store never fails a bump and this is idle.
 */
@Injectable()
export class InvalidationBacklog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InvalidationBacklog');
  private readonly applied = cacheMetrics.backlogApplied();
  private blocked = new Set<string>();
  /** performance.now() when the last successful read of the backlog was sent. */
  private knownAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private polling: Promise<void> | null = null;
  /** Whether the current run of deferred invalidations was logged (once, until they are applied). */
  private warned = false;
  private readonly reader: BacklogConnection;

  constructor(
    private readonly em: EntityManager,
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    private readonly availability: CacheAvailability,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.reader = new BacklogConnection(config.database.url ?? '', RUNTIME_DB_ROLE);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.redis) return;
    this.timer = setInterval(() => void this.poll(), BACKLOG_POLL_MS).unref();
    // Applied as soon as Redis is back, so caching resumes with it rather than a poll later.
    this.redis.on('ready', () => void this.poll());
    await this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.reader.close();
  }

  /** Whether cached values of this org may be served now. */
  allows(orgId: string): boolean {
    if (!this.redis) return true;
    return performance.now() - this.knownAt <= BACKLOG_LEASE_MS && !this.blocked.has(orgId);
  }

  /**
   * Records bumps that could not be written, then waits out the lease so that every instance
   * serving from the cache has seen the record before the write is acknowledged.
   */
  async record(orgId: string, resources: readonly string[]): Promise<void> {
    await this.insert((sql, params) => this.em.getConnection().execute(sql, params), orgId, resources);
    await this.waitOutLease();
  }

  /**
   * Records bumps with `run`, a statement runner of the write's own transaction, so the record
   * commits (or rolls back) with the write; the caller waits out the lease after the commit.
   */
  async recordIn(run: StatementRunner, orgId: string, resources: readonly string[]): Promise<void> {
    await this.insert(run, orgId, resources);
  }

  waitOutLease(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, BACKLOG_LEASE_MS + BACKLOG_POLL_MS));
  }

  private async insert(run: StatementRunner, orgId: string, resources: readonly string[]): Promise<void> {
    await run("insert into cache_invalidation_backlog (cache_scope, resources) values (?, string_to_array(?, ','))", [
      orgId,
      resources.join(','),
    ]);
    this.blocked.add(orgId);
    if (!this.warned) {
      this.warned = true;
      this.logger.warn(
        'cache invalidations go to the backlog until Redis answers; cached reads of the orgs concerned are refused meanwhile',
      );
    }
  }

  private poll(): Promise<void> {
    this.polling ??= this.readAndApply().finally(() => (this.polling = null));
    return this.polling;
  }

  private async readAndApply(): Promise<void> {
    const sentAt = performance.now();
    let rows: BacklogRow[];
    try {
      rows = await this.reader.query<BacklogRow>(
        'select id, cache_scope, resources from cache_invalidation_backlog order by id limit 1000',
      );
    } catch {
      return; // the lease runs out and cached reads stop until the backlog can be read again
    }
    this.blocked = new Set(rows.map((row) => row.cache_scope));
    this.knownAt = sentAt;
    // What was read is applied: as of that read, nothing is left (later records are the next poll's).
    if (rows.length > 0 && this.availability.sharedStateUsable && (await this.apply(rows))) this.blocked = new Set();
  }

  /** Bumps first, deletes after: a crash in between bumps twice, which is harmless. */
  private async apply(rows: readonly BacklogRow[]): Promise<boolean> {
    try {
      // A long outage leaves one record per write; each version stamp needs only one bump.
      const keys = new Set(rows.flatMap((row) => row.resources.map((resource) => versionKey(row.cache_scope, resource))));
      for (const key of keys) await this.store.increment(key);
      await this.reader.query('delete from cache_invalidation_backlog where id = any($1::bigint[])', [rows.map((row) => row.id)]);
      this.applied.inc(rows.length);
      this.warned = false;
      this.logger.log(`applied ${rows.length} deferred cache invalidation(s)`);
      return true;
    } catch {
      // Redis or the database failed again: the rows stay and the next poll retries.
      return false;
    }
  }
}
