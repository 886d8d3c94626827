import type { IncomingMessage } from 'node:http';
import { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoInstance } from 'pino';
import { registerEtagHook, registerJsonBodyParser } from '@app/http';
import { RequestContext, registerRequestContextHooks, requestIdFrom, REQUEST_ID_HEADER } from '@app/request-context';
import { AppModule } from './app.module';
import { attachAuditInterceptor } from './compliance';
import { ResolvedConfig } from './config';
import { setupDocs } from './docs';
import {
  Metrics,
  ShutdownState,
  createNestLogger,
  createRootLogger,
  registerAccessLog,
  registerDrainingHook,
  registerHttpMetrics,
} from './monitoring';

export interface CreateAppOptions {
  /** Test-only modules (e.g. a slow route for the shutdown test). */
  readonly extraImports?: ModuleMetadata['imports'];
  readonly logger?: PinoInstance;
}

/** Builds the whole application, ready to `listen` or `inject`: used by main.ts and the e2e tests alike. */
export async function createApp(config: ResolvedConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const rootLogger = options.logger ?? createRootLogger(config.log.level);
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]),
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraImports), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(createNestLogger(rootLogger));

  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  registerRequestContextHooks(fastify, app.get(RequestContext));
  registerHttpMetrics(fastify, app.get(Metrics), app.get(RequestContext));
  registerAccessLog(fastify, rootLogger);
  registerEtagHook(fastify);
  registerDrainingHook(fastify, app.get(ShutdownState));
  setupDocs(app);
  attachAuditInterceptor(app);
  await app.init();
  return app;
}
