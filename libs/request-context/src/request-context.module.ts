import { Global, Module } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { RequestContext } from './request-context.service';

/**
 * The context lives in nestjs-cls's one `ClsService` and is entered by a Fastify `onRequest` hook
 * (see `request-context.hook.ts`), the cheapest place on Fastify. `ClsModule.forRoot` is not used:
 * it registers a global guard and a global interceptor even when neither is mounted, and every
 * global interceptor costs each request an `AsyncResource.bind` in Nest's interceptor chain.
 */
@Global()
@Module({
  providers: [{ provide: ClsService, useFactory: () => ClsServiceManager.getClsService() }, RequestContext],
  exports: [ClsService, RequestContext],
})
export class RequestContextModule {}
