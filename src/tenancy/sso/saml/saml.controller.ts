import { Body, Controller, Get, Headers, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiFoundResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '@app/http';
import { AuthRateLimited } from '../../../caching';
import type { ClientInfo } from '../../auth/auth.service';
import { Client } from '../../auth/client-info.decorator';
import { Endpoint } from '../../auth/endpoint.decorator';
import { SessionTokenView } from '../../views';
import { SAML_BROWSER_BINDING, bindingOf, clearedBindingCookieHeader } from '../sign-in/browser-binding';
import { SamlAcsBody } from './saml.dto';
import { SAML_FORM_CONTENT_TYPE } from './saml-form-body';
import { SamlSignIn } from './saml-sign-in.service';

const LOCATION = { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri' } } };

@ApiTags('Single sign-on')
@Controller('v1/auth/sso/saml')
export class SamlController {
  constructor(private readonly saml: SamlSignIn) {}

  @Get(':connectionId/metadata')
  @AuthRateLimited()
  @ApiProduces('application/samlmetadata+xml')
  @Endpoint({
    operationId: 'getSamlServiceProviderMetadata',
    summary: "Atrium's SAML service-provider metadata for a connection",
    description:
      "For the identity provider's admin: the service provider's entity id (this URL), its assertion consumer service (HTTP-POST) " +
      'and that it wants signed assertions. Public, like any SAML metadata; a connection of another type has none.',
    access: 'public',
    ok: { description: 'SAML 2.0 metadata (an EntityDescriptor with an SPSSODescriptor).', schema: { type: 'string' } },
    notFound: 'No SAML connection has this id (`SSO_CONNECTION_NOT_FOUND`).',
  })
  async metadata(@UuidParam('connectionId') connectionId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const xml = await this.saml.metadata(connectionId);
    reply.header('content-type', 'application/samlmetadata+xml; charset=utf-8');
    return xml;
  }

  @Post('acs')
  @AuthRateLimited()
  // Browsers post the HTML form of the binding; JSON is taken too, like every other route.
  @ApiConsumes(SAML_FORM_CONTENT_TYPE, 'application/json')
  @ApiFoundResponse({ description: 'To the app, the session in the URL fragment.', headers: LOCATION })
  @Endpoint({
    operationId: 'consumeSamlResponse',
    summary: 'SAML assertion consumer service: where the identity provider posts its response',
    description:
      'The HTTP-POST binding: the form the identity provider has the browser submit, `SAMLResponse` and `RelayState`. The ' +
      'assertion must be signed with a certificate of the connection, for this service provider (audience), to this URL ' +
      '(recipient), within its validity, in answer to the request the sign-in sent, and used once. The answer is an ' +
      'ordinary session, as JSON, or (with SSO_SIGNED_IN_REDIRECT_URL) a redirect to the app with `token`, `expiresAt` ' +
      'and `organizationId` in the URL fragment.',
    access: 'public',
    ok: SessionTokenView,
    badRequest:
      'Unknown, expired or already used `RelayState` (`SSO_STATE_INVALID`), or posted by a browser without the cookie the ' +
      'start set in the browser that began this sign-in (`SSO_BROWSER_MISMATCH`).',
    unauthorized:
      'The response was refused: malformed or not schema-valid (`SSO_SAML_RESPONSE_INVALID`), an unsigned assertion ' +
      '(`SSO_SAML_ASSERTION_UNSIGNED`), a signature that does not verify (`SSO_SAML_SIGNATURE_INVALID`), another issuer ' +
      '(`SSO_SAML_ISSUER_MISMATCH`), audience (`SSO_SAML_AUDIENCE_MISMATCH`) or recipient (`SSO_SAML_RECIPIENT_MISMATCH`), ' +
      'expired (`SSO_SAML_ASSERTION_EXPIRED`), used before (`SSO_SAML_ASSERTION_REPLAYED`), not an answer to this sign-in ' +
      '(`SSO_SAML_IN_RESPONSE_TO_MISMATCH`), or the identity provider refused (`SSO_PROVIDER_ERROR`).',
    forbidden:
      'The email is missing or outside the verified domains (`SSO_EMAIL_NOT_ALLOWED`), or not a member (`SSO_NOT_A_MEMBER`).',
    notFound: 'The connection was removed, disabled or changed meanwhile (`SSO_CONNECTION_NOT_FOUND`).',
  })
  async consume(
    @Body() body: SamlAcsBody,
    @Client() client: ClientInfo,
    @Headers('cookie') cookies: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionTokenView | undefined> {
    // Set first, so that a refusal clears the binding too: it is good for one completion.
    reply.header('cache-control', 'no-store');
    reply.header('set-cookie', clearedBindingCookieHeader(SAML_BROWSER_BINDING));
    const result = await this.saml.consume(body, client, bindingOf(SAML_BROWSER_BINDING, cookies));
    if (result.kind === 'session') return result.view;
    reply.status(HttpStatus.FOUND).header('location', result.location);
    return undefined;
  }
}
