import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { TenantEntity } from '../../tenancy';

@Entity({ tableName: 'companies' })
@Index({ name: 'companies_org_id_idx', properties: ['organization', 'id'] })
@Index({ name: 'companies_org_domain_idx', properties: ['organization', 'domain'] })
@Index({ name: 'companies_org_updated_idx', properties: ['organization', 'updatedAt'] })
export class Company extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'text' })
  name!: string;

  /** Lower-case host name, e.g. `acme.com`. */
  @Property({ type: 'text', nullable: true })
  domain?: string | null;

  @Property({ type: 'text', nullable: true })
  industry?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** Optimistic concurrency: an update names the version it read. */
  @Property({ type: 'integer', version: true })
  version!: number;
}
