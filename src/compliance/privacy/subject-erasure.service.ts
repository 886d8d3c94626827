import { Injectable, Logger } from '@nestjs/common';
import { CacheVersions, OrganizationCacheEntries } from '../../caching';
import { TenantDatabase } from '../../tenancy';
import { ErasureCertificates, ErasureRecords } from './erasure-certificates.service';
import { ErasureVerification } from './erasure-verification.service';
import { PrivacyRequestRow } from './privacy-request-row';
import { SubjectErasureRepository } from './subject-erasure.repository';
import { SubjectValues, containsPattern, identifyingTerms, subjectValuesOf } from './subject-lookup';

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
    private readonly versions: CacheVersions,
    private readonly cacheEntries: OrganizationCacheEntries,
    private readonly verification: ErasureVerification,
    private readonly certificates: ErasureCertificates,
    private readonly repository: SubjectErasureRepository,
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
      const found = await this.repository.lockContacts(em, orgId, email);
      const orgHeld = await this.repository.organizationHeld(em, orgId);
      const contactsWithheld = found.filter((contact) => contact.held).length;
      if (orgHeld) return { values: subjectValuesOf(email, found), counts: { ...NOTHING_ERASED, contactsWithheld } };
      const contacts = found.filter((contact) => !contact.held);
      const values = subjectValuesOf(email, contacts);
      const contactIds = contacts.map((contact) => contact.id);
      const mentionPatterns = identifyingTerms(values).map(containsPattern);

      const activitiesRedacted = await this.repository.redactActivitiesOf(em, orgId, contactIds);
      const heldIds = found.filter((contact) => contact.held).map((contact) => contact.id);
      const mentionsRedacted = await this.repository.redactMentions(em, orgId, mentionPatterns, heldIds);
      const contactsAnonymised = await this.repository.anonymiseContacts(em, orgId, contactIds);
      const invitationsDeleted = await this.repository.deleteInvitations(em, orgId, email);
      // Earlier exports of this subject, and any other export that quotes them (a note mentioning them).
      const exportsDeleted = await this.repository.deleteExports(em, orgId, request.subject_hash, mentionPatterns);
      // A closure export being offered holds everyone: it is dropped, and the closure job builds
      // it again (without the subject) before the org may be deleted.
      const closureExportsDropped = await this.repository.dropClosureExports(em, orgId);
      // Stored first responses of creating requests: a created contact or activity of the subject, or this very request.
      const idempotencyRecordsDeleted = await this.repository.deleteIdempotencyRecords(em, orgId, [
        ...mentionPatterns,
        ...contacts.map((contact) => containsPattern(contact.id)),
      ]);
      // The request is known by its hash from now on, and so are the subject's closed earlier requests.
      await this.repository.forgetSubjectEmail(em, orgId, request.subject_hash, request.id);
      // Reasons a privacy officer wrote on any request (a rejection, an extension) may name the subject too.
      await this.repository.redactReasons(em, orgId, mentionPatterns);
      const counts: DatabaseCounts = {
        contactsWithheld,
        contactsAnonymised,
        activitiesRedacted,
        mentionsRedacted,
        invitationsDeleted,
        exportsDeleted: exportsDeleted + closureExportsDropped,
        idempotencyRecordsDeleted,
      };
      await this.repository.recordErased(em, orgId, request.id, { phase: 'records-erased', ...counts });
      return { values, counts };
    });
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
