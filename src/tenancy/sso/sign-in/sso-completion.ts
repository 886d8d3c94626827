import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../../config';
import type { ClientInfo } from '../../auth/auth.service';
import { SecurityEvents } from '../../security-events';
import { SessionStore } from '../../sessions/session-store';
import { OrganizationView, SessionTokenView } from '../../views';
import { SsoConnection } from '../entities/sso-connection.entity';
import { SsoAccounts, SsoPerson } from './sso-accounts';

/** The outcome of a sign-in: the session as JSON, or a redirect to the app carrying it in the fragment. */
export type SsoCallbackResult =
  { readonly kind: 'session'; readonly view: SessionTokenView } | { readonly kind: 'redirect'; readonly location: string };

/**
 * The end of every SSO sign-in, whatever the protocol that vouched for the person: the account
 * (SsoAccounts: linked identity, verified email, JIT membership, role mapping, SCIM), the
 * security events, an ordinary session, and the answer the deployment wants.
 */
@Injectable()
export class SsoCompletion {
  constructor(
    private readonly accounts: SsoAccounts,
    private readonly sessions: SessionStore,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async complete(connection: SsoConnection, person: SsoPerson, mfa: boolean, client: ClientInfo): Promise<SsoCallbackResult> {
    const account = await this.accounts.signIn(connection, person);
    const orgId = connection.organization.id;
    const actor = { type: 'user', id: account.user.id };
    const target = { type: 'user', id: account.user.id };
    if (account.joined) await this.events.record({ type: 'member.joined', orgId, actor, target, details: { role: account.role, via: 'sso' } });
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
      details: { jit: account.joined, role: account.role, mfa, protocol: connection.type },
    });
    const issued = await this.sessions.issue(account.user.id, orgId, client, { authMethod: 'sso', mfa });
    const view = { token: issued.token, expiresAt: issued.session.expiresAt, organization: OrganizationView.of(account.organization) };
    return this.deliver(view);
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
