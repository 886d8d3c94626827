import { Module, OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { REPLICA_FALLBACK_REASONS, ReadReplica, SecurityEvents } from '../../tenancy';
import { DatabaseMetrics } from './database-metrics';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

@Module({
  imports: [PrometheusModule.register({ path: '/metrics', controller: MetricsController, defaultMetrics: { enabled: false } })],
  providers: [Metrics, DatabaseMetrics],
  exports: [Metrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly events: SecurityEvents,
    private readonly replica: ReadReplica,
  ) {}

  onModuleInit(): void {
    // Process and event-loop metrics, once per process (tests may build several apps in one).
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) {
      collectDefaultMetrics();
      // Gauges named like counters (prom-client issue #283), which promtool rejects; each has a
      // correctly named twin without the suffix.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        register.removeSingleMetric(name);
      }
    }
    this.events.subscribe((event) => {
      if (event.type === 'auth.failed' || event.type === 'auth.login.failed') {
        this.metrics.countAuthFailure(String(event.details?.reason ?? 'unknown'));
      }
    });
    if (this.replica.configured) {
      this.metrics.declareReplicaFallbacks(REPLICA_FALLBACK_REASONS);
      this.replica.onFallback((reason) => this.metrics.countReplicaFallback(reason));
      this.replica.onStatus((status) => this.metrics.setReplicaLag(status.state === 'down' ? undefined : status.lagSeconds));
    }
  }
}
