import { Role } from '../permissions';

/** Roles a SCIM group may confer. Never `owner`: owners are made and unmade by owners, not by an identity provider. */
export const GROUP_ROLES = ['admin', 'member', 'auditor', 'viewer'] as const satisfies readonly Role[];
export type GroupRole = (typeof GROUP_ROLES)[number];

/** The role a SCIM-provisioned member has when no group of theirs confers one. */
export const DEFAULT_PROVISIONED_ROLE: GroupRole = 'member';

/**
 * The role a member's mapped groups give them: the highest wins, in the order of GROUP_ROLES
 * (admin > member > auditor > viewer: the auditor reads compliance data a member cannot, the viewer
 * only reads records), or the default role when none of their groups is mapped.
 */
export function roleFromGroups(mapped: readonly GroupRole[]): GroupRole {
  for (const role of GROUP_ROLES) if (mapped.includes(role)) return role;
  return DEFAULT_PROVISIONED_ROLE;
}

export function isGroupRole(value: unknown): value is GroupRole {
  return typeof value === 'string' && (GROUP_ROLES as readonly string[]).includes(value);
}
