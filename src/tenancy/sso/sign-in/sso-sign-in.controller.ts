import { Controller, Get, Headers, HttpStatus, Query, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthRateLimited } from '../../../caching';
import type { ClientInfo } from '../../auth/auth.service';
import { Client } from '../../auth/client-info.decorator';
import { Endpoint } from '../../auth/endpoint.decorator';
import { SessionTokenView } from '../../views';
import { SsoAuthorizationView, SsoCallbackQuery, StartSsoQuery } from '../dto/sso-sign-in.dto';
import { SsoSignInService } from './sso-sign-in.service';

const LOCATION = { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri' } } };

/** A client that asks for JSON and not for a page (a browser's Accept names text/html). */
function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

@ApiTags('Single sign-on')
@Controller('v1/auth/sso')
export class SsoSignInController {
  constructor(private readonly signIn: SsoSignInService) {}

  @Get('start')
  @AuthRateLimited()
  @ApiFoundResponse({ description: 'To the identity provider.', headers: LOCATION })
  @Endpoint({
    operationId: 'startSsoSignIn',
    summary: "Start signing in through the organization's identity provider",
    description:
      'Name the organization by `organizationId`, or give your work `email` and its verified domain finds it. ' +
      'A browser is redirected to the identity provider (authorization code with PKCE); a client that asks for ' +
      '`Accept: application/json` gets the URL to open instead.',
    access: 'public',
    ok: { type: SsoAuthorizationView, description: 'With `Accept: application/json`: the URL to open.' },
    notFound: 'No organization with an enabled SSO connection matches (`SSO_CONNECTION_NOT_FOUND`).',
    serviceUnavailable: "The identity provider's discovery document could not be read (`SSO_PROVIDER_UNAVAILABLE`).",
  })
  async start(
    @Query() query: StartSsoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SsoAuthorizationView | undefined> {
    const started = await this.signIn.start(query);
    reply.header('cache-control', 'no-store');
    if (wantsJson(accept)) return started;
    reply.status(HttpStatus.FOUND).header('location', started.authorizationUrl);
    return undefined;
  }

  @Get('callback')
  @AuthRateLimited()
  @ApiFoundResponse({ description: 'To the app, the session in the URL fragment.', headers: LOCATION })
  @Endpoint({
    operationId: 'completeSsoSignIn',
    summary: 'Where the identity provider sends the browser back',
    description:
      'Completes the sign-in once: the answer is an ordinary session, as JSON, or (when the deployment sets ' +
      'SSO_SIGNED_IN_REDIRECT_URL) a redirect to the app with `token`, `expiresAt` and `organizationId` in the URL fragment.',
    access: 'public',
    ok: SessionTokenView,
    badRequest: 'Unknown, expired or already used `state` (`SSO_STATE_INVALID`).',
    unauthorized: 'The provider refused (`SSO_PROVIDER_ERROR`) or its ID token failed validation (`SSO_ID_TOKEN_INVALID`).',
    forbidden:
      'The email is missing, unverified or outside the verified domains (`SSO_EMAIL_NOT_ALLOWED`), or not a member (`SSO_NOT_A_MEMBER`).',
    notFound: 'The connection was removed, disabled or changed meanwhile (`SSO_CONNECTION_NOT_FOUND`).',
    serviceUnavailable: 'The identity provider could not be reached (`SSO_PROVIDER_UNAVAILABLE`).',
  })
  async callback(
    @Query() query: SsoCallbackQuery,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionTokenView | undefined> {
    const result = await this.signIn.callback(query, client);
    reply.header('cache-control', 'no-store');
    if (result.kind === 'session') return result.view;
    reply.status(HttpStatus.FOUND).header('location', result.location);
    return undefined;
  }
}
