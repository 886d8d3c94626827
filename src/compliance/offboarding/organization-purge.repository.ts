import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';

/** An org's closure under way, as the closure job judges it. */
export interface DueClosureRow {
  id: string;
  org_id: string;
  status: 'pending' | 'export_ready';
  requested_by: string;
  requested_at: Date;
  grace_until: Date;
  export_sha256: string | null;
  certificate_id: string;
}

/** The SQL of deleting a closed organization; each call runs in a transaction bound to that org. */
@Injectable()
export class OrganizationPurgeRepository {
  /** The org's closure that is not cancelled, if any. */
  async openClosure(em: EntityManager, orgId: string): Promise<DueClosureRow | undefined> {
    const [closure] = await em.execute<StoredRow<DueClosureRow>[]>(
      `select id, org_id, status, requested_by, requested_at, grace_until, export_sha256, certificate_id
           from organization_closures where org_id = ? and status <> 'cancelled'`,
      [orgId],
    );
    return closure && { ...closure, requested_at: new Date(closure.requested_at), grace_until: new Date(closure.grace_until) };
  }

  async underLegalHold(em: EntityManager, orgId: string): Promise<boolean> {
    const [row] = await em.execute<{ held: boolean }[]>(
      'select exists (select 1 from legal_holds where org_id = ? and released_at is null) as held',
      [orgId],
    );
    return row.held;
  }

  /**
   * Locks the closure if it is still due (export offered, grace over, no active hold) until the
   * transaction ends; false when it is not. A withdrawal (cancel) waits on this lock, or this on it.
   */
  async lockDueClosure(em: EntityManager, orgId: string, closureId: string): Promise<boolean> {
    const [due] = await em.execute<{ id: string }[]>(
      `select id from organization_closures where org_id = ? and id = ? and status = 'export_ready' and grace_until <= now()
           and not exists (select 1 from legal_holds where org_id = ? and released_at is null)
         for update`,
      [orgId, closureId, orgId],
    );
    return due !== undefined;
  }

  async organizationName(em: EntityManager, orgId: string): Promise<string | undefined> {
    const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
    return organization?.name;
  }

  /** Deletes every row of the org (the `purge_organization` function); the rows deleted, per table. */
  async purgeOrganization(em: EntityManager, orgId: string): Promise<Record<string, number>> {
    const [{ deleted }] = await em.execute<{ deleted: Record<string, number> }[]>('select purge_organization(?) as deleted', [orgId]);
    return deleted;
  }

  /** The org's rows left in `table`: none, once the purge did its work. */
  async remainingRows(em: EntityManager, orgId: string, table: string): Promise<number> {
    const [{ count }] = await em.execute<{ count: string }[]>('select count(*) from ?? where org_id = ?', [table, orgId]);
    return Number(count);
  }
}
