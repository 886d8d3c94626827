import { CallHandler, ExecutionContext, Injectable, NestInterceptor, StreamableFile } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, map } from 'rxjs';
import { etagOfJson, matchesIfNoneMatch } from './etag';

/**
 * Every successful JSON GET under /v1 carries a strong ETag of its body, and answers 304 to a
 * matching `If-None-Match`. The body is serialised once, here, and sent as is.
 */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.method !== 'GET' || !request.url.startsWith('/v1/')) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        // Streams (exports, downloads) carry their own type and are not buffered to be hashed.
        if (body === undefined || body instanceof StreamableFile || Buffer.isBuffer(body) || reply.statusCode >= 300) return body;
        const json = JSON.stringify(body);
        const etag = etagOfJson(json);
        reply.header('etag', etag);
        if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
          reply.status(304);
          return '';
        }
        reply.type('application/json; charset=utf-8');
        return json;
      }),
    );
  }
}
