import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { SsoConnection } from './entities/sso-connection.entity';
import { SsoDomain } from './entities/sso-domain.entity';

export interface VerifiedDomainOwner {
  readonly orgId: string;
  readonly domainId: string;
}

/**
 * The reads of single sign-on that happen before any organization is known: which organization
 * verified an email domain (row-level security shows verified domains, and only those, to a scope
 * without an org), and that organization's connection, read in its own scope.
 */
@Injectable()
export class SsoRepository {
  constructor(private readonly tenantDb: TenantDatabase) {}

  async verifiedOwner(domain: string): Promise<VerifiedDomainOwner | null> {
    const row = await this.tenantDb.global((em) =>
      em.findOne(SsoDomain, { domain, verifiedAt: { $ne: null } }, { filters: { tenant: false } }),
    );
    return row ? { orgId: row.organization.id, domainId: row.id } : null;
  }

  connectionOf(orgId: string): Promise<SsoConnection | null> {
    return this.tenantDb.forOrganization(orgId, (em) => em.findOne(SsoConnection, { organization: orgId }));
  }

  /**
   * Whether SCIM provisioning manages this member of the org (`active` or `inactive`, the latter
   * once the identity provider deprovisioned them), or null when SCIM does not know them. Runs in
   * the caller's transaction, bound to the org.
   */
  async scimState(em: EntityManager, orgId: string, userId: string): Promise<'active' | 'inactive' | null> {
    const [row] = await em.execute<{ active: boolean }[]>('select active from scim_users where org_id = ? and user_id = ?', [
      orgId,
      userId,
    ]);
    return row === undefined ? null : row.active ? 'active' : 'inactive';
  }

  /** The organization's verified domains (lower case). */
  async verifiedDomainsOf(orgId: string): Promise<string[]> {
    const rows = await this.tenantDb.forOrganization(orgId, (em) => em.find(SsoDomain, { verifiedAt: { $ne: null } }));
    return rows.map((row) => row.domain);
  }
}

/** The domain of an email address, lower case; null when it has none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : null;
}
