import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { TenantEntity } from '../../tenant-boundary/tenant-entity';

/**
 * An email domain an organization claims. Claimed, it is pending; verified (a DNS TXT record
 * proved control of it), it routes sign-ins by email to the organization's SSO and can make SSO
 * mandatory for its addresses. A domain is verified by at most one organization (a partial unique
 * index); several may hold pending claims, and the first to verify wins.
 */
@Entity({ tableName: 'sso_domains' })
@Unique({ name: 'sso_domains_org_domain_unique', properties: ['organization', 'domain'] })
@Index({ name: 'sso_domains_verified_idx', properties: ['domain'] })
export class SsoDomain extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Lower case, ASCII (IDNs in their punycode form), no trailing dot. */
  @Property({ type: 'text' })
  domain!: string;

  /** Published by the org in DNS, so not a secret; random, so no one else's record matches it. */
  @Property({ type: 'text' })
  verificationToken!: string;

  @Property({ type: 'timestamptz', nullable: true })
  verifiedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
