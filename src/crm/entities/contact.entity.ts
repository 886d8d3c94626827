import { Entity, Index, ManyToOne, PrimaryKey, Property, Ref } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { PersonalData } from '@app/personal-data';
import { TenantEntity } from '../../tenancy';
import { Company } from './company.entity';

export type CustomFieldValue = string | number | boolean | null | CustomFieldValue[] | { [key: string]: CustomFieldValue };

const CONTACT_PURPOSE = 'Customer relationship management on behalf of the tenant (controller)';

@Entity({ tableName: 'contacts' })
@Index({ name: 'contacts_org_id_idx', properties: ['organization', 'id'] })
@Index({ name: 'contacts_org_email_idx', properties: ['organization', 'email', 'id'] })
@Index({ name: 'contacts_org_company_idx', properties: ['organization', 'company', 'id'] })
@Index({ name: 'contacts_org_updated_idx', properties: ['organization', 'updatedAt', 'id'] })
// GIN indexes for the tag filter and `q` search, led by org_id (btree_gin); declared here so that
// generated migrations keep them.
@Index({ name: 'contacts_org_tags_gin', expression: 'create index "contacts_org_tags_gin" on "contacts" using gin ("org_id", "tags")' })
@Index({
  name: 'contacts_org_search_trgm',
  expression: 'create index "contacts_org_search_trgm" on "contacts" using gin ("org_id", "search_text" gin_trgm_ops)',
})
// Serves the foreign key: deleting a company finds its contacts without scanning every tenant's.
@Index({ name: 'contacts_company_fk_idx', properties: ['company'] })
export class Contact extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @PersonalData({ category: 'identity', purpose: CONTACT_PURPOSE, retention: 'inactive_contacts', erasure: 'anonymise' })
  @Property({ type: 'text' })
  firstName!: string;

  @PersonalData({ category: 'identity', purpose: CONTACT_PURPOSE, retention: 'inactive_contacts', erasure: 'anonymise' })
  @Property({ type: 'text' })
  lastName!: string;

  /** Lower-cased. */
  @PersonalData({ category: 'contact_details', purpose: CONTACT_PURPOSE, retention: 'inactive_contacts', erasure: 'null' })
  @Property({ type: 'text', nullable: true })
  email?: string | null;

  /** E.164, e.g. `+14155550123`. */
  @PersonalData({ category: 'contact_details', purpose: CONTACT_PURPOSE, retention: 'inactive_contacts', erasure: 'null' })
  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @ManyToOne(() => Company, { fieldName: 'company_id', ref: true, nullable: true, deleteRule: 'set null' })
  company?: Ref<Company> | null;

  @Property({ type: 'text[]', default: '{}' })
  tags: string[] = [];

  @PersonalData({ category: 'custom', purpose: CONTACT_PURPOSE, retention: 'inactive_contacts', erasure: 'null' })
  @Property({ type: 'jsonb', default: '{}' })
  customFields: Record<string, CustomFieldValue> = {};

  /** Backs `q` search through a trigram index; maintained by PostgreSQL. */
  @Property({
    type: 'text',
    generated: "(lower(first_name || ' ' || last_name || ' ' || coalesce(email, ''))) stored",
    lazy: true,
    hidden: true,
    nullable: true,
  })
  searchText?: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version!: number;
}
