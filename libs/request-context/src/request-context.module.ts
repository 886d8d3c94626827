import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { RequestContext } from './request-context.service';

/**
 * The context is entered by a Fastify `onRequest` hook (see `request-context.hook.ts`),
 * not by nestjs-cls's middleware, guard or interceptor: hooks are the cheapest place on Fastify.
 */
@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: { mount: false },
      guard: { mount: false },
      interceptor: { mount: false },
    }),
  ],
  providers: [RequestContext],
  exports: [RequestContext],
})
export class RequestContextModule {}
