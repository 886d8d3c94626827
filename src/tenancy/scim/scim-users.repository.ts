import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Role } from '../permissions';
import { FilterAttributes, SqlCondition } from './scim-filter';
import { GroupMemberRow, ScimUserRow } from './scim-resources';
// Declares the personal data of scim_users (no entity to carry the declaration).
import './scim-personal-data';

type Stored<Row> = { [Column in keyof Row]: Row[Column] extends Date ? string : Row[Column] };

const rowOf = (stored: Stored<ScimUserRow>): ScimUserRow => ({
  ...stored,
  created_at: new Date(stored.created_at),
  updated_at: new Date(stored.updated_at),
});

/** What a SCIM filter on Users may name, and the column each reads (RFC 7643 §4.1: userName is caseExact false). */
export const USER_FILTER_ATTRIBUTES: FilterAttributes = {
  username: { expr: 'u.email', type: 'text' },
  externalid: { expr: 's.external_id', type: 'case-exact' },
  id: { expr: 'u.id::text', type: 'case-exact' },
  active: { expr: '(m.user_id is not null)', type: 'boolean' },
  displayname: { expr: 'u.name', type: 'text' },
  'name.formatted': { expr: 'u.name', type: 'text' },
  'emails.value': { expr: 'u.email', type: 'text' },
  'emails.type': { expr: "'work'", type: 'text' },
  'emails.primary': { expr: 'true', type: 'boolean' },
};

/**
 * The org's SCIM users: everyone with a membership (active) and everyone SCIM deactivated (a link
 * row, no membership). `?` order: org, org, org, org, then the filter's parameters.
 */
const ORG_USERS = `with org_users as (
    select user_id from memberships where org_id = ? union select user_id from scim_users where org_id = ?
  )
  select u.id, u.email, u.name, m.role, s.external_id, coalesce(s.created_account, false) as created_account,
    least(s.created_at, m.created_at) as created_at, greatest(s.updated_at, m.updated_at) as updated_at
  from org_users o
  join users u on u.id = o.user_id
  left join memberships m on m.org_id = ? and m.user_id = o.user_id
  left join scim_users s on s.org_id = ? and s.user_id = o.user_id`;

/** Every statement of SCIM users; each runs in the caller's org-scoped transaction (RLS binds the tenant tables). */
@Injectable()
export class ScimUsersRepository {
  async page(em: EntityManager, orgId: string, where: SqlCondition, offset: number, count: number): Promise<ScimUserRow[]> {
    if (count === 0) return [];
    const rows = await em.execute<Stored<ScimUserRow>[]>(`${ORG_USERS} where ${where.sql} order by u.id limit ? offset ?`, [
      orgId,
      orgId,
      orgId,
      orgId,
      ...where.params,
      count,
      offset,
    ]);
    return rows.map(rowOf);
  }

  async count(em: EntityManager, orgId: string, where: SqlCondition): Promise<number> {
    const [row] = await em.execute<{ total: number }[]>(`select count(*)::int as total from (${ORG_USERS} where ${where.sql}) matching`, [
      orgId,
      orgId,
      orgId,
      orgId,
      ...where.params,
    ]);
    return row.total;
  }

  async get(em: EntityManager, orgId: string, userId: string): Promise<ScimUserRow | undefined> {
    const [row] = await em.execute<Stored<ScimUserRow>[]>(`${ORG_USERS} where u.id = ?`, [orgId, orgId, orgId, orgId, userId]);
    return row ? rowOf(row) : undefined;
  }

  /** The groups of these users, for their `groups` attribute. */
  async groupsOf(em: EntityManager, orgId: string, userIds: readonly string[]): Promise<GroupMemberRow[]> {
    if (userIds.length === 0) return [];
    return em.execute<GroupMemberRow[]>(
      `select gm.group_id, gm.user_id, u.email, g.display_name from scim_group_members gm
         join scim_groups g on g.id = gm.group_id join users u on u.id = gm.user_id
        where gm.org_id = ? and gm.user_id in (?) order by g.display_name`,
      [orgId, userIds],
    );
  }

  /** Creations and renames to one email take turns (emails are unique across the deployment): held until the transaction ends. */
  async takeEmailTurn(em: EntityManager, email: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`scim-user:${email}`]);
  }

  /** Whether the organization has verified the email domain (`sso_domains`, src/tenancy/sso): the proof that its identity provider speaks for those addresses. */
  async domainVerified(em: EntityManager, orgId: string, domain: string): Promise<boolean> {
    const rows = await em.execute<{ one: number }[]>(
      'select 1 as one from sso_domains where org_id = ? and domain = ? and verified_at is not null',
      [orgId, domain],
    );
    return rows.length > 0;
  }

  /** The account with this email, anywhere in the deployment (users are not tenant-owned). */
  async userIdByEmail(em: EntityManager, email: string): Promise<string | undefined> {
    const [row] = await em.execute<{ id: string }[]>('select id from users where email = ?', [email]);
    return row?.id;
  }

  /** Creates the account unless one with this email appeared meanwhile; returns whether it did. */
  async insertUser(em: EntityManager, user: { id: string; email: string; name: string; passwordHash: string }): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      'insert into users (id, email, name, password_hash) values (?, ?, ?, ?) on conflict (email) do nothing returning id',
      [user.id, user.email, user.name, user.passwordHash],
    );
    return rows.length > 0;
  }

  async updateUser(em: EntityManager, userId: string, changes: { email?: string; name?: string }): Promise<void> {
    if (changes.email !== undefined) await em.execute('update users set email = ? where id = ?', [changes.email, userId]);
    if (changes.name !== undefined) await em.execute('update users set name = ? where id = ?', [changes.name, userId]);
  }

  /** Links the user to the org's SCIM; false when a link exists already. */
  async insertLink(
    em: EntityManager,
    orgId: string,
    userId: string,
    link: { externalId: string | null; createdAccount: boolean },
  ): Promise<boolean> {
    const rows = await em.execute<{ user_id: string }[]>(
      `insert into scim_users (org_id, user_id, external_id, created_account) values (?, ?, ?, ?)
       on conflict (org_id, user_id) do nothing returning user_id`,
      [orgId, userId, link.externalId, link.createdAccount],
    );
    return rows.length > 0;
  }

  /** Makes sure the user has a link row (a member the provider starts managing), then applies the changes. */
  async updateLink(
    em: EntityManager,
    orgId: string,
    userId: string,
    changes: { externalId?: string | null; active?: boolean },
  ): Promise<void> {
    await em.execute('insert into scim_users (org_id, user_id) values (?, ?) on conflict (org_id, user_id) do nothing', [orgId, userId]);
    const sets = ['updated_at = now()'];
    const params: unknown[] = [];
    if (changes.externalId !== undefined) {
      sets.push('external_id = ?');
      params.push(changes.externalId);
    }
    if (changes.active !== undefined) {
      sets.push('active = ?', `deactivated_at = ${changes.active ? 'null' : 'now()'}`);
      params.push(changes.active);
    }
    await em.execute(`update scim_users set ${sets.join(', ')} where org_id = ? and user_id = ?`, [...params, orgId, userId]);
  }

  async deleteLink(em: EntityManager, orgId: string, userId: string): Promise<void> {
    await em.execute('delete from scim_group_members where org_id = ? and user_id = ?', [orgId, userId]);
    await em.execute('delete from scim_users where org_id = ? and user_id = ?', [orgId, userId]);
  }

  /** The user's membership, locked until the transaction ends (a concurrent deprovisioning or role change waits). */
  async lockMembership(em: EntityManager, orgId: string, userId: string): Promise<Role | undefined> {
    const [row] = await em.execute<{ role: Role }[]>('select role from memberships where org_id = ? and user_id = ? for update', [
      orgId,
      userId,
    ]);
    return row?.role;
  }

  async insertMembership(em: EntityManager, membership: { id: string; orgId: string; userId: string; role: Role }): Promise<void> {
    await em.execute('insert into memberships (id, org_id, user_id, role) values (?, ?, ?, ?) on conflict (org_id, user_id) do nothing', [
      membership.id,
      membership.orgId,
      membership.userId,
      membership.role,
    ]);
  }

  async deleteMembership(em: EntityManager, orgId: string, userId: string): Promise<void> {
    await em.execute('delete from memberships where org_id = ? and user_id = ?', [orgId, userId]);
  }

  /** Revokes the API keys the user created in this org; returns how many. */
  async revokeApiKeysOf(em: EntityManager, orgId: string, userId: string, at: Date): Promise<number> {
    const rows = await em.execute<{ id: string }[]>(
      'update api_keys set revoked_at = ? where org_id = ? and created_by_id = ? and revoked_at is null returning id',
      [at, orgId, userId],
    );
    return rows.length;
  }
}
