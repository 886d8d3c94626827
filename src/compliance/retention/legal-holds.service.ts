import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, ConflictError, FieldError, NotFoundError, Page, ValidationError, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { RetentionCategory } from './retention-categories';
import { CreateLegalHoldDto, LegalHoldScope, LegalHoldView, ListLegalHoldsQuery } from './dto/legal-hold.dto';

interface LegalHoldRow {
  id: string;
  scope: LegalHoldScope;
  contact_id: string | null;
  category: RetentionCategory | null;
  reason: string;
  created_by: string | null;
  /** Timestamps come back from raw SQL as text. */
  created_at: string;
  released_at: string | null;
  released_by: string | null;
}

const legalHoldNotFound = () => new NotFoundError('LEGAL_HOLD_NOT_FOUND', 'No legal hold with that id in this organization.');

/**
 * Legal holds suspend retention for a scope until released. A released hold stays, with who
 * released it and when, as evidence of what was kept and why.
 */
@Injectable()
export class LegalHoldsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
  ) {}

  async list(query: ListLegalHoldsQuery): Promise<Page<LegalHoldView>> {
    const orgId = this.context.requireOrgId();
    const after = decodeCursor(query.cursor);
    const where = ['org_id = ?'];
    const params: unknown[] = [orgId];
    if (after) {
      where.push('id > ?');
      params.push(after);
    }
    if (query.active !== undefined) where.push(query.active ? 'released_at is null' : 'released_at is not null');
    const rows = await this.database.transaction((em) =>
      em.execute<LegalHoldRow[]>(`select * from legal_holds where ${where.join(' and ')} order by id limit ?`, [
        ...params,
        query.limit + 1,
      ]),
    );
    return toPage(rows, query.limit, presentLegalHold);
  }

  async create(input: CreateLegalHoldDto): Promise<LegalHoldView> {
    assertScopeTarget(input);
    const { orgId, principal } = this.context.requireTenant();
    return this.database.transaction(async (em) => {
      if (input.contactId) {
        const found = await em.execute('select 1 from contacts where org_id = ? and id = ?', [orgId, input.contactId]);
        if (found.length === 0) {
          throw new AppError('unprocessable', 'CONTACT_NOT_FOUND', 'No contact with that id in this organization.', {
            errors: [{ field: 'contactId', message: 'No contact with that id in this organization.' }],
          });
        }
      }
      const [row] = await em.execute<LegalHoldRow[]>(
        `insert into legal_holds (id, org_id, scope, contact_id, category, reason, created_by) values (?, ?, ?, ?, ?, ?, ?) returning *`,
        [uuidv7(), orgId, input.scope, input.contactId ?? null, input.category ?? null, input.reason, principal.id],
      );
      return presentLegalHold(row);
    });
  }

  /** Releasing a hold that was already released is a conflict: the hold exists, its release is on record. */
  async release(id: string): Promise<void> {
    const { orgId, principal } = this.context.requireTenant();
    await this.database.transaction(async (em) => {
      const released = await em.execute(
        'update legal_holds set released_at = now(), released_by = ? where org_id = ? and id = ? and released_at is null returning id',
        [principal.id, orgId, id],
      );
      if (released.length > 0) return;
      const existing = await em.execute('select 1 from legal_holds where org_id = ? and id = ?', [orgId, id]);
      if (existing.length === 0) throw legalHoldNotFound();
      throw new ConflictError('LEGAL_HOLD_ALREADY_RELEASED', 'This legal hold was already released.');
    });
  }
}

/** contactId exactly for contact holds, category exactly for category holds. */
function assertScopeTarget(input: CreateLegalHoldDto): void {
  const errors: FieldError[] = [];
  const wantsContact = input.scope === 'contact';
  const wantsCategory = input.scope === 'category';
  if (wantsContact && !input.contactId) errors.push({ field: 'contactId', message: 'contactId is required for a contact hold' });
  if (!wantsContact && input.contactId !== undefined) {
    errors.push({ field: 'contactId', message: `contactId must be absent for a ${input.scope} hold` });
  }
  if (wantsCategory && !input.category) errors.push({ field: 'category', message: 'category is required for a category hold' });
  if (!wantsCategory && input.category !== undefined) {
    errors.push({ field: 'category', message: `category must be absent for a ${input.scope} hold` });
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

function presentLegalHold(row: LegalHoldRow): LegalHoldView {
  return {
    id: row.id,
    scope: row.scope,
    contactId: row.contact_id,
    category: row.category,
    reason: row.reason,
    active: row.released_at === null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    releasedAt: row.released_at ? new Date(row.released_at).toISOString() : null,
    releasedBy: row.released_by,
  };
}
