import { Role } from '../permissions';
import { RoleMappingRule } from './entities/sso-connection.entity';

/** The values of an ID-token claim the mapping can match: a string, or the strings of an array. */
export function claimValues(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  if (Array.isArray(claim)) return claim.filter((value): value is string => typeof value === 'string');
  return [];
}

/** The role the first rule whose value the claim holds grants; null when no rule applies. */
export function mappedRole(claim: unknown, rules: readonly RoleMappingRule[]): Role | null {
  const values = new Set(claimValues(claim));
  return rules.find((rule) => values.has(rule.value))?.role ?? null;
}

/**
 * What a sign-in does to the member's role: an owner stays an owner (owners are made and unmade in
 * Atrium only), a mapped role is applied at every sign-in (the IdP is the source of truth for the
 * groups it maps), and otherwise a new member gets the default role and an existing one keeps theirs.
 */
export function roleAtSignIn(current: Role | null, mapped: Role | null, defaultRole: Role): Role {
  if (current === 'owner') return 'owner';
  return mapped ?? current ?? defaultRole;
}
