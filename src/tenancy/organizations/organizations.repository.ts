import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of organizations that the entities do not cover; each call runs in the caller's transaction. */
@Injectable()
export class OrganizationsRepository {
  /** Waits for the user's other organization creations to commit: the lock is held until this transaction ends. */
  async takeCreationTurn(em: EntityManager, ownerId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`atrium.organizations-of:${ownerId}`]);
  }

  /** How many organizations the user owns, across tenants (app_owned_organizations is SECURITY DEFINER). */
  async ownedCount(em: EntityManager, ownerId: string): Promise<number> {
    const [row] = await em.execute<{ owned: string }[]>('select app_owned_organizations(?) as owned', [ownerId]);
    return Number(row.owned);
  }
}
