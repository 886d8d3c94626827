import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { TEXT_ARRAY, UUID_ARRAY, jsonArray } from './subject-lookup';

export interface SubjectContactRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  company_id: string | null;
  company_name: string | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface SubjectActivityRow {
  id: string;
  contact_id: string;
  type: string;
  subject: string;
  body: string | null;
  occurred_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface SubjectInvitationRow {
  id: string;
  email: string;
  role: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

export interface SubjectAuditReferenceRow {
  seq: string;
  action: string;
  occurred_at: Date;
  target_type: string | null;
  target_id: string | null;
}

/**
 * The SQL that finds what an organization holds about a data subject (GDPR Art. 15); each call
 * runs in the access export's org-scoped transaction.
 */
@Injectable()
export class SubjectAccessRepository {
  async organizationName(em: EntityManager, orgId: string): Promise<string | undefined> {
    const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
    return organization?.name;
  }

  /** The contacts with the subject's email (lower-cased, as stored for lookup), with their company's name. */
  async contacts(em: EntityManager, orgId: string, email: string): Promise<SubjectContactRow[]> {
    const rows = await em.execute<StoredRow<SubjectContactRow>[]>(
      `select c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, co.name as company_name, c.tags, c.custom_fields,
         c.created_at, c.updated_at
       from contacts c left join companies co on co.id = c.company_id and co.org_id = c.org_id
       where c.org_id = ? and lower(c.email) = ? order by c.id`,
      [orgId, email],
    );
    return rows.map((row) => ({ ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) }));
  }

  /** The activities on these contacts. */
  async activities(em: EntityManager, orgId: string, contactIds: readonly string[]): Promise<SubjectActivityRow[]> {
    const rows = await em.execute<StoredRow<SubjectActivityRow>[]>(
      `select id, contact_id, type, subject, body, occurred_at, created_at, updated_at from activities
       where org_id = ? and contact_id = any(${UUID_ARRAY}) order by occurred_at, id`,
      [orgId, jsonArray(contactIds)],
    );
    return rows.map(activityOf);
  }

  /** Activities on other contacts whose subject or body matches one of the ILIKE `patterns`. */
  async mentions(
    em: EntityManager,
    orgId: string,
    contactIds: readonly string[],
    patterns: readonly string[],
  ): Promise<SubjectActivityRow[]> {
    const mentioned = jsonArray(patterns);
    const rows = await em.execute<StoredRow<SubjectActivityRow>[]>(
      `select id, contact_id, type, subject, body, occurred_at, created_at, updated_at from activities
       where org_id = ? and not (contact_id = any(${UUID_ARRAY})) and (subject ilike any(${TEXT_ARRAY}) or body ilike any(${TEXT_ARRAY}))
       order by occurred_at, id`,
      [orgId, jsonArray(contactIds), mentioned, mentioned],
    );
    return rows.map(activityOf);
  }

  async invitations(em: EntityManager, orgId: string, email: string): Promise<SubjectInvitationRow[]> {
    const rows = await em.execute<StoredRow<SubjectInvitationRow>[]>(
      `select id, email, role, created_at, expires_at, accepted_at, revoked_at from invitations
       where org_id = ? and lower(email) = ? order by created_at, id`,
      [orgId, email],
    );
    return rows.map((row) => ({
      ...row,
      created_at: new Date(row.created_at),
      expires_at: new Date(row.expires_at),
      accepted_at: dateOrNull(row.accepted_at),
      revoked_at: dateOrNull(row.revoked_at),
    }));
  }

  /** The audit events about these records. */
  async auditReferences(em: EntityManager, orgId: string, recordIds: readonly string[]): Promise<SubjectAuditReferenceRow[]> {
    const rows = await em.execute<StoredRow<SubjectAuditReferenceRow>[]>(
      `select seq, action, occurred_at, target_type, target_id from audit_events
       where org_id = ? and target_id = any(${TEXT_ARRAY}) order by seq`,
      [orgId, jsonArray(recordIds)],
    );
    return rows.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at) }));
  }
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

function activityOf(row: StoredRow<SubjectActivityRow>): SubjectActivityRow {
  return { ...row, occurred_at: new Date(row.occurred_at), created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}
