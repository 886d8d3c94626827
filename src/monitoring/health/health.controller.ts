import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Endpoint } from '../../tenancy';
import { Metrics } from '../metrics/metrics.service';
import { ReadinessIndicators } from './readiness.indicators';

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: ReadinessIndicators,
    private readonly metrics: Metrics,
  ) {}

  /** The process is up. No dependency is checked: a slow database must not get the process killed. */
  @Get('live')
  @Endpoint({
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    access: 'public',
    ok: {
      description: 'The process is up.',
      schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'], example: 'ok' } } },
    },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready for traffic: database, cache, migrations, and not shutting down. 503 with per-check detail
   * otherwise. A read replica's state is reported but never fails readiness: the primary serves.
   */
  @Get('ready')
  @HealthCheck()
  @Endpoint({ operationId: 'getReadiness', summary: 'Readiness probe', access: 'public' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.indicators.accepting(),
        () => this.indicators.database(),
        () => this.indicators.cache(),
        () => this.indicators.migrationsApplied(),
        ...(this.indicators.hasReplica ? [() => this.indicators.replica()] : []),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      result = error.getResponse() as HealthCheckResult;
    }
    const details = result.details ?? {};
    this.metrics.recordReadiness(result.status === 'ok', {
      database: details.database?.status === 'up',
      cache: details.cache?.status === 'up' && details.cache?.state !== 'degraded',
      ...(details.replica ? { replica: details.replica.state === 'up' } : {}),
    });
    return result;
  }
}
