import { createHash } from 'node:crypto';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, lastValueFrom } from 'rxjs';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { CacheAvailability } from './cache-availability';
import { cacheMetrics } from './cache-metrics';
import { CacheVersions } from './cache-versions';

const CACHED_RESPONSE = 'atrium:cached-response';
const JSON_TYPE = 'application/json; charset=utf-8';

interface CachedResponseOptions {
  /** The resource types the response is built from; a write to any of them in the org invalidates it. */
  readonly resources: readonly string[];
  readonly ttlSeconds?: number;
}

/**
 * A GET whose response is cached per org, route, query and the caller's permission set. The
 * cached body is the same JSON, so the ETag (computed from it) and 304s behave as uncached.
 */
export function CachedResponse(options: CachedResponseOptions): MethodDecorator {
  return applyDecorators(SetMetadata(CACHED_RESPONSE, options), UseInterceptors(ResponseCacheInterceptor));
}

@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  private readonly requests = cacheMetrics.requests();
  private readonly reflector = new Reflector();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly versions: CacheVersions,
    private readonly availability: CacheAvailability,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CachedResponseOptions | undefined>(CACHED_RESPONSE, execution.getHandler());
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const tenant = this.context.tenant;
    if (!options || request.method !== 'GET' || !tenant) return next.handle();
    const reply = execution.switchToHttp().getResponse<FastifyReply>();
    return from(this.respond(request, reply, tenant.orgId, [...tenant.permissions].sort().join(','), options, next));
  }

  /** The JSON goes out as the exact text cached (hit) or about to be cached (miss): serialised once, never parsed back. */
  private async respond(
    request: FastifyRequest,
    reply: FastifyReply,
    orgId: string,
    permissions: string,
    options: CachedResponseOptions,
    next: CallHandler,
  ): Promise<unknown> {
    const token = await this.versions.token(orgId, options.resources, 'response-cache');
    if (token === null) return lastValueFrom(next.handle());
    const scope = createHash('sha256').update(`${permissions}\n${request.url}`).digest('base64url').slice(0, 32);
    const key = `r:${orgId}:${token}:${scope}`;
    const hit = await this.availability.bounded(() => this.cache.get<string>(key)).catch(() => undefined);
    if (hit) {
      this.requests.inc({ cache: 'response', result: 'hit' });
      void reply.type(JSON_TYPE);
      return hit;
    }
    this.requests.inc({ cache: 'response', result: 'miss' });
    const json = JSON.stringify(await lastValueFrom(next.handle()));
    const ttlMs = (options.ttlSeconds ?? this.config.cache.ttlMs / 1000) * 1000;
    // Not awaited, as in QueryCache: the response does not wait for the fill.
    void this.availability.bounded(() => this.cache.set(key, json, ttlMs)).catch(() => undefined);
    void reply.type(JSON_TYPE);
    return json;
  }
}
