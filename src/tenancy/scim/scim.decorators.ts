import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ROUTE_ACCESS, RouteAccess } from '../auth/access.decorators';

/**
 * A SCIM 2.0 protocol controller: reached only with a SCIM token (the auth guard resolves it for
 * these routes alone), and left out of the OpenAPI document, whose conventions (problem+json, `/v1`
 * pagination) are not the SCIM contract: RFC 7644 and the discovery routes describe it instead.
 */
export function ScimProtocol(): ClassDecorator {
  return applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'scim' } satisfies RouteAccess), ApiExcludeController());
}
