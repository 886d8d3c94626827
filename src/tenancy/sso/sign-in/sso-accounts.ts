import { randomBytes } from 'node:crypto';
import { EntityManager, Ref, UniqueConstraintViolationException, ref } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { Membership } from '../../entities/membership.entity';
import { Organization } from '../../entities/organization.entity';
import { User } from '../../entities/user.entity';
import { ROLE_PERMISSIONS, Role } from '../../permissions';
import { PasswordHasher } from '../../passwords/password-hasher';
import { TenantDatabase } from '../../tenant-boundary/tenant-database';
import { SsoConnection } from '../entities/sso-connection.entity';
import { SsoIdentity } from '../entities/sso-identity.entity';
import { mappedRole, roleAtSignIn } from '../role-mapping';
import { SsoRepository } from '../sso.repository';

/** The person an ID token vouches for, already checked (signature, audience, nonce, verified domain). */
export interface SsoPerson {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string;
  readonly name: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface SsoAccount {
  readonly user: User;
  readonly organization: Organization;
  readonly role: Role;
  /** The membership was created by this sign-in (just in time). */
  readonly joined: boolean;
  /** The role mapping changed an existing member's role. */
  readonly previousRole: Role | null;
}

export const notAMember = () =>
  new AppError(
    'forbidden',
    'SSO_NOT_A_MEMBER',
    'You are not a member of this organization and it does not add members at sign-in; ask an admin to invite you.',
  );

const deprovisioned = () =>
  new AppError(
    'forbidden',
    'SSO_NOT_A_MEMBER',
    'Your access to this organization was removed by its identity provider (SCIM); ask an admin to restore it there.',
  );

/**
 * Finds or makes the Atrium user and membership an SSO sign-in stands for: the IdP subject first
 * (linked at the first sign-in), then the email (an existing account of a verified domain of the
 * organization), else a new user. A new user gets an unusable random password: they sign in
 * through SSO (and may be forbidden any other way).
 */
@Injectable()
export class SsoAccounts {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly hasher: PasswordHasher,
    private readonly sso: SsoRepository,
  ) {}

  async signIn(connection: SsoConnection, person: SsoPerson): Promise<SsoAccount> {
    try {
      return await this.attempt(connection, person);
    } catch (error) {
      // Two first sign-ins of one person at once: the second finds what the first made.
      if (error instanceof UniqueConstraintViolationException) return this.attempt(connection, person);
      throw error;
    }
  }

  private async attempt(connection: SsoConnection, person: SsoPerson): Promise<SsoAccount> {
    const orgId = connection.organization.id;
    const linked = await this.tenantDb.forOrganization(orgId, (em) =>
      em.findOne(SsoIdentity, { issuer: person.issuer, subject: person.subject }, { populate: ['user'] }),
    );
    const known = linked?.user.getEntity() ?? (await this.tenantDb.global((em) => em.findOne(User, { email: person.email })));
    const user = known ?? (await this.newUser(person));
    const mapped = connection.roleClaim ? mappedRole(person.claims[connection.roleClaim], connection.roleMappings) : null;

    const actingAs = {
      orgId,
      principal: { type: 'user' as const, id: user.id, userId: user.id },
      role: 'member',
      permissions: new Set(ROLE_PERMISSIONS.member),
    };
    return this.context.runForTenant(actingAs, () =>
      this.tenantDb.transaction(async (em) => {
        if (!known) em.persist(user);
        const userRef = ref(known ? em.getReference(User, user.id) : user);
        const membership = await em.findOne(Membership, { user: user.id });
        // Where SCIM provisions the org, it decides who is a member and with which role: a person its
        // identity provider deprovisioned does not come back by signing in, and a sign-in's role claim
        // does not override the role SCIM groups give.
        const scim = await this.sso.scimState(em, orgId, user.id);
        if (!membership && scim === 'inactive') throw deprovisioned();
        if (!membership && !connection.jitProvisioning) throw notAMember();
        const role = membership && scim !== null ? membership.role : roleAtSignIn(membership?.role ?? null, mapped, connection.defaultRole);
        const previousRole = membership && membership.role !== role ? membership.role : null;
        if (!membership) {
          const created = new Membership();
          created.user = userRef;
          created.role = role;
          em.persist(created);
        } else if (previousRole) {
          membership.role = role;
        }
        await this.link(em, linked, userRef, person);
        const organization = await em.findOneOrFail(Organization, { id: orgId });
        return { user, organization, role, joined: !membership, previousRole };
      }),
    );
  }

  private async link(em: EntityManager, linked: SsoIdentity | null, user: Ref<User>, person: SsoPerson): Promise<void> {
    if (linked) {
      await em.nativeUpdate(SsoIdentity, { id: linked.id }, { lastSignInAt: new Date() });
      return;
    }
    const identity = new SsoIdentity();
    identity.user = user;
    identity.issuer = person.issuer;
    identity.subject = person.subject;
    identity.lastSignInAt = new Date();
    em.persist(identity);
  }

  private async newUser(person: SsoPerson): Promise<User> {
    const user = new User();
    user.email = person.email;
    user.name = person.name;
    user.passwordHash = await this.hasher.hash(randomBytes(32).toString('base64url'));
    return user;
  }
}
