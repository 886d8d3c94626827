import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { GroupRoleSync, RoleChange } from './group-role-sync';
import { filterToSql } from './scim-filter';
import { groupChangesFromPatch, groupFromResource } from './scim-group-input';
import { GROUP_FILTER_ATTRIBUTES, ScimGroupsRepository } from './scim-groups.repository';
import { RawScimQuery, parseListQuery } from './scim-list-query';
import { parsePatchRequest } from './scim-patch';
import { invalidValue, uniqueness } from './scim-protocol-errors';
import { ListResponse, ScimGroupRow, ScimResource, groupResource, listResponse, project, scimBaseUrl } from './scim-resources';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const groupNotFound = () => new NotFoundError('SCIM_GROUP_NOT_FOUND', 'No group with that id in this organization.');

/** The members a group change added and removed. */
interface MemberDiff {
  readonly added: string[];
  readonly removed: string[];
}

/**
 * SCIM Groups of the org and their members. A group an owner or admin mapped to a role (through
 * the product API) sets its members' roles: see GroupRoleSync for the rule.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly groups: ScimGroupsRepository,
    private readonly roles: GroupRoleSync,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  private get base(): string {
    return scimBaseUrl(this.config.http.publicUrl);
  }

  async list(raw: RawScimQuery): Promise<ListResponse> {
    const query = parseListQuery(raw);
    const where = filterToSql(query.filter, GROUP_FILTER_ATTRIBUTES);
    const orgId = this.context.requireOrgId();
    // Entra ID lists groups with excludedAttributes=members: their members are then not read at all.
    const withMembers = !(query.excludedAttributes?.includes('members') ?? false) && (query.attributes?.includes('members') ?? true);
    return this.tenantDb.transaction(async (em) => {
      const total = await this.groups.count(em, orgId, where);
      const rows = await this.groups.page(em, orgId, where, query.startIndex - 1, query.count);
      const resources = await this.present(em, orgId, rows, withMembers);
      return listResponse(
        resources.map((resource) => project(resource, query.attributes, query.excludedAttributes)),
        total,
        query.startIndex,
      );
    });
  }

  async get(id: string, raw: RawScimQuery = {}): Promise<ScimResource> {
    const query = parseListQuery(raw);
    const orgId = this.context.requireOrgId();
    const withMembers = !(query.excludedAttributes?.includes('members') ?? false);
    const resource = await this.tenantDb.transaction(async (em) => {
      const [presented] = await this.present(em, orgId, [await this.find(em, orgId, id)], withMembers);
      return presented;
    });
    return project(resource, query.attributes, query.excludedAttributes);
  }

  async create(body: unknown): Promise<ScimResource> {
    const input = groupFromResource(body);
    const orgId = this.context.requireOrgId();
    const row = await this.tenantDb.transaction(async (em) => {
      await this.assertNameFree(em, orgId, input.displayName);
      const row = await this.groups.insert(em, { id: uuidv7(), orgId, displayName: input.displayName, externalId: input.externalId });
      await this.assertOrgUsers(em, orgId, input.members);
      await this.groups.addMembers(em, orgId, row.id, input.members);
      return row;
    });
    await this.events.record({
      type: 'scim.group.created',
      target: { type: 'scim_group', id: row.id },
      details: { membersAdded: new Set(input.members).size },
    });
    return this.presentById(orgId, row.id);
  }

  async replace(id: string, body: unknown): Promise<ScimResource> {
    const input = groupFromResource(body);
    return this.change(id, () => ({ displayName: input.displayName, externalId: input.externalId, members: new Set(input.members) }));
  }

  async patch(id: string, body: unknown): Promise<ScimResource> {
    const operations = parsePatchRequest(body);
    return this.change(id, (currentMembers) => groupChangesFromPatch(operations, currentMembers));
  }

  async remove(id: string): Promise<void> {
    const orgId = this.context.requireOrgId();
    const { row, changes, members } = await this.tenantDb.transaction(async (em) => {
      const row = await this.find(em, orgId, id, true);
      const members = await this.groups.memberIds(em, orgId, row.id);
      await this.groups.delete(em, orgId, row.id);
      const changes = row.role ? await this.roles.apply(em, orgId, members) : [];
      return { row, changes, members };
    });
    await this.events.record({
      type: 'scim.group.deleted',
      target: { type: 'scim_group', id: row.id },
      details: { membersRemoved: members.length, role: row.role },
    });
    await this.roles.announce(changes);
  }

  private async change(
    id: string,
    changesOf: (currentMembers: string[]) => { displayName?: string; externalId?: string | null; members?: Set<string> },
  ): Promise<ScimResource> {
    const orgId = this.context.requireOrgId();
    const outcome = await this.tenantDb.transaction(async (em) => {
      const row = await this.find(em, orgId, id, true);
      const current = await this.groups.memberIds(em, orgId, row.id);
      const changes = changesOf(current);
      if (changes.displayName !== undefined && changes.displayName.toLowerCase() !== row.display_name.toLowerCase()) {
        await this.assertNameFree(em, orgId, changes.displayName, row.id);
      }
      await this.groups.update(em, orgId, row.id, { displayName: changes.displayName, externalId: changes.externalId });
      let diff: MemberDiff = { added: [], removed: [] };
      let roleChanges: RoleChange[] = [];
      if (changes.members) {
        const before = new Set(current);
        diff = {
          added: [...changes.members].filter((member) => !before.has(member)),
          removed: current.filter((member) => !changes.members?.has(member)),
        };
        await this.assertOrgUsers(em, orgId, diff.added);
        await this.groups.removeMembers(em, orgId, row.id, diff.removed);
        await this.groups.addMembers(em, orgId, row.id, diff.added);
        if (row.role) roleChanges = await this.roles.apply(em, orgId, [...diff.added, ...diff.removed]);
      }
      return { row, diff, roleChanges };
    });
    await this.events.record({
      type: 'scim.group.updated',
      target: { type: 'scim_group', id: outcome.row.id },
      details: { membersAdded: outcome.diff.added.length, membersRemoved: outcome.diff.removed.length },
    });
    await this.roles.announce(outcome.roleChanges);
    return this.presentById(orgId, outcome.row.id);
  }

  private async assertNameFree(em: EntityManager, orgId: string, displayName: string, exceptId?: string): Promise<void> {
    await this.groups.takeNameTurn(em, orgId, displayName);
    if (await this.groups.nameTaken(em, orgId, displayName, exceptId)) {
      throw uniqueness('A group with that displayName exists in this organization.');
    }
  }

  /** Members are users of this org: an id of anyone else is refused like an unknown one. */
  private async assertOrgUsers(em: EntityManager, orgId: string, userIds: readonly string[]): Promise<void> {
    const known = await this.groups.orgUserIds(em, orgId, userIds);
    const unknown = userIds.filter((userId) => !known.has(userId));
    if (unknown.length > 0) throw invalidValue(`No user of this organization has the id ${unknown[0]}.`);
  }

  private async find(em: EntityManager, orgId: string, id: string, lock = false): Promise<ScimGroupRow> {
    if (!UUID.test(id)) throw groupNotFound();
    const row = await this.groups.get(em, orgId, id.toLowerCase(), lock);
    if (!row) throw groupNotFound();
    return row;
  }

  private async presentById(orgId: string, id: string): Promise<ScimResource> {
    return this.tenantDb.transaction(async (em) => {
      const [resource] = await this.present(em, orgId, [await this.find(em, orgId, id)], true);
      return resource;
    });
  }

  private async present(em: EntityManager, orgId: string, rows: readonly ScimGroupRow[], withMembers: boolean): Promise<ScimResource[]> {
    const members = withMembers
      ? await this.groups.members(
          em,
          orgId,
          rows.map((row) => row.id),
        )
      : undefined;
    return rows.map((row) =>
      groupResource(
        row,
        members?.filter((member) => member.group_id === row.id),
        this.base,
      ),
    );
  }
}
