import { EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, Page, ValidationError, assertIfMatch, decodeCursor, etagOf, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { QueryCache } from '../../caching';
import { TenantDatabase } from '../../tenancy';
import { RecordsCache } from '../records-cache';
import { companyNotFound, contactNotFound, rejectNulls } from '../crm-errors';
import { Company } from '../entities/company.entity';
import { Contact, CustomFieldValue } from '../entities/contact.entity';
import { ContactRow, ContactsRepository } from './contacts.repository';
import { ContactView, CreateContactDto, ListContactsQuery, UpdateContactDto } from './dto/contact.dto';

/**
 * The one definition of a contact's representation. Reads map SQL rows with it and writes map
 * entities through it, so a GET's ETag and a PATCH's If-Match check hash the very same JSON.
 */
function contactViewOf(row: ContactRow): ContactView {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    companyId: row.company_id,
    company: row.company_id && row.company_name !== null ? { id: row.company_id, name: row.company_name } : null,
    tags: row.tags,
    customFields: row.custom_fields,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentContact(contact: Contact): ContactView {
  const company = contact.company?.isInitialized() ? contact.company.getEntity() : null;
  return contactViewOf({
    id: contact.id,
    first_name: contact.firstName,
    last_name: contact.lastName,
    email: contact.email ?? null,
    phone: contact.phone ?? null,
    company_id: contact.company?.id ?? null,
    company_name: company?.name ?? null,
    tags: contact.tags,
    custom_fields: contact.customFields,
    version: contact.version,
    created_at: contact.createdAt,
    updated_at: contact.updatedAt,
  });
}

@Injectable()
export class ContactsService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly contacts: ContactsRepository,
    private readonly context: RequestContext,
    private readonly recordsCache: RecordsCache,
    private readonly queryCache: QueryCache,
  ) {}

  /**
   * One statement inserts the contact and returns it with its company, straight to the view: a
   * create runs on every import and integration sync, and the unit of work would only add CPU
   * (flush, change sets, hydration). Row-level security checks the row's org as for any write.
   */
  async create(input: CreateContactDto): Promise<ContactView> {
    const orgId = this.context.requireOrgId();
    return this.tenantDb.transaction(async (em) => {
      if (input.companyId) await this.companyRef(em, input.companyId);
      const row = await this.contacts.insert(em, {
        id: uuidv7(),
        orgId,
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email ?? null,
        phone: input.phone ?? null,
        companyId: input.companyId ?? null,
        tags: input.tags ?? [],
        customFields: input.customFields ?? {},
      });
      await this.recordsCache.invalidateAfterCommit('contacts');
      return contactViewOf(row);
    });
  }

  /** One statement for the page with its companies joined: never one per row. */
  async list(query: ListContactsQuery): Promise<Page<ContactView>> {
    const orgId = this.context.requireOrgId();
    const after = decodeCursor(query.cursor);
    // Like the read by id, rows go straight to views (no hydration).
    const rows = await this.contacts.page(
      orgId,
      { after, email: query.email, companyId: query.companyId, tag: query.tag, updatedSince: query.updatedSince, q: query.q },
      query.limit + 1,
    );
    return toPage(rows, query.limit, contactViewOf);
  }

  /** The hottest read: served from the query cache until a contact or company of the org changes. */
  async get(id: string): Promise<ContactView> {
    const orgId = this.context.requireOrgId();
    // The hottest read skips entity hydration and the unit of work (most of its CPU, see
    // bench/README.md): one round trip, one row straight to the view (contactViewOf, shared with
    // the write paths).
    const view = await this.queryCache.getOrLoad('contact', orgId, ['contacts', 'companies'], id, async () => {
      const row = await this.contacts.byId(orgId, id);
      return row ? contactViewOf(row) : null;
    });
    if (!view) throw contactNotFound();
    return view;
  }

  /**
   * `If-Match` (the ETag of the GET) makes the change conditional. The row is locked from the
   * check to the write, so the check holds and concurrent unconditional writes queue up.
   */
  async update(id: string, changes: UpdateContactDto, ifMatch?: string): Promise<ContactView> {
    rejectNulls(changes, ['firstName', 'lastName', 'tags', 'customFields']);
    return this.tenantDb.transaction(async (em) => {
      const contact = await this.loadForUpdate(em, id);
      assertIfMatch(ifMatch, etagOf(presentContact(contact)));
      if (changes.firstName !== undefined) contact.firstName = changes.firstName;
      if (changes.lastName !== undefined) contact.lastName = changes.lastName;
      if (changes.email !== undefined) contact.email = changes.email;
      if (changes.phone !== undefined) contact.phone = changes.phone;
      if (changes.tags !== undefined) contact.tags = changes.tags;
      if (changes.customFields !== undefined) contact.customFields = changes.customFields as Record<string, CustomFieldValue>;
      if (changes.companyId !== undefined) contact.company = changes.companyId ? await this.companyRef(em, changes.companyId) : null;
      await em.flush();
      await this.recordsCache.invalidateAfterCommit('contacts');
      if (contact.company) await em.populate(contact, ['company']);
      return presentContact(contact);
    });
  }

  /** Deleting a contact deletes its activities (foreign key cascade). */
  async remove(id: string, ifMatch?: string): Promise<void> {
    await this.tenantDb.transaction(async (em) => {
      const contact = await this.loadForUpdate(em, id);
      assertIfMatch(ifMatch, etagOf(presentContact(contact)));
      await em.nativeDelete(Contact, { id }).catch((error: unknown) => {
        throw isLegalHoldRefusal(error)
          ? new ConflictError(
              'CONTACT_UNDER_LEGAL_HOLD',
              'A legal hold preserves this contact; it can be deleted once the hold is released.',
            )
          : error;
      });
      await this.recordsCache.invalidateAfterCommit('contacts', 'activities');
    });
  }

  /** Locked from the If-Match check to the write. */
  private async loadForUpdate(em: EntityManager, id: string): Promise<Contact> {
    const contact = await em.findOne(Contact, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!contact) throw contactNotFound();
    await em.populate(contact, ['company']);
    return contact;
  }

  /** A company of another org is as unknown as a missing one. */
  private async companyRef(em: EntityManager, companyId: string) {
    const company = await em.findOne(Company, { id: companyId });
    if (!company) throw new ValidationError([{ field: 'companyId', message: companyNotFound().detail }]);
    return ref(company);
  }
}

/** The database refuses deleting a held contact with SQLSTATE AT409 (see the compliance migration). */
function isLegalHoldRefusal(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === 'AT409';
}
