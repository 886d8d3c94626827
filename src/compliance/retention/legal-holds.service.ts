import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, ConflictError, FieldError, NotFoundError, Page, ValidationError, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { CreateLegalHoldDto, LegalHoldView, ListLegalHoldsQuery } from './dto/legal-hold.dto';
import { LegalHoldRow, LegalHoldsRepository } from './legal-holds.repository';

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
    private readonly holds: LegalHoldsRepository,
  ) {}

  async list(query: ListLegalHoldsQuery): Promise<Page<LegalHoldView>> {
    const orgId = this.context.requireOrgId();
    const after = decodeCursor(query.cursor);
    const rows = await this.database.transaction((em) => this.holds.page(em, orgId, after, query.active, query.limit + 1));
    return toPage(rows, query.limit, presentLegalHold);
  }

  async create(input: CreateLegalHoldDto): Promise<LegalHoldView> {
    assertScopeTarget(input);
    const { orgId, principal } = this.context.requireTenant();
    return this.database.transaction(async (em) => {
      if (input.contactId && !(await this.holds.contactExists(em, orgId, input.contactId))) {
        throw new AppError('unprocessable', 'CONTACT_NOT_FOUND', 'No contact with that id in this organization.', {
          errors: [{ field: 'contactId', message: 'No contact with that id in this organization.' }],
        });
      }
      const row = await this.holds.insert(em, {
        id: uuidv7(),
        orgId,
        scope: input.scope,
        contactId: input.contactId ?? null,
        category: input.category ?? null,
        reason: input.reason,
        createdBy: principal.id,
      });
      return presentLegalHold(row);
    });
  }

  /** Releasing a hold that was already released is a conflict: the hold exists, its release is on record. */
  async release(id: string): Promise<void> {
    const { orgId, principal } = this.context.requireTenant();
    await this.database.transaction(async (em) => {
      if (await this.holds.release(em, orgId, id, principal.id)) return;
      if (!(await this.holds.exists(em, orgId, id))) throw legalHoldNotFound();
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
    createdAt: row.created_at.toISOString(),
    releasedAt: row.released_at ? row.released_at.toISOString() : null,
    releasedBy: row.released_by,
  };
}
