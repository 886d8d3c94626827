import { API_KEY_PREFIX, hashSecret, newOrgScopedToken, newSessionToken, parseOrgScopedToken } from './tokens';

describe('tokens', () => {
  const orgId = '0193a3c2-7b1e-7cc0-8f00-123456789abc';

  it('round-trips the org id of an org-scoped token', () => {
    const token = newOrgScopedToken(API_KEY_PREFIX, orgId);
    expect(token).toMatch(/^atr_[A-Za-z0-9_-]{65}$/);
    expect(parseOrgScopedToken(API_KEY_PREFIX, token)).toEqual({ orgId });
  });

  it.each(['', 'atr_', 'atr_short', `inv_${'a'.repeat(65)}`, `atr_${'a'.repeat(64)}!`, `atr_${'a'.repeat(66)}`])('rejects %p', (token) => {
    expect(parseOrgScopedToken(API_KEY_PREFIX, token)).toBeNull();
  });

  it('issues 256-bit session tokens and hashes them one way', () => {
    const token = newSessionToken();
    expect(token).toHaveLength(43);
    expect(newSessionToken()).not.toBe(token);
    expect(hashSecret(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(token)).not.toContain(token);
  });
});
