import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '@app/request-context';

export type SecurityEventType =
  | 'auth.signup'
  | 'auth.login.succeeded'
  | 'auth.login.failed'
  | 'auth.logout'
  | 'auth.failed'
  | 'auth.organization.switched'
  | 'auth.password.changed'
  | 'session.revoked'
  | 'permission.denied'
  | 'organization.created'
  | 'organization.updated'
  /** A closed organization's data was deleted: no credential of it may be honoured any more. */
  | 'organization.deleted'
  | 'api-key.created'
  | 'api-key.revoked'
  | 'member.invited'
  | 'member.joined'
  | 'member.removed'
  | 'member.role.changed'
  | 'invitation.revoked'
  /** MFA (src/tenancy/mfa): a user's own enrolment and checks, sign-in challenges, the org policy. */
  | 'mfa.enrolment.started'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.session.verified'
  | 'mfa.recovery-codes.regenerated'
  | 'mfa.verification.failed'
  | 'mfa.challenge.issued'
  | 'mfa.challenge.failed'
  | 'mfa.policy.changed'
  /** SSO (src/tenancy/sso): connection changes, domain claims and checks, sign-ins through the IdP. */
  | 'sso.connection.updated'
  | 'sso.connection.deleted'
  | 'sso.domain.claimed'
  | 'sso.domain.verified'
  | 'sso.domain.verification.failed'
  | 'sso.domain.removed'
  | 'sso.login.succeeded'
  | 'sso.login.failed'
  /** SCIM (src/tenancy/scim): tokens, and what the identity provider provisions. */
  | 'scim-token.created'
  | 'scim-token.revoked'
  | 'scim.user.provisioned'
  | 'scim.user.updated'
  /** Membership ended by SCIM (`active: false` or DELETE): details say how, and how many sessions and API keys ended. */
  | 'scim.user.deprovisioned'
  | 'scim.group.created'
  | 'scim.group.updated'
  | 'scim.group.deleted'
  | 'scim.group.role-mapped';

export interface SecurityEvent {
  readonly type: SecurityEventType;
  readonly orgId?: string;
  /** Who acted; defaults to the context's principal. */
  readonly actor?: { readonly type: string; readonly id: string };
  readonly target?: { readonly type: string; readonly id: string };
  /** Safe details only: reasons, roles, counts. Never passwords, tokens or personal data. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export type RecordedSecurityEvent = SecurityEvent & { readonly at: Date; readonly requestId?: string; readonly ip?: string };
export type SecurityEventListener = (event: RecordedSecurityEvent) => void | Promise<void>;

/**
 * Every security-relevant action is announced here: written as a structured log line now, and
 * handed to listeners (the audit log subscribes) so they can record it.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvent');
  private readonly listeners: SecurityEventListener[] = [];

  constructor(private readonly context: RequestContext) {}

  subscribe(listener: SecurityEventListener): void {
    this.listeners.push(listener);
  }

  /** Resolves once every listener has taken the event (the audit log has written it, or queued it in the request's transaction). */
  async record(event: SecurityEvent): Promise<void> {
    const principal = this.context.principal;
    const full: RecordedSecurityEvent = {
      ...event,
      orgId: event.orgId ?? this.context.orgId,
      actor: event.actor ?? (principal ? { type: principal.type, id: principal.id } : undefined),
      at: new Date(),
      requestId: this.context.requestId,
      ip: this.context.clientIp,
    };
    this.logger.log({ event: full.type, orgId: full.orgId, actor: full.actor, target: full.target, details: full.details }, full.type);
    for (const listener of this.listeners) {
      try {
        await listener(full);
      } catch (error) {
        this.logger.error({ err: error, event: full.type }, 'a security event listener failed');
      }
    }
  }
}
