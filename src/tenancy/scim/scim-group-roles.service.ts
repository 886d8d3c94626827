import { Injectable } from '@nestjs/common';
import { Page, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { ScimGroupView } from './dto/scim-group.dto';
import { GroupRoleSync } from './group-role-sync';
import { GroupRole } from './group-roles';
import { GroupSummaryRow, ScimGroupsRepository } from './scim-groups.repository';
import { groupNotFound } from './scim-groups.service';

function present(row: GroupSummaryRow): ScimGroupView {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    role: row.role as GroupRole | null,
    memberCount: row.member_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The product API's side of SCIM groups: owners and admins see the groups the provider pushed and map them to roles. */
@Injectable()
export class ScimGroupRolesService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly groups: ScimGroupsRepository,
    private readonly roles: GroupRoleSync,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<ScimGroupView>> {
    const after = decodeCursor(cursor);
    const orgId = this.context.requireOrgId();
    const rows = await this.tenantDb.transaction((em) => this.groups.summaries(em, orgId, limit, after));
    return toPage(rows, limit, present);
  }

  /** Maps (or unmaps) the group's role and brings its members' roles in step, in one transaction. */
  async setRole(id: string, role: GroupRole | null): Promise<ScimGroupView> {
    const orgId = this.context.requireOrgId();
    const { previous, changes, row } = await this.tenantDb.transaction(async (em) => {
      const group = await this.groups.get(em, orgId, id, true);
      if (!group) throw groupNotFound();
      await this.groups.setRole(em, orgId, id, role);
      const changes = group.role === role ? [] : await this.roles.apply(em, orgId, await this.groups.memberIds(em, orgId, id));
      return { previous: group.role, changes, row: (await this.groups.summary(em, orgId, id)) as GroupSummaryRow };
    });
    if (previous !== role) {
      await this.events.record({
        type: 'scim.group.role-mapped',
        target: { type: 'scim_group', id },
        details: { from: previous, to: role, membersChanged: changes.length },
      });
    }
    await this.roles.announce(changes);
    return present(row);
  }
}
