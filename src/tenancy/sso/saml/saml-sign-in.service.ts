import { Inject, Injectable } from '@nestjs/common';
import { AppError, NotFoundError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import type { ClientInfo } from '../../auth/auth.service';
import { SecurityEvents } from '../../security-events';
import { SsoAuthorizationView } from '../dto/sso-sign-in.dto';
import { SamlSettings, SsoConnection, samlSettingsOf } from '../entities/sso-connection.entity';
import { sameBrowser } from '../sign-in/browser-binding';
import { SignInStates } from '../sign-in/sign-in-states';
import { SsoPerson } from '../sign-in/sso-accounts';
import { SsoCallbackResult, SsoCompletion } from '../sign-in/sso-completion';
import { SsoRepository, emailDomain } from '../sso.repository';
import { SsoUrls } from '../sso-urls';
import { AssertionReplays } from './assertion-replays';
import { SamlAcsBody } from './saml.dto';
import { SamlEntities } from './saml-entities';
import { SAML_REFUSALS, SamlRefusal } from './saml-refusals';
import { SamlResponseVerifier } from './saml-response-verifier';
import { SamlRepository } from './saml.repository';
import { browserMismatch, emailNotAllowed, noConnection, stateInvalid } from '../sign-in/sign-in-errors';


/**
 * SAML 2.0 Web Browser SSO, SP-initiated: an AuthnRequest by the HTTP-Redirect binding (its ID kept
 * with the sign-in for one use, the RelayState naming it), the signed response by HTTP-POST to the
 * assertion consumer service, then the same account rules as OpenID Connect (SsoCompletion).
 */
@Injectable()
export class SamlSignIn {
  constructor(
    private readonly sso: SsoRepository,
    private readonly saml: SamlRepository,
    private readonly states: SignInStates,
    private readonly entities: SamlEntities,
    private readonly verifier: SamlResponseVerifier,
    private readonly replays: AssertionReplays,
    private readonly completion: SsoCompletion,
    private readonly urls: SsoUrls,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * The identity provider's single sign-on URL carrying a new AuthnRequest and the RelayState that
   * names this sign-in; `browser` is the hash of the browser-binding cookie the caller sets.
   */
  async start(connection: SsoConnection, browser: string): Promise<SsoAuthorizationView> {
    const settings = samlSettingsOf(connection) as SamlSettings;
    const { sp, idp } = this.entities.of(connection, settings);
    const request = sp.createLoginRequest(idp, 'redirect') as { id: string; context: string };
    const state = await this.states.save({
      protocol: 'saml',
      orgId: connection.organization.id,
      connectionId: connection.id,
      idpEntityId: settings.idpEntityId,
      requestId: request.id,
      browser,
    });
    // The request is not signed (HTTP-Redirect signs the query when it is), so RelayState is simply added.
    const authorizationUrl = `${request.context}&RelayState=${encodeURIComponent(state)}`;
    return { authorizationUrl, expiresAt: new Date(Date.now() + this.config.sso.stateTtlMs).toISOString() };
  }

  /** Atrium's service-provider metadata for a SAML connection. */
  async metadata(connectionId: string): Promise<string> {
    const connection = await this.saml.samlConnection(connectionId);
    if (!connection) throw new NotFoundError('SSO_CONNECTION_NOT_FOUND', 'No SAML connection has this id.');
    return this.entities.metadata(connection.id);
  }

  /**
   * The assertion consumer service: checks the response against the sign-in its RelayState names,
   * posted by the browser that started it (`browser`: the binding cookie it carries, null: none),
   * then signs the person in.
   */
  async consume(body: SamlAcsBody, client: ClientInfo, browser: string | null): Promise<SsoCallbackResult> {
    const started = body.RelayState ? await this.states.takeSaml(body.RelayState) : null;
    if (!started) {
      await this.events.record({ type: 'sso.login.failed', details: { reason: 'unknown_state', protocol: 'saml' } });
      throw stateInvalid();
    }
    // Login CSRF: a response for someone else's sign-in, posted from a browser that did not start it.
    if (!sameBrowser(started.browser, browser)) {
      await this.events.record({ type: 'sso.login.failed', orgId: started.orgId, details: { reason: 'browser_mismatch', protocol: 'saml' } });
      throw browserMismatch();
    }
    try {
      const connection = await this.sso.connectionOf(started.orgId);
      const settings = connection ? samlSettingsOf(connection) : null;
      if (!connection || !settings || !connection.enabled || connection.id !== started.connectionId || settings.idpEntityId !== started.idpEntityId) {
        throw new SamlRefusal('connection_changed', noConnection());
      }
      const assertion = await this.verifier.verify(this.entities.of(connection, settings), settings, body.SAMLResponse, {
        spEntityId: this.urls.samlEntityId(connection.id),
        acsUrl: this.urls.samlAcs(),
      });
      if (!(await this.replays.claim(settings.idpEntityId, assertion.assertionId, assertion.usableUntil))) throw SAML_REFUSALS.replayed();
      if (!assertion.inResponseTo.every((id) => id === started.requestId)) throw SAML_REFUSALS.notRequested();
      const person = await this.person(connection, settings, assertion.nameId, assertion.attributes);
      return await this.completion.complete(connection, person, false, client);
    } catch (error) {
      const refusal = error instanceof SamlRefusal ? error : null;
      const reason = refusal?.reason ?? (error instanceof AppError ? error.code.toLowerCase() : 'internal');
      await this.events.record({ type: 'sso.login.failed', orgId: started.orgId, details: { reason, protocol: 'saml' } });
      throw refusal?.error ?? error;
    }
  }

  /** Who the assertion vouches for: an email in a verified domain of the organization, its NameID as the stable subject. */
  private async person(
    connection: SsoConnection,
    settings: SamlSettings,
    nameId: string,
    attributes: Readonly<Record<string, unknown>>,
  ): Promise<SsoPerson> {
    const first = (value: unknown): string | null => {
      const one = Array.isArray(value) ? value[0] : value;
      return typeof one === 'string' && one.trim() !== '' ? one.trim() : null;
    };
    const email = (settings.emailAttribute ? first(attributes[settings.emailAttribute]) : nameId)?.toLowerCase() ?? '';
    const domain = emailDomain(email);
    if (!domain || email.length > 254) {
      throw new SamlRefusal(
        'no_email',
        emailNotAllowed('The identity provider sent no email address; ask your admin to release it (NameID or the configured attribute).'),
      );
    }
    if (!(await this.sso.verifiedDomainsOf(connection.organization.id)).includes(domain)) {
      throw new SamlRefusal(
        'domain_not_verified',
        emailNotAllowed('Your email domain is not a verified domain of this organization; ask an admin to verify it.'),
      );
    }
    const name = (settings.nameAttribute ? first(attributes[settings.nameAttribute]) : null)?.slice(0, 200) || email.slice(0, email.indexOf('@'));
    return { issuer: settings.idpEntityId, subject: nameId, email, name, claims: attributes };
  }
}
