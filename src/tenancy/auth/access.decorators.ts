import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Permission } from '../permissions';

export const ROUTE_ACCESS = 'atrium:route-access';

/** What a route demands. Every route declares one; the guard refuses a route that does not. */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly sessionOnly: boolean; readonly beforeMfa?: boolean }
  | { readonly kind: 'permission'; readonly permission: Permission; readonly sessionOnly: boolean }
  /** The SCIM protocol routes (src/tenancy/scim): a SCIM token of the org, and no other credential. */
  | { readonly kind: 'scim' };

/** Name of the OpenAPI extension that tells clients (and the authorization-matrix test) what a route needs. */
export const ACCESS_EXTENSION = 'x-atrium-access';

const authenticatedResponses = [ApiBearerAuth(), ApiUnauthorizedResponse({ description: 'No valid session token or API key.' })];

/** Reachable without credentials (sign-up, login, health). */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess),
    ApiSecurity({}),
    ApiExtension(ACCESS_EXTENSION, { public: true }),
  );
}

/**
 * Any signed-in caller of the org; `sessionOnly` refuses API keys (logout, switching organization).
 * `beforeMfa`: open to a session that an organization requiring MFA still holds back until its
 * user enrols (MFA enrolment itself, `GET /v1/me`, logout); every other route answers such a
 * session 403 `MFA_ENROLMENT_REQUIRED`.
 */
export function Authenticated(options: { sessionOnly?: boolean; beforeMfa?: boolean } = {}): MethodDecorator & ClassDecorator {
  const sessionOnly = options.sessionOnly ?? false;
  const beforeMfa = options.beforeMfa ?? false;
  return applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'authenticated', sessionOnly, beforeMfa } satisfies RouteAccess),
    ApiExtension(ACCESS_EXTENSION, beforeMfa ? { sessionOnly, beforeMfa } : { sessionOnly }),
    ...authenticatedResponses,
    ...(sessionOnly ? [ApiForbiddenResponse({ description: 'Needs a user session; API keys are refused.' })] : []),
  );
}

/** The caller's role (or API key scopes) must include `permission`; otherwise 403 FORBIDDEN. */
export function RequirePermission(permission: Permission, options: { sessionOnly?: boolean } = {}): MethodDecorator & ClassDecorator {
  const sessionOnly = options.sessionOnly ?? false;
  return applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'permission', permission, sessionOnly } satisfies RouteAccess),
    ApiExtension(ACCESS_EXTENSION, { permission, sessionOnly }),
    ...authenticatedResponses,
    ApiForbiddenResponse({ description: `Needs the \`${permission}\` permission.` }),
  );
}
