import { Body, Controller, Delete, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../auth/endpoint.decorator';
import { PutSsoConnectionDto, SsoConnectionView } from '../dto/sso-connection.dto';
import { SsoConnectionsService } from './sso-connections.service';

@ApiTags('Single sign-on')
@Controller('v1/sso/connection')
export class SsoConnectionsController {
  constructor(private readonly connections: SsoConnectionsService) {}

  @Get()
  @Endpoint({
    operationId: 'getSsoConnection',
    summary: "The organization's SSO connection (never its client secret)",
    permission: 'identity:manage',
    ok: SsoConnectionView,
    notFound: 'No SSO connection is configured (`SSO_CONNECTION_NOT_FOUND`).',
  })
  get(): Promise<SsoConnectionView> {
    return this.connections.get();
  }

  @Put()
  @Endpoint({
    operationId: 'putSsoConnection',
    summary: 'Create or replace the SSO connection',
    description:
      'One connection per organization, OpenID Connect (`type: oidc`, the `oidc` object) or SAML 2.0 (`type: saml`, the `saml` ' +
      'object). The OIDC client secret is write-only and stored encrypted; omit it to keep the stored one. ' +
      "Register the answer's `oidc.redirectUri`, or for SAML its `saml.metadataUrl` (or `spEntityId` and `acsUrl`), at the identity provider.",
    permission: 'identity:manage',
    ok: SsoConnectionView,
    badRequest:
      "For `type: saml`, the identity provider's metadata XML is not usable (`SSO_SAML_METADATA_INVALID`, the reason in `errors`): " +
      'not well-formed, no IdP entity, no HTTP-Redirect single sign-on service, no valid signing certificate, or it wants signed requests.',
  })
  put(@Body() body: PutSsoConnectionDto): Promise<SsoConnectionView> {
    return this.connections.put(body);
  }

  @Delete()
  @Endpoint({
    operationId: 'deleteSsoConnection',
    summary: 'Remove the SSO connection; members sign in with passwords again',
    permission: 'identity:manage',
    noContent: true,
    notFound: 'No SSO connection is configured (`SSO_CONNECTION_NOT_FOUND`).',
  })
  remove(): Promise<void> {
    return this.connections.remove();
  }
}
