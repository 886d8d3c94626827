import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Ref } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { PersonalData } from '@app/personal-data';
import { TenantEntity } from '../../tenancy';
import { Contact } from './contact.entity';

export const ACTIVITY_TYPES = ['note', 'call', 'email', 'meeting'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

const PURPOSE = 'Record of interactions with the contact, kept for the tenant (controller)';

@Entity({ tableName: 'activities' })
@Index({ name: 'activities_org_contact_idx', properties: ['organization', 'contact', 'occurredAt', 'id'] })
@Index({ name: 'activities_org_occurred_idx', properties: ['organization', 'occurredAt'] })
// Serves the foreign key: deleting a contact finds its activities without scanning every tenant's.
@Index({ name: 'activities_contact_fk_idx', properties: ['contact'] })
export class Activity extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Contact, { fieldName: 'contact_id', ref: true, deleteRule: 'cascade' })
  contact!: Ref<Contact>;

  @Enum({ items: () => ACTIVITY_TYPES, type: 'text' })
  type!: ActivityType;

  @PersonalData({ category: 'free_text', purpose: PURPOSE, retention: 'activities', erasure: 'anonymise' })
  @Property({ type: 'text' })
  subject!: string;

  @PersonalData({ category: 'free_text', purpose: PURPOSE, retention: 'activities', erasure: 'null' })
  @Property({ type: 'text', nullable: true })
  body?: string | null;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  /** Who recorded it: a user id, or the API key id for integrations. */
  @Property({ type: 'text' })
  authorType!: 'user' | 'api_key';

  @Property({ type: 'uuid' })
  authorId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'integer', version: true })
  version!: number;
}
