import { ManyToOne, Ref, Reference } from '@mikro-orm/postgresql';
import { RequestContext } from '@app/request-context';
import { Organization } from '../entities/organization.entity';

export const TENANT_FILTER = 'tenant';

/**
 * Base of every tenant-owned entity: an `org_id` column that the global tenant filter scopes
 * every read by, that creation stamps from the request context (this constructor runs for new
 * entities only, never when rows are loaded), and that PostgreSQL row-level security checks
 * again underneath.
 */
export abstract class TenantEntity {
  @ManyToOne(() => Organization, { fieldName: 'org_id', ref: true, deleteRule: 'cascade' })
  organization: Ref<Organization>;

  constructor() {
    this.organization = Reference.createFromPK(Organization, RequestContext.current().requireOrgId());
  }
}
