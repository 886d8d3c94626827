import { Injectable } from '@nestjs/common';
import { TenantContext } from '@app/request-context';
import { hashSecret, parseOrgScopedToken } from '../auth/tokens';
import { ScimTokensRepository } from './scim-tokens.repository';

export const SCIM_TOKEN_PREFIX = 'scim_';

/** `lastUsedAt` is written at most this often per token, not on every request. */
const LAST_USED_INTERVAL_MS = 60_000;

/**
 * The principal a SCIM token acts as. The audit log knows users, API keys and the system: an
 * identity provider's provisioning is the system acting for the org, named by its token.
 */
export function scimPrincipalId(tokenId: string): string {
  return `scim-token:${tokenId}`;
}

export type ScimTokenResolution = { readonly tenant: TenantContext } | { readonly failure: 'unknown_token' | 'expired' | 'revoked' };

/**
 * Turns a `scim_` bearer token into the tenant context of its org: the token names its org (like
 * an API key), so the lookup runs under that org's row-level security. The context carries no
 * permission: a SCIM token opens the `/scim/v2` routes and nothing else (the auth guard asks this
 * resolver only for those routes, and only this resolver knows SCIM tokens).
 */
@Injectable()
export class ScimCredentials {
  constructor(private readonly tokens: ScimTokensRepository) {}

  async resolve(token: string): Promise<ScimTokenResolution> {
    const parsed = parseOrgScopedToken(SCIM_TOKEN_PREFIX, token);
    if (!parsed) return { failure: 'unknown_token' };
    const row = await this.tokens.byHash(parsed.orgId, hashSecret(token));
    if (!row) return { failure: 'unknown_token' };
    if (row.revoked_at) return { failure: 'revoked' };
    const now = Date.now();
    if (row.expires_at && row.expires_at.getTime() <= now) return { failure: 'expired' };
    if (!row.last_used_at || now - row.last_used_at.getTime() >= LAST_USED_INTERVAL_MS) {
      await this.tokens.touchLastUsed(parsed.orgId, row.id, new Date(now), new Date(now - LAST_USED_INTERVAL_MS));
    }
    return {
      tenant: { orgId: parsed.orgId, principal: { type: 'system', id: scimPrincipalId(row.id) }, permissions: new Set(), plan: row.plan },
    };
  }
}
