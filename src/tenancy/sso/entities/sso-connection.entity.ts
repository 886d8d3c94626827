import { Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ROLES, Role } from '../../permissions';
import { TenantEntity } from '../../tenant-boundary/tenant-entity';

/** The protocols a connection can speak. SAML joins as a second type with its own `settings` shape. */
export const SSO_CONNECTION_TYPES = ['oidc'] as const;
export type SsoConnectionType = (typeof SSO_CONNECTION_TYPES)[number];

/** What an OpenID Connect connection needs besides its secret (kept sealed in `secretSealed`). */
export interface OidcSettings {
  /** The issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** One rule of the role mapping: an IdP claim value (a group name, say) and the Atrium role it grants. */
export interface RoleMappingRule {
  readonly value: string;
  readonly role: Role;
}

/**
 * An organization's single sign-on connection (one per organization). The protocol-independent
 * part (enabled, enforced, just-in-time membership, role mapping) has columns; the protocol's own
 * non-secret settings are in `settings`, typed by `type`; its secret is sealed with the secret box.
 */
@Entity({ tableName: 'sso_connections' })
@Unique({ name: 'sso_connections_org_unique', properties: ['organization'] })
export class SsoConnection extends TenantEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Enum({ items: () => SSO_CONNECTION_TYPES, type: 'text' })
  type!: SsoConnectionType;

  @Property({ type: 'jsonb' })
  settings!: OidcSettings;

  /** The client secret, AES-256-GCM sealed (SecretBox) with the org id as context; never returned. */
  @Property({ type: 'text', hidden: true })
  secretSealed!: string;

  @Property({ type: 'boolean' })
  enabled!: boolean;

  /** Members whose email is in a verified domain of this organization must sign in through SSO. */
  @Property({ type: 'boolean' })
  enforced!: boolean;

  /** Whether a person the IdP vouches for who is not a member yet becomes one at sign-in. */
  @Property({ type: 'boolean' })
  jitProvisioning!: boolean;

  @Enum({ items: () => ROLES, type: 'text' })
  defaultRole!: Role;

  /** The ID-token claim the role mapping reads (`groups`, say); null: no mapping. */
  @Property({ type: 'text', nullable: true })
  roleClaim?: string | null;

  @Property({ type: 'jsonb' })
  roleMappings: RoleMappingRule[] = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
