import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, lastValueFrom } from 'rxjs';
import { ValidationError } from '@app/http';
import { IdempotencyService, requestHashOf } from './idempotency.service';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const SANE_KEY = /^[\x21-\x7e]{1,255}$/;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || !SANE_KEY.test(key)) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // The concrete path, not the route template: the same key under another parent is another request.
    const hash = requestHashOf(request.method, request.url.split('?')[0], request.body);
    return from(
      this.idempotency
        .execute(key, hash, async () => {
          const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
          return { statusCode: reply.statusCode, body, headers: reply.getHeaders() as Record<string, string> };
        })
        .then((stored) => {
          if (stored.replayed) {
            reply.status(stored.statusCode).headers(stored.headers).header('idempotent-replayed', 'true');
          }
          return stored.body;
        }),
    );
  }
}

/** A creating POST that honours `Idempotency-Key`: same key and body within 24 h replays the first response. */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Any unique string (a UUID is best). A retry with the same key and body within 24 h returns the first response and creates nothing.',
      schema: { type: 'string', maxLength: 255, example: '6f1c2a7e-2f44-4d3a-9a55-0d8c6c1f2b9e' },
    }),
    ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used with a different request (`IDEMPOTENCY_KEY_REUSED`).' }),
  );
}
