import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../tenancy';

/** A contact with its company's name, as every statement below returns it. */
export interface ContactRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  company_id: string | null;
  company_name: string | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** timestamptz columns arrive as text: MikroORM turns pg's date parsing off. */
type StoredContactRow = Omit<ContactRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

export interface NewContact {
  readonly id: string;
  readonly orgId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly companyId: string | null;
  readonly tags: readonly string[];
  readonly customFields: Record<string, unknown>;
}

/** What the contact list filters on; `after` is the cursor's id. */
export interface ContactFilters {
  readonly after?: string;
  readonly email?: string;
  readonly companyId?: string;
  readonly tag?: string;
  readonly updatedSince?: Date;
  readonly q?: string;
}

const CONTACT_COLUMNS = `select c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, co.name as company_name,
  c.tags, c.custom_fields, c.version, c.created_at, c.updated_at
  from "contacts" c left join "companies" co on co.id = c.company_id and co.org_id = c.org_id`;

const CONTACT_BY_ID = `${CONTACT_COLUMNS} where c.org_id = ? and c.id = ?`;

const INSERT_CONTACT = `with c as (
    insert into "contacts" (id, org_id, first_name, last_name, email, phone, company_id, tags, custom_fields)
    values (?, ?, ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?::jsonb)
    returning *
  )
  select c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, co.name as company_name,
    c.tags, c.custom_fields, c.version, c.created_at, c.updated_at
  from c left join "companies" co on co.id = c.company_id and co.org_id = c.org_id`;

function contactOf(row: StoredContactRow): ContactRow {
  return { ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}

/** `q` characters that LIKE would treat as wildcards are matched literally. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL of contacts that the entities do not cover: the hot paths (create, list, read by id),
 * where rows go straight to views without hydration or the unit of work. The reads are
 * one-round-trip reads (TenantDatabase.read) for the caller's org.
 */
@Injectable()
export class ContactsRepository {
  constructor(private readonly tenantDb: TenantDatabase) {}

  /** One statement inserts the contact and returns it with its company; runs in the caller's transaction. */
  async insert(em: EntityManager, contact: NewContact): Promise<ContactRow> {
    const [row] = await em.execute<StoredContactRow[]>(INSERT_CONTACT, [
      contact.id,
      contact.orgId,
      contact.firstName,
      contact.lastName,
      contact.email,
      contact.phone,
      contact.companyId,
      JSON.stringify(contact.tags),
      JSON.stringify(contact.customFields),
    ]);
    return contactOf(row);
  }

  /** Up to `limit` contacts in id order, with their companies joined in the same statement: never one query per row. */
  async page(orgId: string, filters: ContactFilters, limit: number): Promise<ContactRow[]> {
    // Each filter keeps to an index led by org_id.
    const conditions = ['c.org_id = ?'];
    const params: unknown[] = [orgId];
    const where = (condition: string, value: unknown) => {
      conditions.push(condition);
      params.push(value);
    };
    if (filters.after) where('c.id > ?', filters.after);
    if (filters.email) where('c.email = ?', filters.email);
    if (filters.companyId) where('c.company_id = ?', filters.companyId);
    if (filters.tag) where('c.tags @> array[?]::text[]', filters.tag);
    if (filters.updatedSince) where('c.updated_at >= ?', filters.updatedSince);
    if (filters.q) where('c.search_text like ?', likePattern(filters.q));
    const rows = await this.tenantDb.read<StoredContactRow>(
      `${CONTACT_COLUMNS} where ${conditions.join(' and ')} order by c.id asc limit ?`,
      [...params, limit],
      { replica: true },
    );
    return rows.map(contactOf);
  }

  async byId(orgId: string, id: string): Promise<ContactRow | undefined> {
    const [row] = await this.tenantDb.read<StoredContactRow>(CONTACT_BY_ID, [orgId, id]);
    return row ? contactOf(row) : undefined;
  }
}
