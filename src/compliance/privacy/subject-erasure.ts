import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { CacheVersions, OrganizationCacheEntries } from '../../caching';
import { TenantDatabase } from '../../tenancy';
import { ErasureCertificates, ErasureRecords } from './erasure-certificate';
import { ErasureVerification } from './erasure-verification';
import {
  ERASED_PLACEHOLDER,
  PersonalDataColumns,
  erasureAssignments,
  freeTextColumns,
  quotedIdentifier,
} from '../personal-data/personal-data-columns';
import { PrivacyRequestRow } from './privacy-request-row';
import { SubjectValues, TEXT_ARRAY, UUID_ARRAY, containsPattern, identifyingTerms, jsonArray, subjectValuesOf } from './subject-lookup';

type DatabaseCounts = Omit<ErasureRecords, 'cacheEntriesEvicted'>;

/**
 * GDPR Art. 17 for one subject email in one organization. The database part commits as one
 * transaction: contacts with the email become tombstones (every declared personal field erased,
 * the row kept so relations and counts hold), their activities and any note mentioning them are
 * redacted, invitations to the email and copies (exports, stored idempotent responses) deleted,
 * and the request forgets the email. Then every cached entry of the org is deleted, every store
 * searched for what was erased, and a signed certificate records it all.
 *
 * If the instance dies after the commit, a later run resumes from there: it no longer knows the
 * erased values (that is the point), so its certificate says the search could not be repeated.
 */
@Injectable()
export class SubjectErasure {
  private readonly logger = new Logger(SubjectErasure.name);

  constructor(
    private readonly database: TenantDatabase,
    private readonly columns: PersonalDataColumns,
    private readonly versions: CacheVersions,
    private readonly cacheEntries: OrganizationCacheEntries,
    private readonly verification: ErasureVerification,
    private readonly certificates: ErasureCertificates,
  ) {}

  async erase(request: PrivacyRequestRow): Promise<void> {
    const orgId = request.org_id;
    let values: SubjectValues | null = null;
    let counts: DatabaseCounts;
    if (request.result?.phase === 'records-erased') {
      counts = countsIn(request.result);
    } else {
      if (!request.subject_email) throw new Error(`Erasure request ${request.id} has no subject email`);
      ({ values, counts } = await this.eraseRecords(request, request.subject_email));
    }
    // New reads miss at once on every instance; then the entries already stored are deleted.
    await this.versions.bump(orgId, ['companies', 'contacts', 'activities']);
    const cacheEntriesEvicted = await this.cacheEntries.purge(orgId).catch((error: unknown) => {
      this.logger.warn({ err: error, privacyRequestId: request.id }, 'cache entries could not be purged');
      return null;
    });
    const verification = await this.verification.verify(orgId, values);
    await this.certificates.complete(request, { ...counts, cacheEntriesEvicted: cacheEntriesEvicted ?? 0 }, verification);
  }

  private eraseRecords(request: PrivacyRequestRow, email: string): Promise<{ values: SubjectValues; counts: DatabaseCounts }> {
    const orgId = request.org_id;
    return this.database.forOrganization(orgId, async (em) => {
      // Art. 17(3)(e): data kept for legal claims is not erased. A contact under an active hold
      // (on itself or the whole organization) is withheld, and the certificate says so.
      const found = await em.execute<{ id: string; first_name: string; last_name: string; phone: string | null; held: boolean }[]>(
        `select c.id, c.first_name, c.last_name, c.phone,
           exists (select 1 from legal_holds h where h.org_id = c.org_id and h.released_at is null
                   and (h.scope = 'organization' or (h.scope = 'contact' and h.contact_id = c.id))) as held
         from contacts c where c.org_id = ? and lower(c.email) = ? order by c.id for update of c`,
        [orgId, email],
      );
      const [{ orgHeld }] = await em.execute<{ orgHeld: boolean }[]>(
        `select exists (select 1 from legal_holds where org_id = ? and released_at is null and scope = 'organization') as "orgHeld"`,
        [orgId],
      );
      const contactsWithheld = found.filter((contact) => contact.held).length;
      if (orgHeld) return { values: subjectValuesOf(email, found), counts: { ...NOTHING_ERASED, contactsWithheld } };
      const contacts = found.filter((contact) => !contact.held);
      const values = subjectValuesOf(email, contacts);
      const contactIds = jsonArray(contacts.map((contact) => contact.id));
      const mentionPatterns = identifyingTerms(values).map(containsPattern);

      const activitiesRedacted = await this.redactActivities(em, orgId, `contact_id = any(${UUID_ARRAY})`, [contactIds]);
      const heldIds = jsonArray(found.filter((contact) => contact.held).map((contact) => contact.id));
      const mentionsRedacted = await this.redactMentions(em, orgId, mentionPatterns, heldIds);
      const contactsAnonymised = await count(
        em,
        `update contacts set ${erasureAssignments(this.columns.of('Contact'))}, version = version + 1, updated_at = now()
         where org_id = ? and id = any(${UUID_ARRAY}) returning id`,
        [orgId, contactIds],
      );
      const invitationsDeleted = await count(em, 'delete from invitations where org_id = ? and lower(email) = ? returning id', [
        orgId,
        email,
      ]);
      // Earlier exports of this subject, and any other export that quotes them (a note mentioning them).
      const exportsDeleted = await count(
        em,
        `update privacy_requests set export = null, updated_at = now()
         where org_id = ? and export is not null and (subject_hash = ? or export::text ilike any(${TEXT_ARRAY})) returning id`,
        [orgId, request.subject_hash, jsonArray(mentionPatterns)],
      );
      // A closure export being offered holds everyone: it is dropped, and the closure job builds
      // it again (without the subject) before the org may be deleted.
      const closureExportsDropped = await count(
        em,
        `update organization_closures set export = null, export_sha256 = null, export_ready_at = null, status = 'pending'
         where org_id = ? and status = 'export_ready' returning id`,
        [orgId],
      );
      // Stored first responses of creating requests: a created contact or activity of the subject, or this very request.
      const idempotencyRecordsDeleted = await count(
        em,
        `delete from idempotency_records where org_id = ? and response_body::text ilike any(${TEXT_ARRAY}) returning id`,
        [orgId, jsonArray([...mentionPatterns, ...contacts.map((contact) => containsPattern(contact.id))])],
      );
      // The request is known by its hash from now on, and so are the subject's closed earlier requests.
      await em.execute(
        `update privacy_requests set subject_email = null, updated_at = now()
         where org_id = ? and subject_hash = ? and (id = ? or status in ('completed', 'rejected'))`,
        [orgId, request.subject_hash, request.id],
      );
      // Reasons a privacy officer wrote on any request (a rejection, an extension) may name the subject too.
      for (const column of ['extension_reason', 'rejection_reason']) {
        await em.execute(`update privacy_requests set ${column} = ? where org_id = ? and ${column} ilike any(${TEXT_ARRAY})`, [
          ERASED_PLACEHOLDER,
          orgId,
          jsonArray(mentionPatterns),
        ]);
      }
      const counts: DatabaseCounts = {
        contactsWithheld,
        contactsAnonymised,
        activitiesRedacted,
        mentionsRedacted,
        invitationsDeleted,
        exportsDeleted: exportsDeleted + closureExportsDropped,
        idempotencyRecordsDeleted,
      };
      await em.execute('update privacy_requests set result = ?::jsonb, updated_at = now() where org_id = ? and id = ?', [
        JSON.stringify({ phase: 'records-erased', ...counts }),
        orgId,
        request.id,
      ]);
      return { values, counts };
    });
  }

  private redactActivities(em: EntityManager, orgId: string, condition: string, params: unknown[]): Promise<number> {
    return count(
      em,
      `update activities set ${erasureAssignments(this.columns.of('Activity'))}, version = version + 1, updated_at = now()
       where org_id = ? and ${condition} returning id`,
      [orgId, ...params],
    );
  }

  /** Notes on anyone's record that name the subject (email, phone or full name) lose their free text. */
  private redactMentions(em: EntityManager, orgId: string, patterns: readonly string[], heldContactIds: string): Promise<number> {
    const freeText = freeTextColumns(this.columns.of('Activity'));
    if (freeText.length === 0 || patterns.length === 0) return Promise.resolve(0);
    const mentions = `(${freeText.map((column) => `${quotedIdentifier(column.column)} ilike any(${TEXT_ARRAY})`).join(' or ')})`;
    return this.redactActivities(em, orgId, `${mentions} and contact_id <> all(${UUID_ARRAY})`, [
      ...freeText.map(() => jsonArray(patterns)),
      heldContactIds,
    ]);
  }
}

const NOTHING_ERASED: Omit<DatabaseCounts, 'contactsWithheld'> = {
  contactsAnonymised: 0,
  activitiesRedacted: 0,
  mentionsRedacted: 0,
  invitationsDeleted: 0,
  exportsDeleted: 0,
  idempotencyRecordsDeleted: 0,
};

async function count(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  return (await em.execute<unknown[]>(sql, params)).length;
}

function countsIn(result: Record<string, unknown>): DatabaseCounts {
  const value = (key: keyof DatabaseCounts) => (typeof result[key] === 'number' ? (result[key] as number) : 0);
  return {
    contactsWithheld: value('contactsWithheld'),
    contactsAnonymised: value('contactsAnonymised'),
    activitiesRedacted: value('activitiesRedacted'),
    mentionsRedacted: value('mentionsRedacted'),
    invitationsDeleted: value('invitationsDeleted'),
    exportsDeleted: value('exportsDeleted'),
    idempotencyRecordsDeleted: value('idempotencyRecordsDeleted'),
  };
}
