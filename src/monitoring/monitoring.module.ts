import { Global, Module } from '@nestjs/common';
import { ERROR_REPORTER } from '@app/http';
import { SentryErrorReporter } from './errors/sentry-error-reporter';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

/** Health, metrics, error tracking (tracing is started by src/instrument.ts before Nest loads). */
@Global()
@Module({
  imports: [HealthModule, MetricsModule],
  providers: [{ provide: ERROR_REPORTER, useClass: SentryErrorReporter }],
  exports: [HealthModule, MetricsModule, ERROR_REPORTER],
})
export class MonitoringModule {}
