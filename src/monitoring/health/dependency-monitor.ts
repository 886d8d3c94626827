import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CacheAvailability, InvalidationBacklog, REDIS_CLIENT, RedisClient } from '../../caching';
import { MigrationStatus } from '../../database';

/** How often each dependency is checked in the background; readiness reports the latest result. */
const CHECK_EVERY_MS = 500;
/**
 * A check with no answer after this long counts as failed at once, before its own timeout ends.
 * Redis answers in well under a millisecond when healthy. The database check runs on the cache
 * backlog's own connection, never a pooled one: a saturated pool during a load spike would
 * otherwise fail readiness on every busy instance at once. It may queue behind one backlog poll.
 */
const REDIS_HUNG_AFTER_MS = 250;
const DATABASE_HUNG_AFTER_MS = 1_000;
const CHECK_TIMEOUT_MS = 2_000;

export interface DependencyState {
  readonly up: boolean;
  /** The last answered check's round trip; absent until one answers. */
  readonly latencyMs?: number;
  /** Why it is down (or degraded); absent when up. */
  readonly reason?: string;
}

/** One dependency's background check: its last outcome, and when an unanswered check began. */
class Probe {
  private last: { ok: boolean; latencyMs?: number; reason?: string } | null = null;
  private startedAt: number | null = null;

  constructor(
    private readonly check: () => Promise<unknown>,
    private readonly hungAfterMs: number,
  ) {}

  run(): Promise<void> {
    if (this.startedAt !== null) return Promise.resolve(); // still waiting on the last one
    const started = performance.now();
    this.startedAt = started;
    return withTimeout(this.check()).then(
      () => this.settle({ ok: true, latencyMs: elapsed(started) }),
      (error: unknown) => this.settle({ ok: false, latencyMs: elapsed(started), reason: describe(error) }),
    );
  }

  private settle(outcome: { ok: boolean; latencyMs?: number; reason?: string }): void {
    this.last = outcome;
    this.startedAt = null;
  }

  state(): DependencyState {
    if (this.startedAt !== null && performance.now() - this.startedAt > this.hungAfterMs) {
      return { up: false, latencyMs: elapsed(this.startedAt), reason: 'no answer' };
    }
    if (!this.last) return { up: false, reason: 'not checked yet' };
    return this.last.ok
      ? { up: true, latencyMs: this.last.latencyMs }
      : { up: false, latencyMs: this.last.latencyMs, reason: this.last.reason };
  }
}

/**
 * What readiness knows about the database, Redis and migrations, kept current by checks that run
 * in the background: the probe itself never waits on a dependency, so a hung Redis or database
 * makes readiness say so within milliseconds instead of making the probe time out (a balancer
 * whose check times out marks every instance down at once).
 */
@Injectable()
export class DependencyMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly database: Probe;
  private readonly redisProbe: Probe | null;
  private readonly migrationsProbe: Probe;
  private pending: number | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    backlog: InvalidationBacklog,
    migrations: MigrationStatus,
    private readonly availability: CacheAvailability,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
  ) {
    this.database = new Probe(() => backlog.probeDatabase(), DATABASE_HUNG_AFTER_MS);
    this.redisProbe = redis ? new Probe(() => this.ping(redis), REDIS_HUNG_AFTER_MS) : null;
    this.migrationsProbe = new Probe(async () => {
      this.pending = await migrations.pendingCount();
    }, DATABASE_HUNG_AFTER_MS);
  }

  /** The first round is awaited, so the first probe after start-up reports real results. */
  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.checkAll(), CHECK_EVERY_MS).unref();
    await this.checkAll();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  databaseState(): DependencyState {
    return this.database.state();
  }

  migrationState(): DependencyState & { readonly pending: number | null } {
    return { ...this.migrationsProbe.state(), pending: this.pending };
  }

  /** Redis is degraded when it is disconnected, suspended after a failed command, or its ping hangs. */
  redisState(): DependencyState | null {
    if (!this.redis || !this.redisProbe) return null;
    const ping = this.redisProbe.state();
    if (!this.redis.isReady) return { up: false, latencyMs: ping.latencyMs, reason: 'disconnected' };
    if (this.availability.suspended) return { up: false, latencyMs: ping.latencyMs, reason: 'commands timing out' };
    return ping;
  }

  /** Tells the cache's availability tracking about the PING, so requests skip Redis while it hangs. */
  private ping(redis: RedisClient): Promise<string> {
    this.availability.pingSent();
    return redis.ping().finally(() => this.availability.pingAnswered());
  }

  private async checkAll(): Promise<void> {
    await Promise.all([this.database.run(), this.redisProbe?.run(), this.migrationsProbe.run()]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error && error.message === 'timed out' ? 'no answer' : 'check failed';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
