import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of invitations that the entities do not cover; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class InvitationsRepository {
  /** Concurrent invitations of one email to one org take turns: the lock is held until this transaction ends. */
  async takeEmailTurn(em: EntityManager, orgId: string, email: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`invitation:${orgId}:${email}`]);
  }

  /**
   * Whether the org's SCIM provisioning deprovisioned the account with this email (`active: false`):
   * its identity provider, not an invitation, decides whether that person comes back.
   */
  async deprovisionedByScim(em: EntityManager, orgId: string, email: string): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      'select 1 from scim_users s join users u on u.id = s.user_id where s.org_id = ? and not s.active and u.email = ? limit 1',
      [orgId, email],
    );
    return rows.length > 0;
  }
}
