/**
 * Roles and what each may do: the one table the guard, the OpenAPI document and the
 * authorization-matrix test all read. Add a permission here, then require it on a route.
 */
export const PERMISSIONS = [
  'org:read',
  'org:manage',
  'members:read',
  'members:manage',
  'api-keys:manage',
  'contacts:read',
  'contacts:write',
  'audit:read',
  'privacy:read',
  'privacy:manage',
  'compliance:read',
  'compliance:manage',
  // Legal holds suspend deletion; placing or lifting one is its own, deliberate permission.
  'legal-holds:manage',
  // Closing the org deletes everything in it: owners only.
  'org:close',
  // Single sign-on, verified domains and SCIM decide who can become whom in the org (an identity
  // provider can sign anyone in as an address of a verified domain, owners included): owners only.
  'identity:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['owner', 'admin', 'member', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const everything: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: everything,
  admin: everything.filter((permission) => permission !== 'org:close' && permission !== 'identity:manage'),
  member: ['org:read', 'members:read', 'contacts:read', 'contacts:write'],
  viewer: ['org:read', 'members:read', 'contacts:read'],
  // The compliance officer: audit, privacy and compliance data and reports, nothing else.
  auditor: ['org:read', 'audit:read', 'privacy:read', 'compliance:read'],
};

/** Owners alone may make or unmake owners; admins manage everyone else. */
export const PRIVILEGED_ROLES: readonly Role[] = ['owner', 'admin'];

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
