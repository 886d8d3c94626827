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
import { FailureStreak } from './failure-streak';

/** How often every instance reads the backlog (one query on a table with one row per org at most, almost always empty). */
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
  readonly cache_scope: string;
  readonly resources: string[];
  readonly revision: string;
  readonly age_seconds: number;
}

/** One row per scope: a later write merges its resources in and bumps the revision (see apply). */
const UPSERT = `insert into cache_invalidation_backlog as b (cache_scope, resources) values (?, string_to_array(?, ','))
  on conflict (cache_scope) do update
  set resources = array(select distinct unnest(b.resources || excluded.resources)), revision = b.revision + 1`;

/**
 * Cache-version bumps that could not be written to Redis, kept durably in PostgreSQL until some
 * instance (whichever reaches Redis first) applies them. Until then no instance serves a cached
 * value of that org: each reads every pending scope every BACKLOG_POLL_MS, and one that has not
 * managed to for BACKLOG_LEASE_MS (database trouble, a stalled event loop) serves nothing from the
 * cache. Without Redis (embedded mode) the in-process store never fails a bump and this is idle.
 *
 * Its connection is outside the request pool, so readiness's database check runs on it too
 * (probeDatabase): a saturated pool must not make every busy instance look down at once.
 */
@Injectable()
export class InvalidationBacklog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InvalidationBacklog');
  private readonly applied = cacheMetrics.backlogApplied();
  private readonly oldestAge = cacheMetrics.backlogOldestAge();
  private readonly readFailures = new FailureStreak(
    this.logger,
    'cannot read the cache invalidation backlog; cached reads stop until it can',
  );
  private readonly applyFailures = new FailureStreak(
    this.logger,
    'cannot apply the cache invalidation backlog; the orgs concerned stay uncached',
  );
  /** Scopes with a pending invalidation, as of the last read plus those recorded here since. */
  private blocked = new Set<string>();
  /** Scopes this instance recorded, with performance.now() of the record: kept until a later read covers them. */
  private readonly recordedAt = new Map<string, number>();
  /** performance.now() when the last successful read of the backlog was sent. */
  private knownAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private polling: Promise<void> | null = null;
  private closed = false;
  /** Whether the current run of deferred invalidations was logged (once, until they are applied). */
  private warned = false;
  private readonly reader: BacklogConnection;
  private readonly onRedisReady = (): void => void this.poll();

  constructor(
    private readonly em: EntityManager,
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
    this.redis.on('ready', this.onRedisReady);
    await this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.redis?.off('ready', this.onRedisReady);
    await this.polling;
    await this.reader.close();
  }

  /** Whether cached values of this org may be served now. */
  allows(orgId: string): boolean {
    if (!this.redis) return true;
    return performance.now() - this.knownAt <= BACKLOG_LEASE_MS && !this.blocked.has(orgId);
  }

  /** One round trip on the backlog's own connection: proves the database answers without a pooled connection. */
  async probeDatabase(): Promise<void> {
    await this.reader.query('select 1');
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
    await run(UPSERT, [orgId, resources.join(',')]);
    this.blocked.add(orgId);
    this.recordedAt.set(orgId, performance.now());
    if (!this.warned) {
      this.warned = true;
      this.logger.warn(
        'cache invalidations go to the backlog until Redis answers; cached reads of the orgs concerned are refused meanwhile',
      );
    }
  }

  private poll(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.polling ??= this.readAndApply().finally(() => (this.polling = null));
    return this.polling;
  }

  private async readAndApply(): Promise<void> {
    const sentAt = performance.now();
    let rows: BacklogRow[];
    try {
      // No limit: one row per scope, so this is bounded by the number of orgs with a pending invalidation.
      rows = await this.reader.query<BacklogRow>(
        `select cache_scope, resources, revision::text as revision,
          extract(epoch from clock_timestamp() - created_at)::float8 as age_seconds from cache_invalidation_backlog`,
      );
      this.readFailures.succeeded('reading the cache invalidation backlog again');
    } catch (error) {
      this.readFailures.failed(error);
      return; // the lease runs out and cached reads stop until the backlog can be read again
    }
    this.blocked = new Set(rows.map((row) => row.cache_scope));
    // A record made here after the read was sent may be missing from it: keep refusing that scope.
    for (const [scope, at] of this.recordedAt) {
      if (at < sentAt) this.recordedAt.delete(scope);
      else this.blocked.add(scope);
    }
    this.knownAt = sentAt;
    if (this.blocked.size === 0) this.warned = false; // another instance may have applied them
    this.oldestAge.set(rows.reduce((oldest, row) => Math.max(oldest, row.age_seconds), 0));
    if (rows.length > 0 && !this.closed && this.availability.sharedStateUsable) await this.apply(rows);
  }

  /**
   * Bumps first, deletes after: a crash in between bumps twice, which is harmless. A row deletes
   * only at the revision applied; one a write merged into meanwhile stays for the next poll. The
   * bumps are one INCR per key (pipelined), not a MULTI: the keys are of many orgs, which a Redis
   * Cluster keeps in different slots, and a partial run only bumps again at the next poll.
   */
  private async apply(rows: readonly BacklogRow[]): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    try {
      const keys = rows.flatMap((row) => row.resources.map((resource) => versionKey(row.cache_scope, resource)));
      await this.availability.bounded(() => Promise.all(keys.map((key) => redis.incr(key))));
      const cleared = await this.reader.query<{ cache_scope: string }>(
        `delete from cache_invalidation_backlog b using unnest($1::text[], $2::bigint[]) as applied(scope, revision)
         where b.cache_scope = applied.scope and b.revision = applied.revision returning b.cache_scope`,
        [rows.map((row) => row.cache_scope), rows.map((row) => row.revision)],
      );
      this.applyFailures.succeeded('applying the cache invalidation backlog again');
      for (const { cache_scope: scope } of cleared) {
        if (!this.recordedAt.has(scope)) this.blocked.delete(scope);
      }
      this.applied.inc(cleared.length);
      if (cleared.length === rows.length) this.oldestAge.set(0);
      if (this.blocked.size === 0) this.warned = false;
      this.logger.log(`applied deferred cache invalidations of ${cleared.length} org(s)`);
    } catch (error) {
      // Redis or the database failed again: the rows stay and the next poll retries.
      this.applyFailures.failed(error);
    }
  }
}
