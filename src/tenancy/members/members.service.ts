import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConflictError, ForbiddenError, NotFoundError, Page, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { ApiKey } from '../entities/api-key.entity';
import { Membership } from '../entities/membership.entity';
import { Role } from '../permissions';
import { SecurityEvents } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { MemberView } from './dto/member.dto';
import { MembersRepository } from './members.repository';

function present(membership: Membership): MemberView {
  const user = membership.user.getEntity();
  return { userId: user.id, email: user.email, name: user.name, role: membership.role, joinedAt: membership.createdAt.toISOString() };
}

@Injectable()
export class MembersService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly members: MembersRepository,
    private readonly context: RequestContext,
    private readonly sessions: SessionStore,
    private readonly events: SecurityEvents,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<MemberView>> {
    const after = decodeCursor(cursor);
    const rows = await this.tenantDb.transaction((em) =>
      em.find(Membership, after ? { id: { $gt: after } } : {}, { populate: ['user'], orderBy: { id: 'asc' }, limit: limit + 1 }),
    );
    return toPage(rows, limit, present);
  }

  /** A lowered role counts from the member's next request: the guard reads the membership every time. */
  async changeRole(userId: string, role: Role): Promise<MemberView> {
    const actorRole = this.context.requireTenant().role;
    const { membership, previous } = await this.tenantDb.transaction(async (em) => {
      const membership = await this.find(em, userId);
      const previous = membership.role;
      if ((previous === 'owner' || role === 'owner') && actorRole !== 'owner') {
        throw new ForbiddenError('Only an owner may make or unmake owners.');
      }
      if (previous === 'owner' && role !== 'owner') await this.assertAnotherOwner(em, userId);
      membership.role = role;
      return { membership, previous };
    });
    if (previous !== role) {
      await this.events.record({
        type: 'member.role.changed',
        target: { type: 'user', id: userId },
        details: { from: previous, to: role },
      });
    }
    return present(membership);
  }

  /** Removal ends the member's sessions in this organization at once, and revokes the API keys they created. */
  async remove(userId: string): Promise<void> {
    const actorRole = this.context.requireTenant().role;
    const orgId = this.context.requireOrgId();
    let revoked = 0;
    const keysRevoked = await this.tenantDb.transaction(async (em) => {
      const membership = await this.find(em, userId);
      if (membership.role === 'owner') {
        if (actorRole !== 'owner') throw new ForbiddenError('Only an owner may remove an owner.');
        await this.assertAnotherOwner(em, userId);
      }
      // Sessions end before the removal commits: if they cannot (Redis away), nothing changes and the caller retries.
      revoked = await this.sessions.revokeAll(userId, { orgId });
      em.remove(membership);
      // Their keys end too: rejoining later must not bring them back.
      return em.nativeUpdate(ApiKey, { createdBy: userId, revokedAt: null }, { revokedAt: new Date() });
    });
    await this.events.record({
      type: 'member.removed',
      target: { type: 'user', id: userId },
      details: { sessionsRevoked: revoked, apiKeysRevoked: keysRevoked },
    });
  }

  private async find(em: EntityManager, userId: string): Promise<Membership> {
    const membership = await em.findOne(Membership, { user: userId }, { populate: ['user'] });
    if (!membership) throw new NotFoundError('MEMBER_NOT_FOUND', 'No member with that user id in this organization.');
    return membership;
  }

  /** Every organization keeps at least one owner. Locks the owners so two demotions cannot race past the check. */
  private async assertAnotherOwner(em: EntityManager, leavingUserId: string): Promise<void> {
    const orgId = this.context.requireOrgId();
    const owners = await this.members.lockOwners(em, orgId);
    if (!owners.some((ownerId) => ownerId !== leavingUserId)) {
      throw new ConflictError('LAST_OWNER', 'The last owner cannot be removed or demoted; make someone else an owner first.');
    }
  }
}
