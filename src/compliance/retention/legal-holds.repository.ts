import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { LegalHoldScope } from './dto/legal-hold.dto';
import { RetentionCategory } from './retention-categories';

export interface LegalHoldRow {
  id: string;
  scope: LegalHoldScope;
  contact_id: string | null;
  category: RetentionCategory | null;
  reason: string;
  created_by: string | null;
  created_at: Date;
  released_at: Date | null;
  released_by: string | null;
}

/** What the retention preview needs of a hold in force: which categories it keeps. */
export type ActiveHold = Pick<LegalHoldRow, 'id' | 'scope' | 'category'>;

/** The SQL of legal holds; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class LegalHoldsRepository {
  /** Oldest first: up to `limit` holds after `afterId`, only active or only released ones when `active` says so. */
  async page(
    em: EntityManager,
    orgId: string,
    afterId: string | undefined,
    active: boolean | undefined,
    limit: number,
  ): Promise<LegalHoldRow[]> {
    const where = ['org_id = ?'];
    const params: unknown[] = [orgId];
    if (afterId) {
      where.push('id > ?');
      params.push(afterId);
    }
    if (active !== undefined) where.push(active ? 'released_at is null' : 'released_at is not null');
    const rows = await em.execute<StoredRow<LegalHoldRow>[]>(`select * from legal_holds where ${where.join(' and ')} order by id limit ?`, [
      ...params,
      limit,
    ]);
    return rows.map(legalHoldOf);
  }

  /** The holds in force, oldest first. */
  active(em: EntityManager, orgId: string): Promise<ActiveHold[]> {
    return em.execute<ActiveHold[]>('select id, scope, category from legal_holds where org_id = ? and released_at is null order by id', [
      orgId,
    ]);
  }

  async contactExists(em: EntityManager, orgId: string, contactId: string): Promise<boolean> {
    const found = await em.execute('select 1 from contacts where org_id = ? and id = ?', [orgId, contactId]);
    return found.length > 0;
  }

  async insert(
    em: EntityManager,
    hold: {
      id: string;
      orgId: string;
      scope: LegalHoldScope;
      contactId: string | null;
      category: RetentionCategory | null;
      reason: string;
      createdBy: string;
    },
  ): Promise<LegalHoldRow> {
    const [row] = await em.execute<StoredRow<LegalHoldRow>[]>(
      `insert into legal_holds (id, org_id, scope, contact_id, category, reason, created_by) values (?, ?, ?, ?, ?, ?, ?) returning *`,
      [hold.id, hold.orgId, hold.scope, hold.contactId, hold.category, hold.reason, hold.createdBy],
    );
    return legalHoldOf(row);
  }

  /** Releases the hold if it is still active; false when there is no such active hold. */
  async release(em: EntityManager, orgId: string, id: string, releasedBy: string): Promise<boolean> {
    const released = await em.execute(
      'update legal_holds set released_at = now(), released_by = ? where org_id = ? and id = ? and released_at is null returning id',
      [releasedBy, orgId, id],
    );
    return released.length > 0;
  }

  async exists(em: EntityManager, orgId: string, id: string): Promise<boolean> {
    const existing = await em.execute('select 1 from legal_holds where org_id = ? and id = ?', [orgId, id]);
    return existing.length > 0;
  }
}

function legalHoldOf(row: StoredRow<LegalHoldRow>): LegalHoldRow {
  return { ...row, created_at: new Date(row.created_at), released_at: row.released_at === null ? null : new Date(row.released_at) };
}
