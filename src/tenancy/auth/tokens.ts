import { createHash, randomBytes } from 'node:crypto';

/** Every secret we issue is 256 bits from the CSPRNG, base64url: 43 characters. */
const SECRET_BYTES = 32;
const SECRET_LENGTH = 43;
const ORG_LENGTH = 22;

export const API_KEY_PREFIX = 'atr_';
export const INVITATION_PREFIX = 'inv_';

/** What is stored: SHA-256, hex. The secrets are random, so a slow KDF would add nothing. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSessionToken(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * API keys and invitation tokens name their organization (`atr_<org><secret>`), so resolving one
 * runs under that org's row-level security like any tenant read: no lookup ever spans tenants.
 */
export function newOrgScopedToken(prefix: string, orgId: string): string {
  return `${prefix}${Buffer.from(orgId.replace(/-/g, ''), 'hex').toString('base64url')}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export function parseOrgScopedToken(prefix: string, token: string): { orgId: string } | null {
  if (!token.startsWith(prefix) || token.length !== prefix.length + ORG_LENGTH + SECRET_LENGTH) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(token.slice(prefix.length))) return null;
  const hex = Buffer.from(token.slice(prefix.length, prefix.length + ORG_LENGTH), 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return { orgId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
}

/** The part of an API key shown in lists: enough to recognise it, useless to an attacker. */
export function displayPrefix(token: string): string {
  return `${token.slice(0, API_KEY_PREFIX.length + ORG_LENGTH + 6)}…`;
}
