import { ExecutionContext, SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { routeMetadataReader } from '@app/http';
import { RequestContext } from '@app/request-context';
import { ResolvedConfig } from '../../config';

const AUTH_LIMITED = 'atrium:auth-rate-limited';

/**
 * Login, sign-up, invitation acceptance and password changes (whatever can guess a secret): limited
 * per client IP and per email or user, stricter than the API.
 */
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

/**
 * Whom an auth request is about, hashed (never kept in clear): the email of a login or sign-up,
 * the invitation it redeems, or else the signed-in user (a password change).
 */
function subjectOf(request: FastifyRequest, context: RequestContext): string {
  const body = (request.body ?? {}) as { email?: unknown; token?: unknown };
  const subject =
    typeof body.email === 'string'
      ? body.email.trim().toLowerCase()
      : typeof body.token === 'string'
        ? body.token
        : `user:${context.tenant?.principal.id ?? ''}`;
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
      getTracker: (req) => subjectOf(req as FastifyRequest, context),
    },
  ];
}
