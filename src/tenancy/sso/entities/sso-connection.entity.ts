import { Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ROLES, Role } from '../../permissions';
import { TenantEntity } from '../../tenant-boundary/tenant-entity';

/** The protocols a connection can speak, each with its own `settings` shape. */
export const SSO_CONNECTION_TYPES = ['oidc', 'saml'] as const;
export type SsoConnectionType = (typeof SSO_CONNECTION_TYPES)[number];

/** What an OpenID Connect connection needs besides its secret (kept sealed in `secretSealed`). */
export interface OidcSettings {
  /** The issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/**
 * What a SAML 2.0 connection knows of its identity provider, read from the metadata XML the owner
 * gave (never fetched from a URL): its entity id, its HTTP-Redirect single sign-on URL and the
 * certificates its assertions may be signed with (base64 DER, several during a key rotation).
 */
export interface SamlSettings {
  /** The metadata XML as given (public): the service provider is built from it at each sign-in. */
  readonly metadataXml: string;
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  readonly signingCertificates: readonly string[];
  /** The attribute holding the email address; null: the NameID (which must then be an email). */
  readonly emailAttribute: string | null;
  /** The attribute holding the display name; null: derived from the email. */
  readonly nameAttribute: string | null;
}

/** The settings of an OpenID Connect connection; null for another type. */
export function oidcSettingsOf(connection: SsoConnection): OidcSettings | null {
  return connection.type === 'oidc' ? (connection.settings as OidcSettings) : null;
}

/** The settings of a SAML connection; null for another type. */
export function samlSettingsOf(connection: SsoConnection): SamlSettings | null {
  return connection.type === 'saml' ? (connection.settings as SamlSettings) : null;
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

  /** `OidcSettings` or `SamlSettings` by `type`: read them through `oidcSettingsOf` / `samlSettingsOf`. */
  @Property({ type: 'jsonb' })
  settings!: OidcSettings | SamlSettings;

  /** The OIDC client secret, AES-256-GCM sealed (SecretBox) with the org id as context; never returned. SAML has none. */
  @Property({ type: 'text', hidden: true, nullable: true })
  secretSealed?: string | null;

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

  /** The ID-token claim (OIDC) or assertion attribute (SAML) the role mapping reads (`groups`, say); null: no mapping. */
  @Property({ type: 'text', nullable: true })
  roleClaim?: string | null;

  @Property({ type: 'jsonb' })
  roleMappings: RoleMappingRule[] = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
