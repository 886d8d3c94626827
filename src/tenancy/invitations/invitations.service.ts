import { ref } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, ConflictError, ForbiddenError, NotFoundError, Page, ValidationError, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { ClientInfo } from '../auth/auth.service';
import { INVITATION_PREFIX, hashSecret, newOrgScopedToken, parseOrgScopedToken } from '../auth/tokens';
import { Invitation } from '../entities/invitation.entity';
import { Membership } from '../entities/membership.entity';
import { MfaSignIn } from '../mfa/mfa-sign-in';
import { SsoEnforcement } from '../sso/sso-enforcement';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { ROLE_PERMISSIONS } from '../permissions';
import { PasswordHasher } from '../passwords/password-hasher';
import { checkPassword } from '../passwords/password-policy';
import { SecurityEvents } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { OrganizationView, UserView } from '../views';
import {
  AcceptInvitationDto,
  AcceptedInvitationChallengeView,
  AcceptedInvitationView,
  CreatedInvitationView,
  InvitationView,
} from './dto/invitation.dto';
import { InvitationsRepository } from './invitations.repository';

/**
 * A person the org's identity provider deprovisioned (SCIM `active: false`) comes back through the
 * identity provider only, as at SSO sign-in (`SSO_NOT_A_MEMBER` there): an invitation neither
 * reaches nor readmits them. 409 to the inviting admin, 403 to the invitee.
 */
const deprovisionedByScim = (kind: 'conflict' | 'forbidden') =>
  new AppError(
    kind,
    'SCIM_DEPROVISIONED',
    kind === 'conflict'
      ? "This person's access was removed by the organization's identity provider (SCIM); restore it there, not by an invitation."
      : 'Your access to this organization was removed by its identity provider (SCIM); ask an admin to restore it there.',
  );

const INVALID_INVITATION = () =>
  new AppError('not_found', 'INVITATION_NOT_FOUND', 'The invitation does not exist, was revoked, has expired or was used.');

function present(invitation: Invitation): InvitationView {
  const now = Date.now();
  const status = invitation.acceptedAt
    ? 'accepted'
    : invitation.revokedAt
      ? 'revoked'
      : invitation.expiresAt.getTime() <= now
        ? 'expired'
        : 'pending';
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    status,
    expiresAt: invitation.expiresAt.toISOString(),
    createdAt: invitation.createdAt.toISOString(),
    invitedBy: invitation.invitedBy?.id ?? null,
  };
}

@Injectable()
export class InvitationsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly invitations: InvitationsRepository,
    private readonly context: RequestContext,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionStore,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly mfa: MfaSignIn,
    private readonly sso: SsoEnforcement,
  ) {}

  /** A new invitation replaces any pending one for the same email. */
  async create(email: string, role: Invitation['role']): Promise<CreatedInvitationView> {
    const tenant = this.context.requireTenant();
    if (role === 'owner' && tenant.role !== 'owner') throw new ForbiddenError('Only an owner may invite owners.');
    const token = newOrgScopedToken(INVITATION_PREFIX, tenant.orgId);
    const invitation = await this.tenantDb.transaction(async (em) => {
      // One pending invitation per email: concurrent invitations of one email take turns here.
      await this.invitations.takeEmailTurn(em, tenant.orgId, email);
      const alreadyMember = await em.count(Membership, { user: { email } });
      if (alreadyMember > 0) throw new ConflictError('ALREADY_MEMBER', 'That person is a member of this organization already.');
      if (await this.invitations.deprovisionedByScim(em, tenant.orgId, email)) throw deprovisionedByScim('conflict');
      await em.nativeUpdate(Invitation, { email, acceptedAt: null, revokedAt: null }, { revokedAt: new Date() });
      const invitation = new Invitation();
      invitation.email = email;
      invitation.role = role;
      invitation.tokenHash = hashSecret(token);
      invitation.invitedBy = tenant.principal.userId ? ref(em.getReference(User, tenant.principal.userId)) : null;
      invitation.expiresAt = new Date(Date.now() + this.config.auth.invitationTtlMs);
      em.persist(invitation);
      return invitation;
    });
    await this.events.record({ type: 'member.invited', target: { type: 'invitation', id: invitation.id }, details: { role } });
    return { ...present(invitation), token };
  }

  async list(limit: number, cursor?: string): Promise<Page<InvitationView>> {
    const after = decodeCursor(cursor);
    const rows = await this.tenantDb.transaction((em) =>
      em.find(Invitation, after ? { id: { $gt: after } } : {}, { orderBy: { id: 'asc' }, limit: limit + 1 }),
    );
    return toPage(rows, limit, present);
  }

  async revoke(id: string): Promise<void> {
    await this.tenantDb.transaction(async (em) => {
      const invitation = await em.findOne(Invitation, { id, acceptedAt: null, revokedAt: null });
      if (!invitation) throw new NotFoundError('INVITATION_NOT_FOUND', 'No pending invitation with that id.');
      invitation.revokedAt = new Date();
    });
    await this.events.record({ type: 'invitation.revoked', target: { type: 'invitation', id } });
  }

  /**
   * Joins the organization the token names. A new email gets an account (name and password
   * required); an existing account proves itself with its password. Either way the caller is
   * signed in to the organization, except an account with MFA: its password alone gets no
   * session, but a sign-in challenge for the new organization (POST /v1/auth/login/mfa).
   */
  async accept(input: AcceptInvitationDto, client: ClientInfo): Promise<AcceptedInvitationView | AcceptedInvitationChallengeView> {
    const parsed = parseOrgScopedToken(INVITATION_PREFIX, input.token);
    if (!parsed) throw INVALID_INVITATION();
    const { orgId } = parsed;
    const invitation = await this.tenantDb.forOrganization(orgId, (em) =>
      em.findOne(Invitation, { tokenHash: hashSecret(input.token), acceptedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } }),
    );
    if (!invitation) throw INVALID_INVITATION();
    // Where the org enforces SSO for the invitee's domain, a password never opens it: they join by
    // signing in through SSO (just in time) or are provisioned by SCIM. Decided before any password is checked.
    const ssoOnly = await this.sso.passwordRefusal(invitation.email, orgId);
    if (ssoOnly) {
      await this.events.record({ type: 'auth.login.failed', orgId, details: { reason: 'sso_required' } });
      throw ssoOnly.error;
    }

    const existing = await this.tenantDb.global((em) => em.findOne(User, { email: invitation.email }, { populate: ['passwordHash'] }));
    const user = existing ?? (await this.newUser(invitation.email, input));
    if (existing && !(input.password && (await this.hasher.verify(input.password, existing.passwordHash)))) {
      throw new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'This email has an account: send its current password to accept.');
    }
    // Told only to the account's holder (after its password), and the invitation stays unused.
    if (existing && (await this.tenantDb.forOrganization(orgId, (em) => this.invitations.deprovisionedByScim(em, orgId, existing.email)))) {
      await this.events.record({ type: 'auth.login.failed', orgId, details: { reason: 'scim_deprovisioned' } });
      throw deprovisionedByScim('forbidden');
    }

    const joinContext = {
      orgId,
      principal: { type: 'user' as const, id: user.id, userId: user.id },
      role: invitation.role,
      permissions: new Set(ROLE_PERMISSIONS[invitation.role]),
    };
    const organization = await this.context.runForTenant(joinContext, () =>
      this.tenantDb.transaction(async (em) => {
        // Claim the invitation first: of two concurrent accepts, one updates the row and the other finds it taken.
        const claimed = await em.nativeUpdate(
          Invitation,
          { id: invitation.id, acceptedAt: null, revokedAt: null },
          { acceptedAt: new Date() },
        );
        if (claimed !== 1) throw INVALID_INVITATION();
        if (!existing) em.persist(user);
        if ((await em.count(Membership, { user: user.id })) > 0) {
          throw new ConflictError('ALREADY_MEMBER', 'You are a member of this organization already.');
        }
        const membership = new Membership();
        membership.user = ref(existing ? em.getReference(User, user.id) : user);
        membership.role = invitation.role;
        em.persist(membership);
        return em.findOneOrFail(Organization, { id: orgId });
      }),
    );
    await this.events.record({
      type: 'member.joined',
      orgId,
      actor: { type: 'user', id: user.id },
      target: { type: 'user', id: user.id },
      details: { role: invitation.role },
    });
    if (existing && (await this.mfa.requiresSecondFactor(user.id))) {
      return {
        user: UserView.of(user),
        role: invitation.role,
        organization: OrganizationView.of(organization),
        ...(await this.mfa.challenge(user.id, orgId)),
      };
    }
    const issued = await this.sessions.issue(user.id, orgId, client, { authMethod: 'invitation', mfa: false });
    return {
      user: UserView.of(user),
      role: invitation.role,
      token: issued.token,
      expiresAt: issued.session.expiresAt,
      organization: OrganizationView.of(organization),
    };
  }

  private async newUser(email: string, input: AcceptInvitationDto): Promise<User> {
    const problems = [
      ...(input.name ? [] : [{ field: 'name', message: 'is required to create your account' }]),
      ...(input.password
        ? checkPassword(input.password, { email, name: input.name })
        : [{ field: 'password', message: 'is required to create your account' }]),
    ];
    if (problems.length > 0) throw new ValidationError(problems);
    const user = new User();
    user.email = email;
    user.name = input.name as string;
    user.passwordHash = await this.hasher.hash(input.password as string);
    return user;
  }
}
