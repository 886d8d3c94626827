import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { BoundedLabel } from './bounded-label';
import { METRIC } from './metric-catalogue';

/** Registering twice (several app instances in one test process) reuses the first metric. */
function once<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The application's Prometheus metrics (names in metric-catalogue.ts). Everything here is cheap
 * enough for the request path: label values are looked up, never built from raw input.
 */
@Injectable()
export class Metrics {
  readonly httpDuration = once(
    METRIC.httpDuration,
    () =>
      new Histogram({
        name: METRIC.httpDuration,
        help: 'HTTP request duration by route template',
        labelNames: ['method', 'route', 'status_class'],
        buckets: LATENCY_BUCKETS,
      }),
  );
  readonly httpInFlight = once(METRIC.httpInFlight, () => new Gauge({ name: METRIC.httpInFlight, help: 'HTTP requests being served' }));
  private readonly tenantRequests = once(
    METRIC.tenantRequests,
    () => new Counter({ name: METRIC.tenantRequests, help: 'Requests per organization (bounded; the rest as other)', labelNames: ['org'] }),
  );
  private readonly tenantErrors = once(
    METRIC.tenantErrors,
    () =>
      new Counter({ name: METRIC.tenantErrors, help: '5xx answers per organization (bounded; the rest as other)', labelNames: ['org'] }),
  );
  readonly dbQueryDuration = once(
    METRIC.dbQueryDuration,
    () =>
      new Histogram({ name: METRIC.dbQueryDuration, help: 'SQL statement duration', labelNames: ['operation'], buckets: LATENCY_BUCKETS }),
  );
  private readonly authFailures = once(
    METRIC.authFailures,
    () => new Counter({ name: METRIC.authFailures, help: 'Failed authentications by reason', labelNames: ['reason'] }),
  );
  private readonly dependencyUp = once(
    METRIC.dependencyUp,
    () => new Gauge({ name: METRIC.dependencyUp, help: 'Dependency reachable at the last readiness check', labelNames: ['dependency'] }),
  );
  private readonly ready = once(METRIC.ready, () => new Gauge({ name: METRIC.ready, help: 'Whether the last readiness check passed' }));
  private readonly jobRuns = once(
    METRIC.jobRuns,
    () => new Counter({ name: METRIC.jobRuns, help: 'Scheduled and manual job runs by outcome', labelNames: ['job', 'outcome'] }),
  );
  private readonly jobItems = once(
    METRIC.jobItems,
    () =>
      new Counter({
        name: METRIC.jobItems,
        help: 'Per-organization items of fanned-out job runs by outcome',
        labelNames: ['job', 'outcome'],
      }),
  );
  private readonly jobDuration = once(
    METRIC.jobDuration,
    () =>
      new Histogram({
        name: METRIC.jobDuration,
        help: 'Job run duration',
        labelNames: ['job'],
        buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      }),
  );
  private readonly jobSkippedTicks = once(
    METRIC.jobSkippedTicks,
    () =>
      new Counter({
        name: METRIC.jobSkippedTicks,
        help: 'Scheduled ticks not run because the previous run of the job still held its lease',
        labelNames: ['job'],
      }),
  );
  private readonly jobLastSuccess = once(
    METRIC.jobLastSuccess,
    () => new Gauge({ name: METRIC.jobLastSuccess, help: 'Unix time of the last successful run, cluster-wide', labelNames: ['job'] }),
  );
  private readonly replicaLag = once(
    METRIC.dbReplicaLag,
    () => new Gauge({ name: METRIC.dbReplicaLag, help: 'Read replica replay lag at the last probe (NaN while down)' }),
  );
  private readonly replicaFallbacks = once(
    METRIC.dbReplicaFallbacks,
    () =>
      new Counter({
        name: METRIC.dbReplicaFallbacks,
        help: 'Replica-routed reads served by the primary, by reason',
        labelNames: ['reason'],
      }),
  );
  private readonly tenantLabel: BoundedLabel;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.tenantLabel = new BoundedLabel(config.monitoring.maxTenantLabels);
  }

  countTenantRequest(orgId: string | undefined, status: number): void {
    if (orgId === undefined) return;
    const org = this.tenantLabel.of(orgId);
    this.tenantRequests.inc({ org });
    if (status >= 500) this.tenantErrors.inc({ org });
  }

  countAuthFailure(reason: string): void {
    this.authFailures.inc({ reason });
  }

  /** Makes a registered job's series exist from boot, so "never succeeded" alerts can see it. */
  declareJob(job: string): void {
    for (const outcome of ['success', 'failure', 'skipped', 'lost']) this.jobRuns.inc({ job, outcome }, 0);
    this.jobSkippedTicks.inc({ job }, 0);
  }

  recordJobRun(job: string, outcome: 'success' | 'failure' | 'skipped' | 'lost', seconds?: number): void {
    this.jobRuns.inc({ job, outcome });
    if (seconds !== undefined) this.jobDuration.observe({ job }, seconds);
  }

  /** Makes a fanned-out job's item series exist from boot, so a dead-letter alert sees 0 before the first. */
  declareJobItems(job: string): void {
    for (const outcome of ['done', 'retried', 'dead']) this.jobItems.inc({ job, outcome }, 0);
  }

  countJobItem(job: string, outcome: 'done' | 'retried' | 'dead'): void {
    this.jobItems.inc({ job, outcome });
  }

  countSkippedTick(job: string): void {
    this.jobSkippedTicks.inc({ job });
  }

  setJobLastSuccess(job: string, at: Date): void {
    this.jobLastSuccess.set({ job }, at.getTime() / 1000);
  }

  /** Makes every fallback reason's series exist from the start, so a rate over it sees 0 before the first. */
  declareReplicaFallbacks(reasons: readonly string[]): void {
    for (const reason of reasons) this.replicaFallbacks.inc({ reason }, 0);
  }

  countReplicaFallback(reason: string): void {
    this.replicaFallbacks.inc({ reason });
  }

  setReplicaLag(seconds: number | undefined): void {
    this.replicaLag.set(seconds ?? Number.NaN);
  }

  recordReadiness(ready: boolean, dependencies: Readonly<Record<string, boolean>>): void {
    this.ready.set(ready ? 1 : 0);
    for (const [dependency, up] of Object.entries(dependencies)) this.dependencyUp.set({ dependency }, up ? 1 : 0);
  }
}
