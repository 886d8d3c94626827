import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Permission } from '../permissions';

export const ROUTE_ACCESS = 'atrium:route-access';

/** What a route demands. Every route declares one; the guard refuses a route that does not. */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly sessionOnly: boolean }
  | { readonly kind: 'permission'; readonly permission: Permission; readonly sessionOnly: boolean };

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

/** Any signed-in caller of the org; `sessionOnly` refuses API keys (logout, switching organization). */
export function Authenticated(options: { sessionOnly?: boolean } = {}): MethodDecorator & ClassDecorator {
  const sessionOnly = options.sessionOnly ?? false;
  return applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'authenticated', sessionOnly } satisfies RouteAccess),
    ApiExtension(ACCESS_EXTENSION, { sessionOnly }),
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
