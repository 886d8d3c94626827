import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Page, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { MAX_EXTENSION_MONTHS, addCalendarMonths, dueDateOf, monthsExtended } from './due-dates';
import {
  CreatePrivacyRequestDto,
  ExtendPrivacyRequestDto,
  ListPrivacyRequestsQuery,
  PrivacyRequestView,
  RejectPrivacyRequestDto,
} from './dto/privacy-request.dto';
import { PrivacyRequestProcessor } from './privacy-request-processor.service';
import {
  privacyExtensionLimitReached,
  privacyExtensionTooLate,
  privacyRequestClosed,
  privacyRequestNotFound,
  privacyRequestNotPending,
} from './privacy-errors';
import { PrivacyRequestRow, isOpen, privacyRequestViewOf, subjectHashOf } from './privacy-request-row';
import { PrivacyRequestsRepository } from './privacy-requests.repository';

/**
 * Receiving and tracking GDPR data-subject requests. A request is handled in the background as
 * soon as it is stored (and by the `privacy-requests` job should that start be lost); what
 * remains for people is deciding an extension or a rejection while it is open.
 */
@Injectable()
export class PrivacyRequestsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly processor: PrivacyRequestProcessor,
    private readonly requests: PrivacyRequestsRepository,
  ) {}

  async create(input: CreatePrivacyRequestDto): Promise<PrivacyRequestView> {
    const tenant = this.context.requireTenant();
    const orgId = tenant.orgId;
    const receivedAt = new Date();
    return this.database.transaction(async (em) => {
      const row = await this.requests.insert(em, {
        id: uuidv7(),
        orgId,
        type: input.type,
        subjectEmail: input.subjectEmail,
        subjectHash: subjectHashOf(orgId, input.subjectEmail),
        receivedAt,
        dueAt: dueDateOf(receivedAt),
        requestedBy: tenant.principal,
      });
      // Started once the row is visible to the connection that will claim it.
      await this.database.afterCommit(async () => this.processor.startSoon(orgId, row.id));
      return privacyRequestViewOf(row);
    });
  }

  /** Newest first (ids are UUIDv7, so id order is receipt order). */
  async list(query: ListPrivacyRequestsQuery): Promise<Page<PrivacyRequestView>> {
    const orgId = this.context.requireOrgId();
    const before = decodeCursor(query.cursor);
    const rows = await this.database.transaction((em) => this.requests.page(em, orgId, query, before, query.limit + 1));
    const now = new Date();
    return toPage(rows, query.limit, (row) => privacyRequestViewOf(row, now));
  }

  async get(id: string): Promise<PrivacyRequestView> {
    return this.database.transaction(async (em) => privacyRequestViewOf(await this.load(em, id)));
  }

  /**
   * Art. 12(3): "extended by two further months where necessary", the subject being told within
   * the first month. So: while open, before the original deadline, at most two months in total.
   */
  async extend(id: string, input: ExtendPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.database.transaction(async (em) => {
      const row = await this.load(em, id, true);
      if (!isOpen(row.status)) throw privacyRequestClosed();
      const dueAt = row.due_at;
      if (new Date() > dueAt) throw privacyExtensionTooLate();
      const already = monthsExtended(dueAt, row.extended_due_at);
      if (already + input.months > MAX_EXTENSION_MONTHS) throw privacyExtensionLimitReached(MAX_EXTENSION_MONTHS - already);
      const reason = row.extension_reason ? `${row.extension_reason}\n${input.reason}` : input.reason;
      const updated = await this.requests.extend(em, row.org_id, id, {
        extendedDueAt: addCalendarMonths(dueAt, already + input.months),
        reason,
      });
      return privacyRequestViewOf(updated);
    });
  }

  /** Only before processing has started: a request being or already handled cannot be undone by a rejection. */
  async reject(id: string, input: RejectPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.database.transaction(async (em) => {
      const row = await this.load(em, id, true);
      if (row.status !== 'pending') throw privacyRequestNotPending();
      const updated = await this.requests.reject(em, row.org_id, id, input.reason);
      return privacyRequestViewOf(updated);
    });
  }

  /** The row; locked when about to change it, so a concurrent claim by the processor waits or is waited for. */
  private async load(em: EntityManager, id: string, forUpdate = false): Promise<PrivacyRequestRow> {
    const row = await this.requests.byId(em, this.context.requireOrgId(), id, forUpdate);
    if (!row) throw privacyRequestNotFound();
    return row;
  }
}
