import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of the Art. 30 record; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class ProcessingRecordsRepository {
  /** The organization the transaction is bound to: the controller the record names. */
  async currentOrganization(em: EntityManager): Promise<{ id: string; name: string }> {
    const [organization] = await em.execute<{ id: string; name: string }[]>(
      'select id, name from organizations where id = app_current_org()',
    );
    return organization;
  }

  /** The retention the org set per category; a category it never set has no row. */
  retentionPolicies(em: EntityManager, orgId: string): Promise<{ category: string; duration_days: number; action: string }[]> {
    return em.execute<{ category: string; duration_days: number; action: string }[]>(
      'select category, duration_days, action from retention_policies where org_id = ?',
      [orgId],
    );
  }
}
