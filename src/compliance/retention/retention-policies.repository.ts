import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { RetentionAction, RetentionCategory } from './retention-categories';

/** A policy an org set. `category` is text: a category the code no longer knows may still be stored. */
export interface RetentionPolicyRow {
  category: string;
  duration_days: number;
  action: RetentionAction;
  updated_at: Date;
}

/** The SQL of retention policies; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class RetentionPoliciesRepository {
  /** The org's own settings; a category it never set has no row. */
  async stored(em: EntityManager, orgId: string): Promise<RetentionPolicyRow[]> {
    const rows = await em.execute<StoredRow<RetentionPolicyRow>[]>(
      'select category, duration_days, action, updated_at from retention_policies where org_id = ?',
      [orgId],
    );
    return rows.map((row) => ({ ...row, updated_at: new Date(row.updated_at) }));
  }

  async upsert(
    em: EntityManager,
    orgId: string,
    policy: { category: RetentionCategory; durationDays: number; action: RetentionAction; updatedBy: string },
  ): Promise<void> {
    await em.execute(
      `insert into retention_policies (org_id, category, duration_days, action, updated_at, updated_by) values (?, ?, ?, ?, now(), ?)
         on conflict (org_id, category) do update
           set duration_days = excluded.duration_days, action = excluded.action, updated_at = now(), updated_by = excluded.updated_by`,
      [orgId, policy.category, policy.durationDays, policy.action, policy.updatedBy],
    );
  }
}
