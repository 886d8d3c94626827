import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@app/request-context';
import { NearCache } from '../../caching';
import { Permission, ROLE_PERMISSIONS } from '../permissions';
import { SecurityEvents, SecurityEventType } from '../security-events';
import { ScimCredentials } from '../scim/scim-credentials';
import { SessionStore } from '../sessions/session-store';
import { CredentialsRepository } from './credentials.repository';
import { API_KEY_PREFIX, hashSecret, parseOrgScopedToken } from './tokens';

/** A token that resolved within this long still passes while its address is blocked for guessing. */
const RECENTLY_VALID_MS = 10 * 60_000;
const RECENTLY_VALID_MAX = 50_000;

/** `lastUsedAt` is written at most this often per key, not on every request. */
const LAST_USED_INTERVAL_MS = 60_000;

export type CredentialFailure = 'unknown_token' | 'expired' | 'revoked' | 'not_a_member';

/**
 * `mfaPending`: a user session in an organization that requires MFA, without a second factor
 * passed: the guard lets it reach only the routes open before MFA (enrolment, `GET /v1/me`, logout).
 * API keys are not subject to the policy.
 */
export type Resolution = { readonly tenant: TenantContext; readonly mfaPending?: boolean } | { readonly failure: CredentialFailure };

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
  'mfa.enabled',
  'mfa.disabled',
  'mfa.session.verified',
  'mfa.policy.changed',
  'scim-token.revoked',
  'scim.user.deprovisioned',
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
  /** Token hashes that resolved lately, oldest use first, bounded. */
  private readonly recentlyValidUntil = new Map<string, number>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly credentials: CredentialsRepository,
    private readonly events: SecurityEvents,
    private readonly scim: ScimCredentials,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => {
      if (INVALIDATING.has(event.type)) this.cache.clear();
    });
  }

  /**
   * Whether `token` resolved to a tenant on this instance in the last few minutes: such a client
   * is not the one guessing tokens from its address (see CredentialFailureLimiter).
   */
  recentlyValid(token: string): boolean {
    const until = this.recentlyValidUntil.get(hashSecret(token));
    return until !== undefined && until > Date.now();
  }

  async resolve(token: string): Promise<Resolution> {
    const load = () => (token.startsWith(API_KEY_PREFIX) ? this.resolveApiKey(token) : this.resolveSession(token));
    const hash = hashSecret(token);
    // No wrapping: the session store answers its own outage (SESSIONS_UNAVAILABLE), a lost database
    // is a 503 of its own (the problem filter), and anything else is a bug to report.
    const resolution = await this.cache.get(hash, load);
    if ('tenant' in resolution) this.rememberValid(hash);
    return resolution;
  }

  /**
   * A `scim_` token, for the `/scim/v2` routes alone (src/tenancy/scim): cached like the others, so
   * a revoked token or a deprovisioning counts within a second on every instance.
   */
  async resolveScim(token: string): Promise<Resolution> {
    const hash = hashSecret(token);
    const resolution = await this.cache.get(`scim:${hash}`, () => this.scim.resolve(token));
    if ('tenant' in resolution) this.rememberValid(hash);
    return resolution;
  }

  private rememberValid(hash: string): void {
    if (this.recentlyValidUntil.has(hash)) this.recentlyValidUntil.delete(hash);
    else if (this.recentlyValidUntil.size >= RECENTLY_VALID_MAX)
      this.recentlyValidUntil.delete(this.recentlyValidUntil.keys().next().value as string);
    this.recentlyValidUntil.set(hash, Date.now() + RECENTLY_VALID_MS);
  }

  private async resolveSession(token: string): Promise<Resolution> {
    const session = await this.sessions.resolve(token);
    if (!session) return { failure: 'unknown_token' };
    const membership = await this.credentials.membership(session.orgId, session.userId);
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
        plan: membership.plan,
      },
      ...(membership.mfa_required && session.mfa !== true ? { mfaPending: true } : {}),
    };
  }

  private async resolveApiKey(token: string): Promise<Resolution> {
    const parsed = parseOrgScopedToken(API_KEY_PREFIX, token);
    if (!parsed) return { failure: 'unknown_token' };
    const key = await this.credentials.apiKeyByHash(parsed.orgId, hashSecret(token));
    if (!key) return { failure: 'unknown_token' };
    if (key.revoked_at) return { failure: 'revoked' };
    const now = Date.now();
    const expiresAt = key.expires_at?.getTime() ?? null;
    if (expiresAt !== null && expiresAt <= now) return { failure: 'expired' };
    if (!key.role) return { failure: 'not_a_member' };
    // A key acts with its scopes, capped by what its creator may still do in this org.
    const allowed = new Set<Permission>(ROLE_PERMISSIONS[key.role]);
    const lastUsedAt = key.last_used_at?.getTime() ?? null;
    if (lastUsedAt === null || now - lastUsedAt >= LAST_USED_INTERVAL_MS) {
      // Conditional, so instances racing on one key still write at most once a minute.
      await this.credentials.touchLastUsed(parsed.orgId, key.id, new Date(now), new Date(now - LAST_USED_INTERVAL_MS));
    }
    return {
      tenant: {
        orgId: parsed.orgId,
        principal: { type: 'api_key', id: key.id, userId: key.created_by_id },
        permissions: new Set(key.scopes.filter((scope) => allowed.has(scope))),
        plan: key.plan,
      },
    };
  }
}
