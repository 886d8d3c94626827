import { Role } from '../permissions';
import { attributeKey } from './scim-filter';
import { SCIM_BASE_PATH, SCIM_SCHEMAS } from './scim-schemas';

/** A user of the org as SCIM sees it: an Atrium user with their membership (none while deactivated) and SCIM link. */
export interface ScimUserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** null while deactivated: a deactivated user has no membership. */
  readonly role: Role | null;
  readonly external_id: string | null;
  /** This org's provisioning created the account: only then may SCIM rename it or change its email. */
  readonly created_account: boolean;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface ScimGroupRow {
  readonly id: string;
  readonly display_name: string;
  readonly external_id: string | null;
  readonly role: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface GroupMemberRow {
  readonly group_id: string;
  readonly user_id: string;
  readonly email: string;
  readonly display_name: string;
}

export type ScimResource = Record<string, unknown>;

/** Where the resources live, for `meta.location` and `$ref`: absolute when PUBLIC_URL is configured. */
export function scimBaseUrl(publicUrl: string | undefined): string {
  return `${publicUrl ?? ''}${SCIM_BASE_PATH}`;
}

const version = (updatedAt: Date) => `W/"${updatedAt.getTime().toString(36)}"`;

export function userResource(row: ScimUserRow, groups: readonly GroupMemberRow[], base: string): ScimResource {
  return {
    schemas: [SCIM_SCHEMAS.user],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.email,
    name: { formatted: row.name },
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.role !== null,
    groups: groups.map((group) => ({ value: group.group_id, display: group.display_name, $ref: `${base}/Groups/${group.group_id}` })),
    roles: row.role !== null ? [{ value: row.role, primary: true }] : [],
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${base}/Users/${row.id}`,
      version: version(row.updated_at),
    },
  };
}

export function groupResource(row: ScimGroupRow, members: readonly GroupMemberRow[] | undefined, base: string): ScimResource {
  return {
    schemas: [SCIM_SCHEMAS.group],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members
      ? {
          members: members.map((member) => ({
            value: member.user_id,
            display: member.email,
            type: 'User',
            $ref: `${base}/Users/${member.user_id}`,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${base}/Groups/${row.id}`,
      version: version(row.updated_at),
    },
  };
}

export interface ListResponse {
  readonly schemas: readonly string[];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: ScimResource[];
}

export function listResponse(resources: ScimResource[], total: number, startIndex: number): ListResponse {
  return { schemas: [SCIM_SCHEMAS.listResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** The top-level attribute names of an `attributes` or `excludedAttributes` parameter, lower-cased, URNs stripped. */
export function attributeList(parameter: string | undefined): string[] | undefined {
  if (parameter === undefined || parameter.trim() === '') return undefined;
  return parameter.split(',').map((name) => attributeKey(name.trim()).split('.')[0]);
}

/**
 * RFC 7644 §3.4.2.5: `attributes` returns those (and `id`, `schemas`), `excludedAttributes` all
 * but those; `id` and `schemas` are always returned.
 */
export function project(resource: ScimResource, attributes?: string[], excluded?: string[]): ScimResource {
  if (!attributes && !excluded) return resource;
  const keep = (key: string) => {
    const name = key.toLowerCase();
    if (name === 'id' || name === 'schemas') return true;
    if (attributes) return attributes.includes(name);
    return !(excluded ?? []).includes(name);
  };
  return Object.fromEntries(Object.entries(resource).filter(([key]) => keep(key)));
}
