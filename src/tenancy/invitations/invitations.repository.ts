import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of invitations that the entities do not cover; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class InvitationsRepository {
  /** Concurrent invitations of one email to one org take turns: the lock is held until this transaction ends. */
  async takeEmailTurn(em: EntityManager, orgId: string, email: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`invitation:${orgId}:${email}`]);
  }
}
