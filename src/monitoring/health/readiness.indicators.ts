import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { ReadReplica } from '../../tenancy';
import { DependencyMonitor } from './dependency-monitor';
import { ShutdownState } from './shutdown-state';

/**
 * The checks behind /health/ready. None of them waits on a dependency: each reports what the
 * background checks (dependency-monitor.ts) and the cache's availability tracking last saw.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly monitor: DependencyMonitor,
    private readonly shutdown: ShutdownState,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly readReplica: ReadReplica,
  ) {}

  /** Whether a read replica is configured (then readiness reports it). */
  get hasReplica(): boolean {
    return this.readReplica.configured;
  }

  /**
   * The read replica's state (up, lagging, down) and lag, as its probe last saw them. Always `up`
   * for readiness: while the replica lags or is down, the primary serves its reads.
   */
  replica(): HealthIndicatorResult<'replica'> {
    const { state, lagSeconds, reason } = this.readReplica.status();
    return this.health.check('replica').up({
      state,
      ...(lagSeconds === undefined ? {} : { lagSeconds: Number.isFinite(lagSeconds) ? Math.round(lagSeconds * 1000) / 1000 : null }),
      ...(reason ? { message: `replica: ${reason}; reads go to the primary` } : {}),
    });
  }

  accepting(): HealthIndicatorResult<'lifecycle'> {
    const check = this.health.check('lifecycle');
    return this.shutdown.isDraining ? check.down({ state: 'draining' }) : check.up({ state: 'serving' });
  }

  database(): HealthIndicatorResult<'database'> {
    const check = this.health.check('database');
    const state = this.monitor.databaseState();
    return state.up
      ? check.up({ latencyMs: state.latencyMs })
      : check.down({ latencyMs: state.latencyMs, message: `database: ${state.reason}` });
  }

  migrationsApplied(): HealthIndicatorResult<'migrations'> {
    const check = this.health.check('migrations');
    const state = this.monitor.migrationState();
    if (!state.up || state.pending === null) return check.down({ message: 'migration state unknown' });
    return state.pending === 0 ? check.up({ pending: 0 }) : check.down({ pending: state.pending, message: 'migrations pending' });
  }

  cache(): HealthIndicatorResult<'cache'> {
    const check = this.health.check('cache');
    const state = this.monitor.redisState();
    if (!state) return check.up({ store: 'in-process' });
    if (state.up) return check.up({ store: 'redis', state: 'connected', latencyMs: state.latencyMs });
    // Without Redis the API degrades (no shared cache, per-instance limits) but keeps answering.
    const degraded = { store: 'redis', state: 'degraded', latencyMs: state.latencyMs, message: `redis: ${state.reason}` };
    return this.config.cache.degradedFailsReadiness ? check.down(degraded) : check.up(degraded);
  }
}
