import { Inject, Injectable, Logger } from '@nestjs/common';
import { BaseClient, CallbackParamsType, IdTokenClaims, errors, generators } from 'openid-client';
import { AppError, ValidationError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import type { ClientInfo } from '../../auth/auth.service';
import { SecretBox } from '../../secrets/secret-box';
import { SecurityEvents } from '../../security-events';
import { clientSecretContext } from '../connections/sso-connections.service';
import { SsoAuthorizationView, SsoCallbackQuery, StartSsoQuery } from '../dto/sso-sign-in.dto';
import { OidcSettings, SsoConnection, oidcSettingsOf } from '../entities/sso-connection.entity';
import { SamlSignIn } from '../saml/saml-sign-in.service';
import { SsoRepository, emailDomain } from '../sso.repository';
import { SsoUrls } from '../sso-urls';
import { BrowserBindingCookie, OIDC_BROWSER_BINDING, SAML_BROWSER_BINDING, sameBrowser } from './browser-binding';
import { OidcClients, providerUnavailable } from './oidc-clients';
import { SignInState, SignInStates } from './sign-in-states';
import { SsoPerson } from './sso-accounts';
import { SsoCallbackResult, SsoCompletion } from './sso-completion';
import { browserMismatch, emailNotAllowed, noConnection, stateInvalid } from './sign-in-errors';

/** `amr` values (RFC 8176) that tell a second factor was checked at the identity provider. */
const MFA_METHODS = new Set(['mfa', 'otp', 'hwk']);

export type { SsoCallbackResult } from './sso-completion';

const signInFailed = (code: string, detail: string) => new AppError('unauthenticated', code, detail);
/** The sealed client secret does not open: the server's SECRETS_ENCRYPTION_KEY changed since it was saved. */
const secretUnreadable = () =>
  new AppError(
    'conflict',
    'SSO_CONNECTION_SECRET_UNREADABLE',
    "This organization's SSO connection cannot be used until an owner saves its client secret again " +
      "(the server's encryption key changed); sign in with your password if your organization allows it.",
  );

/** Why a callback failed, for the security event (never shown to the client beyond its code). */
class SignInRefusal extends Error {
  constructor(
    readonly reason: string,
    readonly error: AppError,
  ) {
    super(reason);
  }
}

/** `openid-client`'s validation messages, reduced to a stable reason. */
function reasonOf(error: Error): string {
  const message = error.message;
  if (/^JWT expired/.test(message)) return 'id_token_expired';
  if (/^(aud|azp) |^aud is missing|^missing required JWT property azp/.test(message)) return 'wrong_audience';
  if (/^nonce mismatch/.test(message)) return 'nonce_mismatch';
  if (/^failed to validate JWT signature|^no valid key found/.test(message)) return 'bad_signature';
  if (/^(unexpected iss|iss mismatch)/.test(message)) return 'wrong_issuer';
  if (/^state mismatch/.test(message)) return 'state_mismatch';
  return 'id_token_invalid';
}

/**
 * OpenID Connect sign-in: authorization code with PKCE (S256), `state` and `nonce` kept
 * server-side for one use; the library validates the ID token (issuer, audience, expiry,
 * signature against the provider's JWKS, nonce). The person must have an email in a verified
 * domain of the organization. The result is an ordinary Atrium session.
 */
@Injectable()
export class SsoSignInService {
  private readonly logger = new Logger(SsoSignInService.name);
  private unreadableSecretLogged = false;

  constructor(
    private readonly sso: SsoRepository,
    private readonly states: SignInStates,
    private readonly clients: OidcClients,
    private readonly completion: SsoCompletion,
    private readonly saml: SamlSignIn,
    private readonly secrets: SecretBox,
    private readonly urls: SsoUrls,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * The identity provider's authorization URL for the organization named by id or by the email's
   * verified domain; `browser` is the hash of the browser-binding cookie the caller sets with
   * `cookie`, kept with the state (browser-binding.ts).
   */
  async start(query: StartSsoQuery, browser: string): Promise<{ view: SsoAuthorizationView; cookie: BrowserBindingCookie }> {
    if ((query.organizationId === undefined) === (query.email === undefined)) {
      throw new ValidationError([{ field: 'organizationId', message: 'give either organizationId or email' }]);
    }
    const orgId = query.organizationId ?? (await this.organizationOfEmail(query.email as string));
    const connection = orgId ? await this.sso.connectionOf(orgId) : null;
    if (!connection || !connection.enabled) throw noConnection();
    if (connection.type === 'saml') return { view: await this.saml.start(connection, browser), cookie: SAML_BROWSER_BINDING };
    const settings = oidcSettingsOf(connection) as OidcSettings;
    const client = await this.clientFor(connection, settings);
    const nonce = generators.nonce();
    const codeVerifier = generators.codeVerifier();
    const state = await this.states.save({
      orgId: connection.organization.id,
      connectionId: connection.id,
      issuer: settings.issuer,
      clientId: settings.clientId,
      nonce,
      codeVerifier,
      browser,
    });
    const authorizationUrl = client.authorizationUrl({
      scope: settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(query.email ? { login_hint: query.email } : {}),
    });
    const view = { authorizationUrl, expiresAt: new Date(Date.now() + this.config.sso.stateTtlMs).toISOString() };
    return { view, cookie: OIDC_BROWSER_BINDING };
  }

  /** `browser`: the browser-binding cookie the request carries (null: none). */
  async callback(query: SsoCallbackQuery, client: ClientInfo, browser: string | null): Promise<SsoCallbackResult> {
    if (!query.state) throw stateInvalid();
    // Another browser's callback (login CSRF: a victim handed the attacker's callback URL) is refused
    // before the state is claimed, so it cannot spend the sign-in of the browser that started it.
    const pending = await this.states.peek(query.state);
    if (pending && !sameBrowser(pending.browser, browser)) {
      await this.events.record({ type: 'sso.login.failed', orgId: pending.orgId, details: { reason: 'browser_mismatch' } });
      throw browserMismatch();
    }
    const started = await this.states.take(query.state);
    if (!started) {
      await this.events.record({ type: 'sso.login.failed', details: { reason: 'unknown_state' } });
      throw stateInvalid();
    }
    try {
      const { connection, person, mfa } = await this.verify(started, query);
      return await this.completion.complete(connection, person, mfa, client);
    } catch (error) {
      const refusal = error instanceof SignInRefusal ? error : null;
      const reason = refusal?.reason ?? (error instanceof AppError ? error.code.toLowerCase() : 'internal');
      await this.events.record({ type: 'sso.login.failed', orgId: started.orgId, details: { reason } });
      throw refusal?.error ?? error;
    }
  }

  /** Exchanges the code and validates the ID token; then checks the person may use this organization's SSO. */
  private async verify(
    started: SignInState,
    query: SsoCallbackQuery,
  ): Promise<{ connection: SsoConnection; person: SsoPerson; mfa: boolean }> {
    const connection = await this.sso.connectionOf(started.orgId);
    const settings = connection ? oidcSettingsOf(connection) : null;
    if (
      !connection ||
      !settings ||
      !connection.enabled ||
      connection.id !== started.connectionId ||
      settings.issuer !== started.issuer ||
      settings.clientId !== started.clientId
    ) {
      throw new SignInRefusal('connection_changed', noConnection());
    }
    const client = await this.clientFor(connection, settings);
    const claims = await this.exchange(client, query, started);
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    const domain = emailDomain(email);
    if (!domain)
      throw new SignInRefusal(
        'no_email',
        emailNotAllowed('The identity provider sent no email address; ask your admin to release the email claim.'),
      );
    if (claims.email_verified === false) {
      throw new SignInRefusal('email_unverified', emailNotAllowed('The identity provider says this email address is not verified.'));
    }
    if (!(await this.sso.verifiedDomainsOf(connection.organization.id)).includes(domain)) {
      throw new SignInRefusal(
        'domain_not_verified',
        emailNotAllowed('Your email domain is not a verified domain of this organization; ask an admin to verify it.'),
      );
    }
    const amr = Array.isArray(claims.amr) ? claims.amr : [];
    const person: SsoPerson = {
      issuer: settings.issuer,
      subject: claims.sub,
      email,
      name: (typeof claims.name === 'string' && claims.name.trim().slice(0, 200)) || email.slice(0, email.indexOf('@')),
      claims,
    };
    return { connection, person, mfa: amr.some((method) => MFA_METHODS.has(method)) };
  }

  private async exchange(client: BaseClient, query: SsoCallbackQuery, started: SignInState): Promise<IdTokenClaims> {
    const params: CallbackParamsType = {
      state: query.state,
      ...(query.code !== undefined ? { code: query.code } : {}),
      ...(query.iss !== undefined ? { iss: query.iss } : {}),
      ...(query.error !== undefined ? { error: query.error, error_description: query.error_description, error_uri: query.error_uri } : {}),
    };
    try {
      const tokens = await client.callback(this.urls.callback(), params, {
        state: query.state,
        nonce: started.nonce,
        code_verifier: started.codeVerifier,
        response_type: 'code',
      });
      return tokens.claims();
    } catch (error) {
      if (error instanceof errors.OPError) {
        const code = error.error && /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'provider_error';
        throw new SignInRefusal(code, signInFailed('SSO_PROVIDER_ERROR', `The identity provider refused the sign-in (${code}).`));
      }
      if (error instanceof errors.RPError) {
        const reason = reasonOf(error);
        if (error.message.startsWith('no valid key found')) this.clients.forget(started.issuer);
        this.logger.warn({ reason, message: error.message }, 'an SSO callback failed validation');
        throw new SignInRefusal(
          reason,
          signInFailed('SSO_ID_TOKEN_INVALID', "The identity provider's answer did not pass validation; start again."),
        );
      }
      throw new SignInRefusal('provider_unreachable', providerUnavailable(error));
    }
  }

  private async clientFor(connection: SsoConnection, settings: OidcSettings): Promise<BaseClient> {
    let secret: string;
    try {
      secret = this.secrets.open(connection.secretSealed ?? '', clientSecretContext(connection.organization.id));
    } catch (error) {
      if (!this.unreadableSecretLogged) {
        this.unreadableSecretLogged = true;
        this.logger.error(
          { err: error, organizationId: connection.organization.id },
          "an SSO client secret does not open with SECRETS_ENCRYPTION_KEY (was the key changed?): the connection's owner must save it again",
        );
      }
      throw secretUnreadable();
    }
    return this.clients.client(settings, secret, this.urls.callback());
  }

  private async organizationOfEmail(email: string): Promise<string | null> {
    const domain = emailDomain(email);
    return domain ? ((await this.sso.verifiedOwner(domain))?.orgId ?? null) : null;
  }
}
