import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, UnauthenticatedError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { Endpoint } from '../../tenancy';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

@ApiTags('Operations')
@Controller()
export class MetricsController extends PrometheusController {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {
    super();
  }

  /**
   * Prometheus text exposition. With METRICS_TOKEN set, a scrape must send it as a bearer token;
   * without one, only a server configured as public (development, or METRICS_PUBLIC=true) answers.
   */
  @Get()
  @ApiProduces('text/plain')
  @Endpoint({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    access: 'public',
    ok: { description: 'Prometheus text exposition format 0.0.4.', schema: { type: 'string' } },
  })
  override async index(@Res({ passthrough: true }) response: FastifyReply, @Req() request?: FastifyRequest): Promise<string> {
    const token = this.config.monitoring.metricsToken;
    if (token && !sameSecret(request?.headers.authorization ?? '', `Bearer ${token}`)) {
      throw new UnauthenticatedError('UNAUTHENTICATED', 'This endpoint needs the metrics bearer token.');
    }
    if (!token && !this.config.monitoring.metricsPublic) {
      throw new NotFoundError(
        'METRICS_NOT_EXPOSED',
        'Metrics are not exposed here: the server needs METRICS_TOKEN or METRICS_PUBLIC=true.',
      );
    }
    return super.index(response);
  }
}
