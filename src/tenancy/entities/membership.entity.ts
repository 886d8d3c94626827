import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ROLES, Role } from '../permissions';
import { TenantEntity } from '../tenant-boundary/tenant-entity';
import { User } from './user.entity';

@Entity({ tableName: 'memberships' })
@Unique({ name: 'memberships_org_user_unique', properties: ['organization', 'user'] })
@Index({ name: 'memberships_user_idx', properties: ['user'] })
export class Membership extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { fieldName: 'user_id', ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => ROLES, type: 'text' })
  role!: Role;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
