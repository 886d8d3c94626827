import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';

export const PLANS = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface OrganizationSettings {
  /** IANA time zone in which clients and reports show dates for this organization. */
  readonly displayTimezone?: string;
  /** Members' sessions must have passed MFA (src/tenancy/mfa); API keys are not affected. */
  readonly mfaRequired?: boolean;
}

/** The tenant. Not tenant-owned itself: a user lists the organizations they belong to across tenants. */
@Entity({ tableName: 'organizations' })
export class Organization {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', unique: true })
  slug!: string;

  @Enum({ items: () => PLANS, type: 'text', default: 'free' })
  plan: Plan = 'free';

  @Property({ type: 'jsonb', default: '{}' })
  settings: OrganizationSettings = {};

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
