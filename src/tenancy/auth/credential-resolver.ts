import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError } from '@app/http';
import { TenantContext } from '@app/request-context';
import { NearCache } from '../../caching';
import { ApiKey } from '../entities/api-key.entity';
import { Membership } from '../entities/membership.entity';
import { Permission, ROLE_PERMISSIONS } from '../permissions';
import { SecurityEvents, SecurityEventType } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { API_KEY_PREFIX, hashSecret, parseOrgScopedToken } from './tokens';

/** `lastUsedAt` is written at most this often per key, not on every request. */
const LAST_USED_INTERVAL_MS = 60_000;

export type CredentialFailure = 'unknown_token' | 'expired' | 'revoked' | 'not_a_member';

export type Resolution = { readonly tenant: TenantContext } | { readonly failure: CredentialFailure };

/** Events after which a cached resolution may be wrong: this instance forgets them all at once. */
const INVALIDATING: ReadonlySet<SecurityEventType> = new Set([
  'auth.logout',
  'auth.organization.switched',
  'auth.password.changed',
  'session.revoked',
  'api-key.revoked',
  'member.removed',
  'organization.deleted',
  'member.role.changed',
  'organization.updated',
]);

/**
 * Turns a bearer token into the tenant context: a session (looked up in the shared store) or an
 * `atr_` API key (looked up under its own org's row-level security). Either way the caller's
 * membership is read afresh, so a removed member or a lowered role counts on the next request.
 *
 * Successful resolutions are kept in an in-process near cache for one second (so revocations
 * elsewhere count within a second on every instance; here, at once); while Redis is away a
 * session up to a minute old in that cache keeps working.
 */
@Injectable()
export class CredentialResolver implements OnModuleInit {
  private readonly cache = new NearCache<Resolution>(1_000, 60_000, (resolution) => 'tenant' in resolution);

  constructor(
    private readonly sessions: SessionStore,
    private readonly tenantDb: TenantDatabase,
    private readonly events: SecurityEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => {
      if (INVALIDATING.has(event.type)) this.cache.clear();
    });
  }

  async resolve(token: string): Promise<Resolution> {
    const load = () => (token.startsWith(API_KEY_PREFIX) ? this.resolveApiKey(token) : this.resolveSession(token));
    try {
      return await this.cache.get(hashSecret(token), load);
    } catch (error) {
      throw new AppError('unavailable', 'SESSIONS_UNAVAILABLE', 'Sessions cannot be checked right now; retry shortly or use an API key.', {
        headers: { 'retry-after': '5' },
        cause: error,
      });
    }
  }

  private async resolveSession(token: string): Promise<Resolution> {
    const session = await this.sessions.resolve(token);
    if (!session) return { failure: 'unknown_token' };
    const membership = await this.tenantDb.forOrganization(session.orgId, (em) =>
      em.findOne(Membership, { user: session.userId }, { fields: ['role', 'organization.plan'], populate: ['organization'] }),
    );
    if (!membership) {
      await this.sessions.revokeToken(session.userId, session.tokenHash);
      return { failure: 'not_a_member' };
    }
    return {
      tenant: {
        orgId: session.orgId,
        principal: { type: 'user', id: session.userId, userId: session.userId, sessionId: session.id },
        role: membership.role,
        permissions: new Set(ROLE_PERMISSIONS[membership.role]),
        plan: membership.organization.getEntity().plan,
      },
    };
  }

  private async resolveApiKey(token: string): Promise<Resolution> {
    const parsed = parseOrgScopedToken(API_KEY_PREFIX, token);
    if (!parsed) return { failure: 'unknown_token' };
    return this.tenantDb.forOrganization(parsed.orgId, async (em) => {
      const key = await em.findOne(ApiKey, { keyHash: hashSecret(token) });
      if (!key) return { failure: 'unknown_token' as const };
      if (key.revokedAt) return { failure: 'revoked' as const };
      const now = new Date();
      if (key.expiresAt && key.expiresAt <= now) return { failure: 'expired' as const };
      // A key acts with its scopes, capped by what its creator may still do in this org.
      const creator = await em.findOne(
        Membership,
        { user: key.createdBy.id },
        { fields: ['role', 'organization.plan'], populate: ['organization'] },
      );
      if (!creator) return { failure: 'not_a_member' as const };
      const allowed = new Set<Permission>(ROLE_PERMISSIONS[creator.role]);
      if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
        // Conditional, so instances racing on one key still write at most once a minute.
        await em.nativeUpdate(
          ApiKey,
          { id: key.id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: new Date(now.getTime() - LAST_USED_INTERVAL_MS) } }] },
          { lastUsedAt: now },
        );
      }
      return {
        tenant: {
          orgId: parsed.orgId,
          principal: { type: 'api_key' as const, id: key.id, userId: key.createdBy.id },
          permissions: new Set(key.scopes.filter((scope) => allowed.has(scope))),
          plan: creator.organization.getEntity().plan,
        },
      };
    });
  }
}
