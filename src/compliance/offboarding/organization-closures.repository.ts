import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface ClosureRow {
  id: string;
  org_id: string;
  status: 'pending' | 'export_ready' | 'cancelled';
  requested_at: string;
  grace_until: string;
  export_sha256: string | null;
  certificate_id: string;
}

/** The SQL of organization closures; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class OrganizationClosuresRepository {
  async organizationName(em: EntityManager, orgId: string): Promise<string | undefined> {
    const [row] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
    return row?.name;
  }

  /** A new pending closure, unless the org has one under way (then undefined). */
  async insertUnlessOpen(
    em: EntityManager,
    row: { id: string; orgId: string; requestedBy: string; graceDays: number; certificateId: string },
  ): Promise<ClosureRow | undefined> {
    const [created] = await em.execute<ClosureRow[]>(
      `insert into organization_closures (id, org_id, requested_by, grace_until, certificate_id)
       values (?, ?, ?, now() + make_interval(days => ?), ?)
       on conflict (org_id) where status <> 'cancelled' do nothing
       returning *`,
      [row.id, row.orgId, row.requestedBy, row.graceDays, row.certificateId],
    );
    return created;
  }

  async open(em: EntityManager, orgId: string): Promise<ClosureRow | undefined> {
    const [row] = await em.execute<ClosureRow[]>(
      `select id, org_id, status, requested_at, grace_until, export_sha256, certificate_id
       from organization_closures where org_id = ? and status <> 'cancelled'`,
      [orgId],
    );
    return row;
  }

  async cancel(em: EntityManager, orgId: string, id: string): Promise<void> {
    await em.execute(
      `update organization_closures set status = 'cancelled', cancelled_at = now(), export = null where id = ? and org_id = ?`,
      [id, orgId],
    );
  }

  async storedExport(
    em: EntityManager,
    orgId: string,
    id: string,
  ): Promise<{ export: Buffer | null; export_sha256: string | null } | undefined> {
    const [row] = await em.execute<{ export: Buffer | null; export_sha256: string | null }[]>(
      'select export, export_sha256 from organization_closures where id = ? and org_id = ?',
      [id, orgId],
    );
    return row;
  }

  async storeExport(em: EntityManager, orgId: string, id: string, built: { gzip: Buffer; sha256: string }): Promise<void> {
    await em.execute(
      `update organization_closures set export = ?, export_sha256 = ?, export_ready_at = now(), status = 'export_ready'
       where id = ? and org_id = ? and status = 'pending'`,
      [built.gzip, built.sha256, id, orgId],
    );
  }
}
