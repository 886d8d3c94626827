import { Injectable } from '@nestjs/common';
import { ApiKey } from '../entities/api-key.entity';
import { Permission, Role } from '../permissions';
import { TenantDatabase } from '../tenant-boundary/tenant-database';

/** An API key found by its hash, with its creator's role in the key's org (null: no longer a member) and the org's plan. */
export interface ApiKeyCredentialRow {
  readonly id: string;
  readonly scopes: Permission[];
  readonly revoked_at: Date | null;
  readonly expires_at: Date | null;
  readonly last_used_at: Date | null;
  readonly created_by_id: string;
  readonly role: Role | null;
  readonly plan: string;
}

/** A user's role in an org, with the org's plan and whether the org requires MFA. */
export interface MembershipCredentialRow {
  readonly role: Role;
  readonly plan: string;
  readonly mfa_required: boolean;
}

/** timestamptz columns arrive as text: MikroORM turns pg's date parsing off. */
type StoredApiKeyCredentialRow = Omit<ApiKeyCredentialRow, 'revoked_at' | 'expires_at' | 'last_used_at'> & {
  readonly revoked_at: string | null;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
};

/** A key by its hash under its own org, with its creator's membership (role) and the org's plan: one round trip. */
const API_KEY_LOOKUP = `select k.id, k.scopes, k.revoked_at, k.expires_at, k.last_used_at, k.created_by_id, m.role, o.plan
  from api_keys k
  left join memberships m on m.org_id = k.org_id and m.user_id = k.created_by_id
  join organizations o on o.id = k.org_id
  where k.org_id = ? and k.key_hash = ?`;

const MEMBERSHIP_LOOKUP = `select m.role, o.plan, coalesce(o.settings -> 'mfaRequired' = 'true'::jsonb, false) as mfa_required
  from memberships m join organizations o on o.id = m.org_id
  where m.org_id = ? and m.user_id = ?`;

const dateOf = (value: string | null): Date | null => (value === null ? null : new Date(value));

/**
 * What resolving a credential reads and writes, each under the org the credential names (the
 * request has no tenant context yet). The lookups run on every request that misses the near
 * cache: one-round-trip reads.
 */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly tenantDb: TenantDatabase) {}

  async apiKeyByHash(orgId: string, keyHash: string): Promise<ApiKeyCredentialRow | undefined> {
    const [key] = await this.tenantDb.readForOrganization<StoredApiKeyCredentialRow>(orgId, API_KEY_LOOKUP, [orgId, keyHash]);
    return key
      ? { ...key, revoked_at: dateOf(key.revoked_at), expires_at: dateOf(key.expires_at), last_used_at: dateOf(key.last_used_at) }
      : undefined;
  }

  async membership(orgId: string, userId: string): Promise<MembershipCredentialRow | undefined> {
    const [membership] = await this.tenantDb.readForOrganization<MembershipCredentialRow>(orgId, MEMBERSHIP_LOOKUP, [orgId, userId]);
    return membership;
  }

  /** Records the key's use unless one was recorded since `unlessSince`: conditional, so instances racing on one key write once. */
  async touchLastUsed(orgId: string, keyId: string, at: Date, unlessSince: Date): Promise<void> {
    await this.tenantDb.forOrganization(orgId, (em) =>
      em.nativeUpdate(ApiKey, { id: keyId, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: unlessSince } }] }, { lastUsedAt: at }),
    );
  }
}
