import { Entity, ManyToOne, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Permission } from '../permissions';
import { TenantEntity } from '../tenant-boundary/tenant-entity';
import { User } from './user.entity';

@Entity({ tableName: 'api_keys' })
@Unique({ name: 'api_keys_org_hash_unique', properties: ['organization', 'keyHash'] })
export class ApiKey extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { fieldName: 'created_by_id', ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text[]' })
  scopes!: Permission[];

  /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash is as strong as a slow one. */
  @Property({ type: 'text', hidden: true })
  keyHash!: string;

  /** The first characters of the secret, shown in lists so a key can be recognised. */
  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
