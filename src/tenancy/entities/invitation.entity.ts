import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { PersonalData } from '@app/personal-data';
import { ROLES, Role } from '../permissions';
import { TenantEntity } from '../tenant-boundary/tenant-entity';
import { User } from './user.entity';

@Entity({ tableName: 'invitations' })
@Unique({ name: 'invitations_org_token_unique', properties: ['organization', 'tokenHash'] })
@Index({ name: 'invitations_org_email_idx', properties: ['organization', 'email'] })
export class Invitation extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @PersonalData({
    category: 'contact_details',
    purpose: 'Inviting a person to join an organization',
    retention: 'expired_invitations',
    erasure: 'null',
  })
  @Property({ type: 'text' })
  email!: string;

  @Enum({ items: () => ROLES, type: 'text' })
  role!: Role;

  /** SHA-256 of the token; the token itself is shown once, to the inviter. */
  @Property({ type: 'text', hidden: true })
  tokenHash!: string;

  @ManyToOne(() => User, { fieldName: 'invited_by_id', ref: true, deleteRule: 'set null', nullable: true })
  invitedBy?: Ref<User> | null;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  acceptedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
