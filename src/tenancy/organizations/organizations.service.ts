import { randomBytes } from 'node:crypto';
import { EntityManager, ref } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, NotFoundError, Page, decodeCursor, toPage } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { RequestContext, TenantContext } from '@app/request-context';
import { Membership } from '../entities/membership.entity';
import { MfaService } from '../mfa/mfa.service';
import { Organization, OrganizationSettings } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { ROLE_PERMISSIONS } from '../permissions';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { MembershipOrganizationView, OrganizationView } from '../views';
import { OrganizationsRepository } from './organizations.repository';

export function ownerContext(orgId: string, userId: string): TenantContext {
  return {
    orgId,
    principal: { type: 'user', id: userId, userId },
    role: 'owner',
    permissions: new Set(ROLE_PERMISSIONS.owner),
  };
}

function slugFor(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${base || 'org'}-${randomBytes(4).toString('hex')}`;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly organizations: OrganizationsRepository,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly mfa: MfaService,
  ) {}

  /**
   * A new organization owned by `ownerId`, in one transaction with its owner membership (and the
   * owner's user row, at sign-up).
   */
  async create(name: string, ownerId: string, newOwner?: User, ownedAtMost?: number): Promise<Organization> {
    const organization = new Organization();
    organization.name = name;
    organization.slug = slugFor(name);
    await this.context.runForTenant(ownerContext(organization.id, ownerId), () =>
      this.tenantDb.transaction(async (em) => {
        if (ownedAtMost !== undefined) await this.assertBelowCap(em, ownerId, ownedAtMost);
        if (newOwner) em.persist(newOwner);
        em.persist(organization);
        const membership = new Membership();
        membership.user = ref(newOwner ?? em.getReference(User, ownerId));
        membership.role = 'owner';
        em.persist(membership);
      }),
    );
    await this.events.record({
      type: 'organization.created',
      orgId: organization.id,
      actor: { type: 'user', id: ownerId },
      target: { type: 'organization', id: organization.id },
    });
    return organization;
  }

  /**
   * Another organization for an existing user, within the configured cap on the organizations a
   * user owns: each org has its own rate budget, so unlimited orgs would mean unlimited traffic.
   */
  async createAnother(name: string, ownerId: string): Promise<Organization> {
    return this.create(name, ownerId, undefined, this.config.auth.organizationsPerUser);
  }

  /**
   * In the transaction that creates the org: the user's creations take turns (an advisory lock held
   * until this one commits), so concurrent requests on any instances cannot all pass the count.
   */
  private async assertBelowCap(em: EntityManager, ownerId: string, limit: number): Promise<void> {
    await this.organizations.takeCreationTurn(em, ownerId);
    if ((await this.organizations.ownedCount(em, ownerId)) >= limit) {
      throw new AppError('unprocessable', 'ORGANIZATION_LIMIT_REACHED', `A user can own at most ${limit} organizations.`);
    }
  }

  /** The organizations the user belongs to, across tenants (row-level security shows only their own memberships). */
  async listForUser(userId: string, limit: number, cursor?: string): Promise<Page<MembershipOrganizationView>> {
    const after = decodeCursor(cursor);
    const memberships = await this.tenantDb.asUser(userId, (em) =>
      em.find(
        Membership,
        { user: userId, ...(after ? { id: { $gt: after } } : {}) },
        { populate: ['organization'], orderBy: { id: 'asc' }, limit: limit + 1, filters: { tenant: false } },
      ),
    );
    return toPage(memberships, limit, (m) => ({ organization: OrganizationView.of(m.organization.getEntity()), role: m.role }));
  }

  async current(): Promise<Organization> {
    const orgId = this.context.requireOrgId();
    return this.tenantDb.transaction((em) => this.load(em, orgId));
  }

  async update(changes: { name?: string; settings?: OrganizationSettings }): Promise<Organization> {
    const orgId = this.context.requireOrgId();
    const requireMfa = changes.settings?.mfaRequired;
    // A session cannot require of everyone what it has not passed itself: it would lock itself out.
    if (requireMfa === true) await this.mfa.assertCallerMayRequireMfa();
    let mfaPolicyChanged = false;
    const organization = await this.tenantDb.transaction(async (em) => {
      const org = await this.load(em, orgId);
      mfaPolicyChanged = requireMfa !== undefined && requireMfa !== (org.settings.mfaRequired === true);
      if (changes.name !== undefined) org.name = changes.name;
      if (changes.settings !== undefined) org.settings = { ...org.settings, ...changes.settings };
      return org;
    });
    if (mfaPolicyChanged) {
      await this.events.record({
        type: 'mfa.policy.changed',
        target: { type: 'organization', id: orgId },
        details: { mfaRequired: requireMfa === true },
      });
    }
    await this.events.record({
      type: 'organization.updated',
      target: { type: 'organization', id: orgId },
      details: { fields: Object.keys(changes).join(',') },
    });
    return organization;
  }

  private async load(em: EntityManager, orgId: string): Promise<Organization> {
    const org = await em.findOne(Organization, { id: orgId });
    if (!org) throw new NotFoundError('ORGANIZATION_NOT_FOUND', 'The organization does not exist.');
    return org;
  }
}
