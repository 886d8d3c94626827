import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '../metrics/metrics.module';

import { DependencyMonitor } from './dependency-monitor';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness.indicators';
import { ShutdownState } from './shutdown-state';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MetricsModule],
  controllers: [HealthController],
  providers: [ReadinessIndicators, ShutdownState, DependencyMonitor],
  exports: [ShutdownState],
})
export class HealthModule {}
