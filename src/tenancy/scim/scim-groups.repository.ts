import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GroupRole } from './group-roles';
import { FilterAttributes, SqlCondition } from './scim-filter';
import { GroupMemberRow, ScimGroupRow } from './scim-resources';

type Stored<Row> = { [Column in keyof Row]: Row[Column] extends Date ? string : Row[Column] };

const rowOf = <Row extends ScimGroupRow>(stored: Stored<Row>): Row =>
  ({ ...stored, created_at: new Date(stored.created_at), updated_at: new Date(stored.updated_at) }) as Row;

/** What a SCIM filter on Groups may name (RFC 7643 §4.2: displayName is caseExact false). */
export const GROUP_FILTER_ATTRIBUTES: FilterAttributes = {
  displayname: { expr: 'g.display_name', type: 'text' },
  externalid: { expr: 'g.external_id', type: 'case-exact' },
  id: { expr: 'g.id::text', type: 'case-exact' },
  'members.value': {
    expr: 'gm.user_id::text',
    type: 'case-exact',
    within: (condition) => `exists (select 1 from scim_group_members gm where gm.group_id = g.id and ${condition})`,
  },
};

const COLUMNS = 'g.id, g.display_name, g.external_id, g.role, g.created_at, g.updated_at';

/** A group with its member count, for the product API. */
export interface GroupSummaryRow extends ScimGroupRow {
  readonly member_count: number;
}

/** Every statement of SCIM groups; each runs in the caller's org-scoped transaction. */
@Injectable()
export class ScimGroupsRepository {
  /** Group names are unique per org (case-insensitively): creations and renames of one name take turns. */
  async takeNameTurn(em: EntityManager, orgId: string, displayName: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`scim-group:${orgId}:${displayName.toLowerCase()}`]);
  }

  async nameTaken(em: EntityManager, orgId: string, displayName: string, exceptId?: string): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `select id from scim_groups where org_id = ? and lower(display_name) = lower(?) ${exceptId ? 'and id <> ?' : ''}`,
      exceptId ? [orgId, displayName, exceptId] : [orgId, displayName],
    );
    return rows.length > 0;
  }

  async page(em: EntityManager, orgId: string, where: SqlCondition, offset: number, count: number): Promise<ScimGroupRow[]> {
    if (count === 0) return [];
    const rows = await em.execute<Stored<ScimGroupRow>[]>(
      `select ${COLUMNS} from scim_groups g where g.org_id = ? and ${where.sql} order by g.id limit ? offset ?`,
      [orgId, ...where.params, count, offset],
    );
    return rows.map(rowOf);
  }

  async count(em: EntityManager, orgId: string, where: SqlCondition): Promise<number> {
    const [row] = await em.execute<{ total: number }[]>(
      `select count(*)::int as total from scim_groups g where g.org_id = ? and ${where.sql}`,
      [orgId, ...where.params],
    );
    return row.total;
  }

  /** The group, locked for update when `lock` (its members and role change in this transaction). */
  async get(em: EntityManager, orgId: string, id: string, lock = false): Promise<ScimGroupRow | undefined> {
    const [row] = await em.execute<Stored<ScimGroupRow>[]>(
      `select ${COLUMNS} from scim_groups g where g.org_id = ? and g.id = ?${lock ? ' for update' : ''}`,
      [orgId, id],
    );
    return row ? rowOf(row) : undefined;
  }

  async insert(
    em: EntityManager,
    group: { id: string; orgId: string; displayName: string; externalId: string | null },
  ): Promise<ScimGroupRow> {
    const [row] = await em.execute<Stored<ScimGroupRow>[]>(
      `insert into scim_groups as g (id, org_id, display_name, external_id) values (?, ?, ?, ?) returning ${COLUMNS}`,
      [group.id, group.orgId, group.displayName, group.externalId],
    );
    return rowOf(row);
  }

  async update(em: EntityManager, orgId: string, id: string, changes: { displayName?: string; externalId?: string | null }): Promise<void> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [];
    if (changes.displayName !== undefined) {
      sets.push('display_name = ?');
      params.push(changes.displayName);
    }
    if (changes.externalId !== undefined) {
      sets.push('external_id = ?');
      params.push(changes.externalId);
    }
    await em.execute(`update scim_groups set ${sets.join(', ')} where org_id = ? and id = ?`, [...params, orgId, id]);
  }

  async setRole(em: EntityManager, orgId: string, id: string, role: GroupRole | null): Promise<void> {
    await em.execute('update scim_groups set role = ?, updated_at = now() where org_id = ? and id = ?', [role, orgId, id]);
  }

  async delete(em: EntityManager, orgId: string, id: string): Promise<void> {
    await em.execute('delete from scim_groups where org_id = ? and id = ?', [orgId, id]);
  }

  /** Members of these groups, for their `members` attribute. */
  async members(em: EntityManager, orgId: string, groupIds: readonly string[]): Promise<GroupMemberRow[]> {
    if (groupIds.length === 0) return [];
    return em.execute<GroupMemberRow[]>(
      `select gm.group_id, gm.user_id, u.email, g.display_name from scim_group_members gm
         join scim_groups g on g.id = gm.group_id join users u on u.id = gm.user_id
        where gm.org_id = ? and gm.group_id in (?) order by gm.user_id`,
      [orgId, groupIds],
    );
  }

  async memberIds(em: EntityManager, orgId: string, groupId: string): Promise<string[]> {
    const rows = await em.execute<{ user_id: string }[]>('select user_id from scim_group_members where org_id = ? and group_id = ?', [
      orgId,
      groupId,
    ]);
    return rows.map((row) => row.user_id);
  }

  async addMembers(em: EntityManager, orgId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await em.execute(
      `insert into scim_group_members (org_id, group_id, user_id) select ?, ?, unnest(array[?]::uuid[]) on conflict do nothing`,
      [orgId, groupId, userIds],
    );
  }

  async removeMembers(em: EntityManager, orgId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await em.execute('delete from scim_group_members where org_id = ? and group_id = ? and user_id in (?)', [orgId, groupId, userIds]);
  }

  /** Which of these ids are users of the org (members, or users SCIM deactivated). */
  async orgUserIds(em: EntityManager, orgId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await em.execute<{ user_id: string }[]>(
      `select user_id from memberships where org_id = ? and user_id in (?)
       union select user_id from scim_users where org_id = ? and user_id in (?)`,
      [orgId, userIds, orgId, userIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** The roles the user's groups confer. */
  async mappedRolesOf(em: EntityManager, orgId: string, userId: string): Promise<GroupRole[]> {
    const rows = await em.execute<{ role: GroupRole }[]>(
      `select distinct g.role from scim_group_members gm join scim_groups g on g.id = gm.group_id
        where gm.org_id = ? and gm.user_id = ? and g.role is not null`,
      [orgId, userId],
    );
    return rows.map((row) => row.role);
  }

  async setMemberRole(em: EntityManager, orgId: string, userId: string, role: GroupRole): Promise<void> {
    await em.execute('update memberships set role = ?, updated_at = now() where org_id = ? and user_id = ?', [role, orgId, userId]);
  }

  async summary(em: EntityManager, orgId: string, id: string): Promise<GroupSummaryRow | undefined> {
    const [row] = await em.execute<Stored<GroupSummaryRow>[]>(
      `select ${COLUMNS}, (select count(*)::int from scim_group_members gm where gm.group_id = g.id) as member_count
         from scim_groups g where g.org_id = ? and g.id = ?`,
      [orgId, id],
    );
    return row ? rowOf<GroupSummaryRow>(row) : undefined;
  }

  /** A page of the org's groups with member counts, in id order, `limit + 1` rows. */
  async summaries(em: EntityManager, orgId: string, limit: number, after?: string): Promise<GroupSummaryRow[]> {
    const rows = await em.execute<Stored<GroupSummaryRow>[]>(
      `select ${COLUMNS}, (select count(*)::int from scim_group_members gm where gm.group_id = g.id) as member_count
         from scim_groups g where g.org_id = ? ${after ? 'and g.id > ?' : ''} order by g.id limit ?`,
      after ? [orgId, after, limit + 1] : [orgId, limit + 1],
    );
    return rows.map((row) => rowOf<GroupSummaryRow>(row));
  }
}
