import { ExecutionContext, SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { routeMetadataReader } from '@app/http';
import { RequestContext } from '@app/request-context';
import { ResolvedConfig } from '../../config';

const AUTH_LIMITED = 'atrium:auth-rate-limited';

/** Login, sign-up, invitation acceptance: limited per client IP and per email, stricter than the API. */
export function AuthRateLimited(): MethodDecorator {
  return applyDecorators(
    SetMetadata(AUTH_LIMITED, true),
    ApiTooManyRequestsResponse({ description: 'Too many attempts from this address or for this email (`RATE_LIMITED`).' }),
  );
}

const authLimited = routeMetadataReader<boolean>(AUTH_LIMITED);

export function isAuthLimited(context: ExecutionContext): boolean {
  return authLimited(context) === true;
}

/** The email an auth request is about (login, sign-up) or the invitation it redeems, hashed: never kept in clear. */
function subjectOf(request: FastifyRequest): string {
  const body = (request.body ?? {}) as { email?: unknown; token?: unknown };
  const subject = typeof body.email === 'string' ? body.email.trim().toLowerCase() : typeof body.token === 'string' ? body.token : '';
  return createHash('sha256').update(subject).digest('hex').slice(0, 32);
}

/**
 * The throttlers: per principal (API key or session) and per org, sized by the org's plan, on every
 * authenticated route; per IP and per email on the auth routes. Health, metrics and docs are never
 * limited (they are public and not auth routes).
 */
export function rateLimiters(config: ResolvedConfig, context: RequestContext): ThrottlerOptions[] {
  const { windowMs, perPrincipal, orgMultiplier, authPerIp, authPerEmail } = config.rateLimits;
  const planLimit = () => perPrincipal[(context.tenant?.plan ?? 'free') as keyof typeof perPrincipal] ?? perPrincipal.free;
  const unauthenticated = () => !context.tenant;
  return [
    {
      name: 'principal',
      ttl: windowMs,
      limit: planLimit,
      skipIf: unauthenticated,
      // Per API key, or per session for users (each session its own budget; the org limit caps them together).
      getTracker: () => `${context.tenant?.principal.type}:${context.tenant?.principal.sessionId ?? context.tenant?.principal.id}`,
    },
    {
      name: 'org',
      ttl: windowMs,
      limit: () => planLimit() * orgMultiplier,
      skipIf: unauthenticated,
      getTracker: () => context.tenant?.orgId ?? 'none',
    },
    {
      name: 'auth-ip',
      ttl: windowMs,
      limit: authPerIp,
      skipIf: (ctx) => !isAuthLimited(ctx),
      getTracker: (req) => (req as FastifyRequest).ip,
    },
    {
      name: 'auth-email',
      ttl: windowMs,
      limit: authPerEmail,
      skipIf: (ctx) => !isAuthLimited(ctx),
      getTracker: (req) => subjectOf(req as FastifyRequest),
    },
  ];
}
