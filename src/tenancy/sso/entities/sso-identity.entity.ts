import { Entity, ManyToOne, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { PersonalData } from '@app/personal-data';
import { User } from '../../entities/user.entity';
import { TenantEntity } from '../../tenant-boundary/tenant-entity';

/**
 * Which user an identity provider's subject is, per organization: the stable `sub` (not the email,
 * which can change or be reassigned) finds the user on later sign-ins. The subject is a
 * pseudonymous identifier issued by the organization's own IdP; it goes with the membership.
 */
@Entity({ tableName: 'sso_identities' })
@Unique({ name: 'sso_identities_org_subject_unique', properties: ['organization', 'issuer', 'subject'] })
export class SsoIdentity extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { fieldName: 'user_id', ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  issuer!: string;

  @PersonalData({
    category: 'online_identifiers',
    purpose: "Recognising a person who signs in through the organization's identity provider (its `sub` for them)",
    retention: 'accounts',
    erasure: 'anonymise',
  })
  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastSignInAt?: Date | null;
}
