import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { REDIS_CLIENT, RedisClient } from '../../caching';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { MigrationStatus } from '../../database';
import { ShutdownState } from './shutdown-state';

const CHECK_TIMEOUT_MS = 2_000;

/** The dependency checks behind /health/ready, each reporting its latency. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly em: EntityManager,
    private readonly migrations: MigrationStatus,
    private readonly shutdown: ShutdownState,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  accepting(): HealthIndicatorResult<'lifecycle'> {
    const check = this.health.check('lifecycle');
    return this.shutdown.isDraining ? check.down({ state: 'draining' }) : check.up({ state: 'serving' });
  }

  async database(): Promise<HealthIndicatorResult<'database'>> {
    const check = this.health.check('database');
    const started = performance.now();
    try {
      await withTimeout(this.em.getConnection().execute('select 1'));
      return check.up({ latencyMs: elapsed(started) });
    } catch {
      return check.down({ latencyMs: elapsed(started), message: 'database did not answer' });
    }
  }

  async migrationsApplied(): Promise<HealthIndicatorResult<'migrations'>> {
    const check = this.health.check('migrations');
    try {
      const pending = await withTimeout(this.migrations.pendingCount());
      return pending === 0 ? check.up({ pending }) : check.down({ pending, message: 'migrations pending' });
    } catch {
      return check.down({ message: 'migration state unknown' });
    }
  }

  async cache(): Promise<HealthIndicatorResult<'cache'>> {
    const check = this.health.check('cache');
    if (!this.redis) return check.up({ store: 'in-process' });
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping());
      return check.up({ store: 'redis', state: 'connected', latencyMs: elapsed(started) });
    } catch {
      // Without Redis the API degrades (no shared cache, per-instance limits) but keeps answering.
      const degraded = { store: 'redis', state: 'degraded', latencyMs: elapsed(started), message: 'redis did not answer' };
      return this.config.cache.degradedFailsReadiness ? check.down(degraded) : check.up(degraded);
    }
  }
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
