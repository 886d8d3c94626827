import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of memberships that the entities do not cover; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class MembersRepository {
  /**
   * The org's owners' user ids, locked until the transaction ends: two demotions or removals of
   * owners take turns, so they cannot both pass a check that another owner remains.
   */
  async lockOwners(em: EntityManager, orgId: string): Promise<string[]> {
    const owners = await em.execute<{ user_id: string }[]>(
      "select user_id from memberships where org_id = ? and role = 'owner' for update",
      [orgId],
    );
    return owners.map((owner) => owner.user_id);
  }
}
