import type { IncomingMessage } from 'node:http';
import { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoInstance } from 'pino';
import { answerClientError, answerFrameworkError, registerEtagHook, registerJsonBodyParser, registerSecurityHeaders } from '@app/http';
import { RequestContext, registerRequestContextHooks, requestIdFrom, REQUEST_ID_HEADER } from '@app/request-context';
import { AppModule } from './app.module';
import { attachAuditInterceptor } from './compliance';
import { ResolvedConfig } from './config';
import { setupDocs } from './docs';
import { registerSamlFormBody, registerScimHttp, withScimFrameworkErrors } from './tenancy';
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

let routesRegistration: Promise<unknown> = Promise.resolve();

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
    frameworkErrors: withScimFrameworkErrors(answerFrameworkError),
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraImports), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(createNestLogger(rootLogger));

  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  // /scim/v2 speaks SCIM (RFC 7644): its media type, and SCIM error bodies instead of problem+json.
  registerScimHttp(fastify);
  // The SAML assertion consumer service takes the HTML form of the HTTP-POST binding, and it alone.
  registerSamlFormBody(fastify);
  registerSecurityHeaders(fastify);
  registerRequestContextHooks(fastify, app.get(RequestContext));
  registerHttpMetrics(fastify, app.get(Metrics), app.get(RequestContext));
  registerAccessLog(fastify, rootLogger);
  registerEtagHook(fastify);
  registerDrainingHook(fastify, app.get(ShutdownState));
  setupDocs(app);
  // Route metadata (the audit interceptor's instance) is shared by every app of the process, and
  // tests build several: one app attaches it and registers its routes at a time.
  const registered = routesRegistration.then(async () => {
    attachAuditInterceptor(app);
    await app.init();
  });
  routesRegistration = registered.catch(() => undefined);
  await registered;
  return app;
}
