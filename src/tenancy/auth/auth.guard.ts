import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError, ForbiddenError, UnauthenticatedError, routeMetadataReader } from '@app/http';
import { RequestContext } from '@app/request-context';
import { CredentialFailureLimiter } from '../../caching';
import { SecurityEvents } from '../security-events';
import { ROUTE_ACCESS, RouteAccess } from './access.decorators';
import { CredentialResolver } from './credential-resolver';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/**
 * Layer 1 of the tenant boundary: resolves the bearer credential, fills the request context
 * (org, principal, role, permissions) and checks the route's declared access. Nothing is public
 * unless it says `@Public()`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's declared access, read once. */
  private readonly accessOf = routeMetadataReader<RouteAccess>(ROUTE_ACCESS);

  constructor(
    private readonly credentials: CredentialResolver,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
    private readonly failures: CredentialFailureLimiter,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const access = this.accessOf(execution);
    if (!access) throw new AppError('internal', 'ROUTE_ACCESS_UNDECLARED', 'This route declares no access rule.');
    if (access.kind === 'public') return true;

    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      await this.events.record({ type: 'auth.failed', details: { reason: request.headers.authorization ? 'malformed' : 'missing' } });
      throw new UnauthenticatedError();
    }
    // An address past its limit of unknown tokens gets no lookup, except for tokens known to be good.
    if (!this.credentials.recentlyValid(token)) this.failures.assertNotBlocked(request.ip);
    // The SCIM routes take a SCIM token and nothing else; no other route knows SCIM tokens.
    const resolution = access.kind === 'scim' ? await this.credentials.resolveScim(token) : await this.credentials.resolve(token);
    if ('failure' in resolution) {
      await this.events.record({ type: 'auth.failed', details: { reason: resolution.failure } });
      // Guessing yields unknown tokens; an expired or revoked one is a client's stale configuration.
      if (resolution.failure === 'unknown_token') await this.failures.recordFailure(request.ip);
      throw new UnauthenticatedError('INVALID_CREDENTIALS', 'The bearer token is not valid or no longer valid.');
    }
    const tenant = resolution.tenant;
    this.context.setTenant(tenant);
    if (access.kind === 'scim') return true;

    if (access.sessionOnly && tenant.principal.type !== 'user') {
      await this.events.record({
        type: 'permission.denied',
        details: { reason: 'session_required', route: request.routeOptions.url ?? '' },
      });
      throw new ForbiddenError('This route needs a user session; API keys cannot use it.');
    }
    if ('mfaPending' in resolution && resolution.mfaPending && !(access.kind === 'authenticated' && access.beforeMfa)) {
      await this.events.record({
        type: 'permission.denied',
        details: { reason: 'mfa_enrolment_required', route: request.routeOptions.url ?? '' },
      });
      throw new AppError(
        'forbidden',
        'MFA_ENROLMENT_REQUIRED',
        'This organization requires multi-factor authentication: enrol at POST /v1/me/mfa/totp, or, if you have enrolled, verify this session at POST /v1/me/mfa/verify.',
      );
    }
    if (access.kind === 'permission' && !tenant.permissions.has(access.permission)) {
      await this.events.record({
        type: 'permission.denied',
        details: { permission: access.permission, route: request.routeOptions.url ?? '' },
      });
      throw new ForbiddenError(`This needs the ${access.permission} permission.`);
    }
    return true;
  }
}
