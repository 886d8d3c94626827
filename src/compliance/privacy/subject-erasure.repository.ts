import { EntityManager, Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ERASED_PLACEHOLDER, erasureAssignments, freeTextColumns, PersonalDataColumns } from '../personal-data';
import { TEXT_ARRAY, UUID_ARRAY, jsonArray } from './subject-lookup';

/** A contact with the subject's email, and whether an active legal hold keeps it (Art. 17(3)(e)). */
export interface SubjectContactHold {
  id: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  held: boolean;
}

/**
 * The SQL that erases a data subject's records (GDPR Art. 17); each call runs in the erasure's one
 * org-scoped transaction. Statements that change rows answer how many they changed.
 */
@Injectable()
export class SubjectErasureRepository {
  constructor(private readonly columns: PersonalDataColumns) {}

  /** The subject's contacts, locked until the erasure commits. */
  lockContacts(em: EntityManager, orgId: string, email: string): Promise<SubjectContactHold[]> {
    return em.execute<SubjectContactHold[]>(
      `select c.id, c.first_name, c.last_name, c.phone,
           exists (select 1 from legal_holds h where h.org_id = c.org_id and h.released_at is null
                   and (h.scope = 'organization' or (h.scope = 'contact' and h.contact_id = c.id))) as held
         from contacts c where c.org_id = ? and lower(c.email) = ? order by c.id for update of c`,
      [orgId, email],
    );
  }

  /** Whether an active hold covers the whole organization. */
  async organizationHeld(em: EntityManager, orgId: string): Promise<boolean> {
    const [{ orgHeld }] = await em.execute<{ orgHeld: boolean }[]>(
      `select exists (select 1 from legal_holds where org_id = ? and released_at is null and scope = 'organization') as "orgHeld"`,
      [orgId],
    );
    return orgHeld;
  }

  /** The activities on these contacts lose every declared personal field. */
  redactActivitiesOf(em: EntityManager, orgId: string, contactIds: readonly string[]): Promise<number> {
    return this.redactActivities(em, orgId, em.getKnex().raw(`contact_id = any(${UUID_ARRAY})`, [jsonArray(contactIds)]));
  }

  /** Notes on anyone's record (but held contacts') that match one of the ILIKE `patterns` lose their free text. */
  redactMentions(em: EntityManager, orgId: string, patterns: readonly string[], heldContactIds: readonly string[]): Promise<number> {
    const freeText = freeTextColumns(this.columns.of('Activity'));
    if (freeText.length === 0 || patterns.length === 0) return Promise.resolve(0);
    const mentions = freeText.map(() => `?? ilike any(${TEXT_ARRAY})`).join(' or ');
    return this.redactActivities(
      em,
      orgId,
      em
        .getKnex()
        .raw(`(${mentions}) and contact_id <> all(${UUID_ARRAY})`, [
          ...freeText.flatMap((column) => [column.column, jsonArray(patterns)]),
          jsonArray(heldContactIds),
        ]),
    );
  }

  /** The contacts become tombstones: every declared personal field erased, the row kept. */
  anonymiseContacts(em: EntityManager, orgId: string, contactIds: readonly string[]): Promise<number> {
    const knex = em.getKnex();
    return count(
      em,
      knex.raw(
        `update contacts set ?, version = version + 1, updated_at = now()
         where org_id = ? and id = any(${UUID_ARRAY}) returning id`,
        [erasureAssignments(knex, this.columns.of('Contact')), orgId, jsonArray(contactIds)],
      ),
    );
  }

  deleteInvitations(em: EntityManager, orgId: string, email: string): Promise<number> {
    return count(em, 'delete from invitations where org_id = ? and lower(email) = ? returning id', [orgId, email]);
  }

  /** Earlier exports of this subject (by its hash), and any other export that matches one of the `patterns`. */
  deleteExports(em: EntityManager, orgId: string, subjectHash: string, patterns: readonly string[]): Promise<number> {
    return count(
      em,
      `update privacy_requests set export = null, updated_at = now()
         where org_id = ? and export is not null and (subject_hash = ? or export::text ilike any(${TEXT_ARRAY})) returning id`,
      [orgId, subjectHash, jsonArray(patterns)],
    );
  }

  /** A closure export being offered goes back to pending: the closure job builds it again. */
  dropClosureExports(em: EntityManager, orgId: string): Promise<number> {
    return count(
      em,
      `update organization_closures set export = null, export_sha256 = null, export_ready_at = null, status = 'pending'
         where org_id = ? and status = 'export_ready' returning id`,
      [orgId],
    );
  }

  /** Stored first responses that match one of the `patterns`. */
  deleteIdempotencyRecords(em: EntityManager, orgId: string, patterns: readonly string[]): Promise<number> {
    return count(em, `delete from idempotency_records where org_id = ? and response_body::text ilike any(${TEXT_ARRAY}) returning id`, [
      orgId,
      jsonArray(patterns),
    ]);
  }

  /** This request, and the subject's closed earlier requests, keep only the subject's hash. */
  async forgetSubjectEmail(em: EntityManager, orgId: string, subjectHash: string, requestId: string): Promise<void> {
    await em.execute(
      `update privacy_requests set subject_email = null, updated_at = now()
         where org_id = ? and subject_hash = ? and (id = ? or status in ('completed', 'rejected'))`,
      [orgId, subjectHash, requestId],
    );
  }

  /** Reasons written on any request (a rejection, an extension) that match one of the `patterns` are replaced. */
  async redactReasons(em: EntityManager, orgId: string, patterns: readonly string[]): Promise<void> {
    for (const column of ['extension_reason', 'rejection_reason']) {
      await em.execute(`update privacy_requests set ?? = ? where org_id = ? and ?? ilike any(${TEXT_ARRAY})`, [
        column,
        ERASED_PLACEHOLDER,
        orgId,
        column,
        jsonArray(patterns),
      ]);
    }
  }

  /** Notes on the request that its records are erased, with the counts, so a resumed run does not erase again. */
  async recordErased(em: EntityManager, orgId: string, requestId: string, result: Record<string, unknown>): Promise<void> {
    await em.execute('update privacy_requests set result = ?::jsonb, updated_at = now() where org_id = ? and id = ?', [
      JSON.stringify(result),
      orgId,
      requestId,
    ]);
  }

  /** Every table of the schema with an `org_id` column that the application may read. */
  async tenantTables(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<{ table_name: string }[]>(
      `select c.table_name from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'
       and has_table_privilege(format('%I.%I', c.table_schema, c.table_name), 'SELECT')
     order by c.table_name`,
    );
    return rows.map((row) => row.table_name);
  }

  /** How many of the org's rows in `table`, read as text, match a residual pattern, and how many a possible-mention one. */
  async traces(
    em: EntityManager,
    orgId: string,
    table: string,
    patterns: { residual: readonly string[]; possible: readonly string[] },
  ): Promise<{ residual: number; possible: number }> {
    const [row] = await em.execute<{ residual: string | number; possible: string | number }[]>(
      `select count(*) filter (where t::text ilike any(${TEXT_ARRAY})) as residual,
                  count(*) filter (where t::text ilike any(${TEXT_ARRAY})) as possible
           from ?? t where t.org_id = ?`,
      [jsonArray(patterns.residual), jsonArray(patterns.possible), table, orgId],
    );
    return { residual: Number(row.residual), possible: Number(row.possible) };
  }

  /** Accounts with this email among the org's members. */
  async accountsWithEmail(em: EntityManager, orgId: string, email: string): Promise<number> {
    const [accounts] = await em.execute<{ n: string | number }[]>(
      `select count(*) as n from memberships m join users u on u.id = m.user_id where m.org_id = ? and lower(u.email) = ?`,
      [orgId, email],
    );
    return Number(accounts.n);
  }

  private redactActivities(em: EntityManager, orgId: string, condition: Knex.Raw): Promise<number> {
    const knex = em.getKnex();
    return count(
      em,
      knex.raw(
        `update activities set ?, version = version + 1, updated_at = now()
       where org_id = ? and ? returning id`,
        [erasureAssignments(knex, this.columns.of('Activity')), orgId, condition],
      ),
    );
  }
}

async function count(em: EntityManager, statement: string | Knex.Raw, params: unknown[] = []): Promise<number> {
  return (await em.execute<unknown[]>(statement, params)).length;
}
