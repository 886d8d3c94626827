import { Inject, Injectable, Logger } from '@nestjs/common';
import { BaseClient, CallbackParamsType, IdTokenClaims, errors, generators } from 'openid-client';
import { AppError, NotFoundError, ValidationError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import type { ClientInfo } from '../../auth/auth.service';
import { SecretBox } from '../../secrets/secret-box';
import { SecurityEvents } from '../../security-events';
import { SessionStore } from '../../sessions/session-store';
import { OrganizationView, SessionTokenView } from '../../views';
import { clientSecretContext } from '../connections/sso-connections.service';
import { SsoAuthorizationView, SsoCallbackQuery, StartSsoQuery } from '../dto/sso-sign-in.dto';
import { SsoConnection } from '../entities/sso-connection.entity';
import { SsoRepository, emailDomain } from '../sso.repository';
import { SsoUrls } from '../sso-urls';
import { OidcClients, providerUnavailable } from './oidc-clients';
import { SignInState, SignInStates } from './sign-in-states';
import { SsoAccounts, SsoPerson } from './sso-accounts';

/** `amr` values (RFC 8176) that tell a second factor was checked at the identity provider. */
const MFA_METHODS = new Set(['mfa', 'otp', 'hwk']);

/** The outcome of a callback: the session as JSON, or a redirect to the app carrying it in the fragment. */
export type SsoCallbackResult =
  { readonly kind: 'session'; readonly view: SessionTokenView } | { readonly kind: 'redirect'; readonly location: string };

const noConnection = () =>
  new NotFoundError('SSO_CONNECTION_NOT_FOUND', 'No organization with an enabled SSO connection matches; sign in with your password.');
const stateInvalid = () =>
  new AppError('validation', 'SSO_STATE_INVALID', 'This sign-in is unknown, expired or was completed already; start again.');
const signInFailed = (code: string, detail: string) => new AppError('unauthenticated', code, detail);
const emailNotAllowed = (detail: string) => new AppError('forbidden', 'SSO_EMAIL_NOT_ALLOWED', detail);

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

  constructor(
    private readonly sso: SsoRepository,
    private readonly states: SignInStates,
    private readonly clients: OidcClients,
    private readonly accounts: SsoAccounts,
    private readonly secrets: SecretBox,
    private readonly sessions: SessionStore,
    private readonly urls: SsoUrls,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The identity provider's authorization URL for the organization named by id or by the email's verified domain. */
  async start(query: StartSsoQuery): Promise<SsoAuthorizationView> {
    if ((query.organizationId === undefined) === (query.email === undefined)) {
      throw new ValidationError([{ field: 'organizationId', message: 'give either organizationId or email' }]);
    }
    const orgId = query.organizationId ?? (await this.organizationOfEmail(query.email as string));
    const connection = orgId ? await this.sso.connectionOf(orgId) : null;
    if (!connection || !connection.enabled) throw noConnection();
    const client = await this.clientFor(connection);
    const nonce = generators.nonce();
    const codeVerifier = generators.codeVerifier();
    const state = await this.states.save({
      orgId: connection.organization.id,
      connectionId: connection.id,
      issuer: connection.settings.issuer,
      clientId: connection.settings.clientId,
      nonce,
      codeVerifier,
    });
    const authorizationUrl = client.authorizationUrl({
      scope: connection.settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(query.email ? { login_hint: query.email } : {}),
    });
    return { authorizationUrl, expiresAt: new Date(Date.now() + this.config.sso.stateTtlMs).toISOString() };
  }

  async callback(query: SsoCallbackQuery, client: ClientInfo): Promise<SsoCallbackResult> {
    if (!query.state) throw stateInvalid();
    const started = await this.states.take(query.state);
    if (!started) {
      await this.events.record({ type: 'sso.login.failed', details: { reason: 'unknown_state' } });
      throw stateInvalid();
    }
    try {
      const { connection, person, mfa } = await this.verify(started, query);
      const account = await this.accounts.signIn(connection, person);
      const orgId = connection.organization.id;
      const actor = { type: 'user', id: account.user.id };
      const target = { type: 'user', id: account.user.id };
      if (account.joined)
        await this.events.record({ type: 'member.joined', orgId, actor, target, details: { role: account.role, via: 'sso' } });
      if (account.previousRole) {
        await this.events.record({
          type: 'member.role.changed',
          orgId,
          actor,
          target,
          details: { from: account.previousRole, to: account.role, via: 'sso' },
        });
      }
      await this.events.record({
        type: 'sso.login.succeeded',
        orgId,
        actor,
        target: { type: 'sso-connection', id: connection.id },
        details: { jit: account.joined, role: account.role, mfa },
      });
      const issued = await this.sessions.issue(account.user.id, orgId, client, { authMethod: 'sso', mfa });
      const view = { token: issued.token, expiresAt: issued.session.expiresAt, organization: OrganizationView.of(account.organization) };
      return this.deliver(view);
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
    if (
      !connection ||
      !connection.enabled ||
      connection.id !== started.connectionId ||
      connection.settings.issuer !== started.issuer ||
      connection.settings.clientId !== started.clientId
    ) {
      throw new SignInRefusal('connection_changed', noConnection());
    }
    const client = await this.clientFor(connection);
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
      issuer: connection.settings.issuer,
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

  private async clientFor(connection: SsoConnection): Promise<BaseClient> {
    const secret = this.secrets.open(connection.secretSealed, clientSecretContext(connection.organization.id));
    return this.clients.client(connection.settings, secret, this.urls.callback());
  }

  private async organizationOfEmail(email: string): Promise<string | null> {
    const domain = emailDomain(email);
    return domain ? ((await this.sso.verifiedOwner(domain))?.orgId ?? null) : null;
  }

  /**
   * With SSO_SIGNED_IN_REDIRECT_URL set, the browser goes on to the app with the session in the URL
   * fragment (which browsers never send to a server, so it stays out of access logs and Referer);
   * without it, the callback answers the session as JSON, like the password sign-in.
   */
  private deliver(view: SessionTokenView): SsoCallbackResult {
    const app = this.config.sso.signedInRedirectUrl;
    if (!app) return { kind: 'session', view };
    const fragment = new URLSearchParams({ token: view.token, expiresAt: view.expiresAt, organizationId: view.organization.id });
    return { kind: 'redirect', location: `${app.split('#')[0]}#${fragment.toString()}` };
  }
}
