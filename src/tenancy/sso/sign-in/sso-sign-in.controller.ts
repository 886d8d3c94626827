import { Controller, Get, Headers, HttpStatus, Inject, Query, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthRateLimited } from '../../../caching';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import type { ClientInfo } from '../../auth/auth.service';
import { Client } from '../../auth/client-info.decorator';
import { Endpoint } from '../../auth/endpoint.decorator';
import { SessionTokenView } from '../../views';
import { SsoAuthorizationView, SsoCallbackQuery, StartSsoQuery } from '../dto/sso-sign-in.dto';
import { OIDC_BROWSER_BINDING, bindingCookieHeader, bindingOf, clearedBindingCookieHeader, newBrowserBinding } from './browser-binding';
import { SsoSignInService } from './sso-sign-in.service';

const LOCATION = { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri' } } };

/** A client that asks for JSON and not for a page (a browser's Accept names text/html). */
function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

@ApiTags('Single sign-on')
@Controller('v1/auth/sso')
export class SsoSignInController {
  constructor(
    private readonly signIn: SsoSignInService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  @Get('start')
  @AuthRateLimited()
  @ApiFoundResponse({ description: 'To the identity provider.', headers: LOCATION })
  @Endpoint({
    operationId: 'startSsoSignIn',
    summary: "Start signing in through the organization's identity provider",
    description:
      'Name the organization by `organizationId`, or give your work `email` and its verified domain finds it. ' +
      'A browser is redirected to the identity provider (authorization code with PKCE); a client that asks for ' +
      '`Accept: application/json` gets the URL to open instead. Either way the answer sets a cookie (`__Host-atrium-sso`: ' +
      'Secure, HttpOnly, SameSite=Lax) that binds the sign-in to this browser: the callback completes it only for a ' +
      'request carrying that cookie. So the browser that opens the URL must be the one that received this answer: ' +
      "call this route from the same site as the app (with credentials included, e.g. `fetch(..., {credentials: 'include'})`), " +
      'or navigate the browser to it.',
    access: 'public',
    ok: { type: SsoAuthorizationView, description: 'With `Accept: application/json`: the URL to open.' },
    notFound: 'No organization with an enabled SSO connection matches (`SSO_CONNECTION_NOT_FOUND`).',
    conflict:
      "The connection's client secret cannot be read since the server's encryption key changed (`SSO_CONNECTION_SECRET_UNREADABLE`): an owner must save it again.",
    unprocessableEntity:
      "The connection's issuer resolves to an address this server does not reach (`SSO_ISSUER_NOT_ALLOWED`, where SSO_ALLOW_PRIVATE_ISSUERS is off).",
    serviceUnavailable: "The identity provider's discovery document could not be read (`SSO_PROVIDER_UNAVAILABLE`).",
  })
  async start(
    @Query() query: StartSsoQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SsoAuthorizationView | undefined> {
    const binding = newBrowserBinding();
    const started = await this.signIn.start(query, binding.hash);
    reply.header('cache-control', 'no-store');
    reply.header('set-cookie', bindingCookieHeader(started.cookie, binding.value, this.config.sso.stateTtlMs / 1000));
    if (wantsJson(accept)) return started.view;
    reply.status(HttpStatus.FOUND).header('location', started.view.authorizationUrl);
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
    badRequest:
      'Unknown, expired or already used `state` (`SSO_STATE_INVALID`), or a request without the cookie the start set in ' +
      'the browser that began this sign-in (`SSO_BROWSER_MISMATCH`; the sign-in stays open for that browser).',
    unauthorized: 'The provider refused (`SSO_PROVIDER_ERROR`) or its ID token failed validation (`SSO_ID_TOKEN_INVALID`).',
    forbidden:
      'The email is missing, unverified or outside the verified domains (`SSO_EMAIL_NOT_ALLOWED`), or not a member (`SSO_NOT_A_MEMBER`).',
    notFound: 'The connection was removed, disabled or changed meanwhile (`SSO_CONNECTION_NOT_FOUND`).',
    conflict:
      "The connection's client secret cannot be read since the server's encryption key changed (`SSO_CONNECTION_SECRET_UNREADABLE`): an owner must save it again.",
    unprocessableEntity: "The connection's issuer resolves to an address this server does not reach (`SSO_ISSUER_NOT_ALLOWED`).",
    serviceUnavailable: 'The identity provider could not be reached (`SSO_PROVIDER_UNAVAILABLE`).',
  })
  async callback(
    @Query() query: SsoCallbackQuery,
    @Client() client: ClientInfo,
    @Headers('cookie') cookies: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionTokenView | undefined> {
    // Set first, so that a refusal clears the binding too: it is good for one completion.
    reply.header('cache-control', 'no-store');
    reply.header('set-cookie', clearedBindingCookieHeader(OIDC_BROWSER_BINDING));
    const result = await this.signIn.callback(query, client, bindingOf(OIDC_BROWSER_BINDING, cookies));
    if (result.kind === 'session') return result.view;
    reply.status(HttpStatus.FOUND).header('location', result.location);
    return undefined;
  }
}
