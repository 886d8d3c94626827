import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError, ConflictError, ForbiddenError, NotFoundError, Page, ValidationError, decodeCursor, encodeCursor } from '@app/http';
import { RequestContext } from '@app/request-context';
import { Membership } from '../entities/membership.entity';
import { MfaChallengeView } from '../mfa/dto/mfa.views';
import { MfaLoginDto } from '../mfa/dto/mfa.dto';
import { MfaSignIn } from '../mfa/mfa-sign-in';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { checkPassword } from '../passwords/password-policy';
import { SecurityEvents } from '../security-events';
import { IssuedSession, SessionStore } from '../sessions/session-store';
import { SsoEnforcement } from '../sso/sso-enforcement';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { OrganizationView, SessionTokenView, SignupView, UserView } from '../views';
import { LoginDto, SignupDto } from './dto/auth.dto';
import { SessionView } from './dto/session.view';

export interface ClientInfo {
  readonly ip?: string;
  readonly userAgent?: string;
}

const INVALID_LOGIN = () => new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'The email or password is not correct.');

@Injectable()
export class AuthService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
    private readonly organizations: OrganizationsService,
    private readonly events: SecurityEvents,
    private readonly mfa: MfaSignIn,
    private readonly sso: SsoEnforcement,
  ) {}

  async signup(input: SignupDto, client: ClientInfo): Promise<SignupView> {
    const problems = checkPassword(input.password, { email: input.email, name: input.name });
    if (problems.length > 0) throw new ValidationError(problems);
    const user = new User();
    user.email = input.email;
    user.name = input.name;
    user.passwordHash = await this.hasher.hash(input.password);
    let organization: Organization;
    try {
      organization = await this.organizations.create(input.organizationName, user.id, user);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictError(
          'EMAIL_TAKEN',
          'An account with this email exists already; sign in and create the organization from there.',
        );
      }
      throw error;
    }
    await this.events.record({
      type: 'auth.signup',
      orgId: organization.id,
      actor: { type: 'user', id: user.id },
      target: { type: 'user', id: user.id },
    });
    const issued = await this.sessions.issue(user.id, organization.id, client, { authMethod: 'signup', mfa: false });
    return { user: UserView.of(user), ...this.tokenView(issued, organization) };
  }

  /**
   * Unknown email and wrong password get the same answer, after the same amount of hashing. A user
   * with MFA gets a challenge instead of a session: `completeMfaLogin` turns it into one.
   */
  async login(input: LoginDto, client: ClientInfo): Promise<SessionTokenView | MfaChallengeView> {
    // Before the password: where SSO is enforced for the email's domain, the answer is the same whoever asks.
    const ssoOnly = await this.sso.passwordRefusal(input.email, input.organizationId);
    if (ssoOnly) {
      await this.events.record({ type: 'auth.login.failed', orgId: ssoOnly.orgId, details: { reason: 'sso_required' } });
      throw ssoOnly.error;
    }
    const user = await this.tenantDb.global((em) => em.findOne(User, { email: input.email }, { populate: ['passwordHash'] }));
    const valid = user ? await this.hasher.verify(input.password, user.passwordHash) : await this.hasher.verifyDecoy(input.password);
    if (!user || !valid) {
      await this.events.record({
        type: 'auth.login.failed',
        actor: user ? { type: 'user', id: user.id } : undefined,
        details: { reason: user ? 'wrong_password' : 'unknown_email' },
      });
      throw INVALID_LOGIN();
    }

    const membership = await this.tenantDb.asUser(user.id, async (em) => {
      const found = await em.find(
        Membership,
        { user: user.id, ...(input.organizationId ? { organization: input.organizationId } : {}) },
        { populate: ['organization'], orderBy: { id: 'asc' }, limit: 1, filters: { tenant: false } },
      );
      await em.nativeUpdate(User, { id: user.id }, { lastLoginAt: new Date() });
      return found[0];
    });
    if (!membership) {
      if (input.organizationId) throw new NotFoundError('ORGANIZATION_NOT_FOUND', 'You are not a member of that organization.');
      throw new ForbiddenError('You are not a member of any organization.');
    }
    const organization = membership.organization.getEntity();
    if (await this.mfa.requiresSecondFactor(user.id)) return this.mfa.challenge(user.id, organization.id);
    await this.events.record({ type: 'auth.login.succeeded', orgId: organization.id, actor: { type: 'user', id: user.id } });
    return this.tokenView(
      await this.sessions.issue(user.id, organization.id, client, { authMethod: 'password', mfa: false }),
      organization,
    );
  }

  /** The second step of a sign-in with MFA: the challenge and a TOTP or recovery code give the session. */
  async completeMfaLogin(input: MfaLoginDto, client: ClientInfo): Promise<SessionTokenView> {
    const passed = await this.mfa.redeem(input.challengeToken, { code: input.code, recoveryCode: input.recoveryCode });
    // The membership may have ended between the two steps.
    const membership = await this.tenantDb.asUser(passed.userId, (em) =>
      em.findOne(
        Membership,
        { user: passed.userId, organization: passed.orgId },
        { populate: ['organization'], filters: { tenant: false } },
      ),
    );
    if (!membership) throw new NotFoundError('ORGANIZATION_NOT_FOUND', 'You are not a member of that organization.');
    await this.events.record({
      type: 'auth.login.succeeded',
      orgId: passed.orgId,
      actor: { type: 'user', id: passed.userId },
      details: { secondFactor: passed.method },
    });
    const issued = await this.sessions.issue(passed.userId, passed.orgId, client, { authMethod: 'password', mfa: true });
    return this.tokenView(issued, membership.organization.getEntity());
  }

  async logout(): Promise<void> {
    const principal = this.requireSessionPrincipal();
    await this.sessions.revokeById(principal.userId, principal.sessionId);
    await this.events.record({ type: 'auth.logout' });
  }

  /** A new session bound to another of the caller's organizations; the current one ends. */
  async switchOrganization(organizationId: string, client: ClientInfo): Promise<SessionTokenView> {
    const principal = this.requireSessionPrincipal();
    // The new session proves what the current one did (a second factor included).
    const assurance = await this.sessions.assuranceOf(principal.userId, principal.sessionId);
    const membership = await this.tenantDb.asUser(principal.userId, (em) =>
      em.findOne(
        Membership,
        { user: principal.userId, organization: organizationId },
        { populate: ['organization'], filters: { tenant: false } },
      ),
    );
    if (!membership) throw new NotFoundError('ORGANIZATION_NOT_FOUND', 'You are not a member of that organization.');
    // An organization that enforces SSO for the user's email domain is entered through its SSO only.
    const user = await this.tenantDb.global((em) => em.findOneOrFail(User, { id: principal.userId }));
    const ssoOnly = await this.sso.passwordRefusal(user.email, organizationId);
    if (ssoOnly) throw ssoOnly.error;
    await this.sessions.revokeById(principal.userId, principal.sessionId);
    await this.events.record({ type: 'auth.organization.switched', details: { to: organizationId } });
    // A second factor Atrium checked (TOTP) is the user's and holds in every org; one that an org's
    // identity provider asserted at SSO sign-in vouches for that org only.
    const carried = assurance.authMethod === 'sso' ? { ...assurance, mfa: false } : assurance;
    const issued = await this.sessions.issue(principal.userId, organizationId, client, carried);
    return this.tokenView(issued, membership.organization.getEntity());
  }

  async listSessions(limit: number, cursor?: string): Promise<Page<SessionView>> {
    const principal = this.requireSessionPrincipal();
    const after = decodeCursor(cursor);
    const all = (await this.sessions.listForUser(principal.userId)).sort((a, b) => a.id.localeCompare(b.id));
    const rest = after ? all.filter((s) => s.id > after) : all;
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((s) => SessionView.of(s, principal.sessionId)),
      nextCursor: rest.length > limit && last ? encodeCursor(last.id) : null,
    };
  }

  async revokeSession(sessionId: string): Promise<void> {
    const principal = this.requireSessionPrincipal();
    if (!(await this.sessions.revokeById(principal.userId, sessionId))) {
      throw new NotFoundError('SESSION_NOT_FOUND', 'You have no active session with that id.');
    }
    await this.events.record({ type: 'session.revoked', target: { type: 'session', id: sessionId } });
  }

  private requireSessionPrincipal(): { userId: string; sessionId: string } {
    const principal = this.context.requireTenant().principal;
    if (principal.type !== 'user' || !principal.userId || !principal.sessionId) throw new ForbiddenError('This needs a user session.');
    return { userId: principal.userId, sessionId: principal.sessionId };
  }

  private tokenView(issued: IssuedSession, organization: Organization): SessionTokenView {
    return { token: issued.token, expiresAt: issued.session.expiresAt, organization: OrganizationView.of(organization) };
  }
}
