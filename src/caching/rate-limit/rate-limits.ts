import { ExecutionContext, SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { routeMetadataReader } from '@app/http';
import { RequestContext } from '@app/request-context';
import { ResolvedConfig } from '../../config';
import type { RateCount } from './redis-throttler.storage';

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
 * Whom an auth request is about, hashed (never kept in clear): the signed-in user on a signed-in
 * route (a password change, an MFA code: whatever else the request carries, so that a made-up
 * email or state cannot buy a fresh budget), else the email of a login or sign-up, the invitation it
 * redeems, the MFA sign-in challenge it answers, or the email or state of an SSO sign-in.
 */
function subjectOf(request: FastifyRequest, context: RequestContext): string | null {
  if (context.tenant) return hashed(`user:${context.tenant.principal.id}`);
  const body = (request.body ?? {}) as { email?: unknown; token?: unknown; challengeToken?: unknown };
  // SSO sign-in is a pair of GETs: the email (or organization id) starts it, the state completes it.
  const query = (request.query ?? {}) as { email?: unknown; state?: unknown };
  const subject =
    typeof body.email === 'string'
      ? body.email.trim().toLowerCase()
      : typeof body.token === 'string'
        ? body.token
        : typeof body.challengeToken === 'string'
          ? body.challengeToken
          : typeof query.email === 'string'
            ? query.email.trim().toLowerCase()
            : typeof query.state === 'string'
              ? `state:${query.state}`
              : null;
  return subject === null ? null : hashed(subject);
}

const hashed = (subject: string) => createHash('sha256').update(subject).digest('hex').slice(0, 32);

/**
 * The limiters that count a request, in order: per principal (API key or session) and per org,
 * sized by the org's plan, on every authenticated request; per IP and per email on the auth routes.
 * Health, metrics and docs are never limited (they are public and not auth routes). The principal's
 * and the org's limiters share the org's hash tag, so they are counted in one Redis call.
 */
export function rateCounts(config: ResolvedConfig, context: RequestContext, request: FastifyRequest, authRoute: boolean): RateCount[] {
  const { windowMs, perPrincipal, orgMultiplier, authPerIp, authPerEmail } = config.rateLimits;
  const counts: RateCount[] = [];
  const tenant = context.tenant;
  if (tenant) {
    const planLimit = perPrincipal[tenant.plan as keyof typeof perPrincipal] ?? perPrincipal.free;
    const tag = `org:${tenant.orgId}`;
    // Per API key, or per session for users (each session its own budget; the org limit caps them together).
    const principal = `${tenant.principal.type}:${tenant.principal.sessionId ?? tenant.principal.id}`;
    counts.push(
      { limiter: 'principal', tag, tracker: principal, ttlMs: windowMs, limit: planLimit, blockMs: windowMs },
      { limiter: 'org', tag, tracker: '', ttlMs: windowMs, limit: planLimit * orgMultiplier, blockMs: windowMs },
    );
  }
  if (authRoute) {
    const subject = subjectOf(request, context);
    counts.push({ limiter: 'auth-ip', tag: `auth-ip:${request.ip}`, tracker: '', ttlMs: windowMs, limit: authPerIp, blockMs: windowMs });
    // No subject (an SSO start by organization id): the per-IP limit alone, not one bucket everyone shares.
    if (subject !== null) {
      counts.push({
        limiter: 'auth-email',
        tag: `auth-email:${subject}`,
        tracker: '',
        ttlMs: windowMs,
        limit: authPerEmail,
        blockMs: windowMs,
      });
    }
  }
  return counts;
}
