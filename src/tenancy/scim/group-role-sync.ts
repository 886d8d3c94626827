import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { SecurityEvents } from '../security-events';
import { GroupRole, roleFromGroups } from './group-roles';
import { ScimGroupsRepository } from './scim-groups.repository';
import { ScimUsersRepository } from './scim-users.repository';

export interface RoleChange {
  readonly userId: string;
  readonly from: string;
  readonly to: GroupRole;
}

/**
 * Keeps members' roles in step with their mapped groups. Called for the members a change of a
 * mapped group touches (joined, left, its role mapped or unmapped, deleted): each gets the highest
 * role of their mapped groups, or `member` when none is left. Owners are never changed (owners
 * make and unmake owners); deactivated users have no membership to change.
 */
@Injectable()
export class GroupRoleSync {
  constructor(
    private readonly groups: ScimGroupsRepository,
    private readonly users: ScimUsersRepository,
    private readonly events: SecurityEvents,
  ) {}

  async apply(em: EntityManager, orgId: string, userIds: Iterable<string>): Promise<RoleChange[]> {
    const changes: RoleChange[] = [];
    // One order for every transaction, so two group changes locking the same members cannot deadlock.
    for (const userId of [...new Set(userIds)].sort()) {
      const current = await this.users.lockMembership(em, orgId, userId);
      if (!current || current === 'owner') continue;
      const next = roleFromGroups(await this.groups.mappedRolesOf(em, orgId, userId));
      if (next === current) continue;
      await this.groups.setMemberRole(em, orgId, userId, next);
      changes.push({ userId, from: current, to: next });
    }
    return changes;
  }

  /** A lowered role counts from the member's next request on this instance, within a second on every other. */
  async announce(changes: readonly RoleChange[]): Promise<void> {
    for (const change of changes) {
      await this.events.record({
        type: 'member.role.changed',
        target: { type: 'user', id: change.userId },
        details: { from: change.from, to: change.to, via: 'scim-group' },
      });
    }
  }
}
