import { Entity, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { PersonalData } from '@app/personal-data';

const PURPOSE = 'Account of a person who signs in to Atrium (user of the service)';

/** A person who signs in. Users span organizations (through memberships), so this table is not tenant-owned. */
@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Stored lower-cased; unique across the deployment. */
  @PersonalData({ category: 'contact_details', purpose: PURPOSE, retention: 'accounts', erasure: 'anonymise' })
  @Property({ type: 'text', unique: true })
  email!: string;

  @PersonalData({ category: 'identity', purpose: PURPOSE, retention: 'accounts', erasure: 'anonymise' })
  @Property({ type: 'text' })
  name!: string;

  /** `scrypt$N$r$p$salt$hash`: the KDF parameters travel with the hash. */
  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  passwordChangedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
