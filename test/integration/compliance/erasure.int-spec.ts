import { canonicalJson } from '@app/http';
import { AuditEventsService } from '../../../src/compliance/audit';
import { PersonalDataColumns } from '../../../src/compliance/personal-data';
import { PrivacyModule } from '../../../src/compliance/privacy';
import { PrivacyRequestRow, subjectHashOf } from '../../../src/compliance/privacy/privacy-request-row';
import { SubjectErasure } from '../../../src/compliance/privacy/subject-erasure.service';
import { LegalHoldsService } from '../../../src/compliance/retention/legal-holds.service';
import { RetentionModule } from '../../../src/compliance/retention';
import { Signer } from '../../../src/platform/signing';
import { InvitationsService } from '../../../src/tenancy/invitations/invitations.service';
import { uniqueEmail } from '../../support/factories';
import { useIntegrationModule } from '../support/integration-module';
import { CRM_MODULES, SeededOrganization, claimedPrivacyRequest, createActivity, createContact, createOrganization } from '../support/seed';

/**
 * A data subject's erasure (src/compliance/privacy/subject-erasure.service.ts) without HTTP or the
 * work queue: every row of the org's contacts and activities is compared column by column before
 * and after, so the erasure is shown to change the columns declared `@PersonalData` (and the
 * bookkeeping that goes with any update) on the subject's rows, and nothing else anywhere; then
 * the signed certificate and the audit event it leaves.
 */
const suite = useIntegrationModule({ imports: [...CRM_MODULES, RetentionModule, PrivacyModule] });

type Row = Record<string, unknown>;

/** What any UPDATE of a contact or activity changes besides the data: its version and timestamp; search_text is generated from the names and email. */
const BOOKKEEPING = { contacts: ['version', 'updated_at', 'search_text'], activities: ['version', 'updated_at'] };

/** Every row of the org in `table`, by id, as the owner reads it (past RLS). */
async function rowsOf(table: 'contacts' | 'activities', orgId: string): Promise<Map<string, Row>> {
  const { rows } = await suite.db.query(`select to_jsonb(t) as row from ${table} t where org_id = $1`, [orgId]);
  return new Map(rows.map(({ row }: { row: Row }) => [row.id as string, row]));
}

/** The columns whose values differ, per row that changed. */
function changedColumns(before: Map<string, Row>, after: Map<string, Row>): Record<string, string[]> {
  const changed: Record<string, string[]> = {};
  for (const [id, row] of before) {
    const now = after.get(id);
    if (!now) {
      changed[id] = ['(deleted)'];
      continue;
    }
    const columns = Object.keys(row).filter((column) => JSON.stringify(row[column]) !== JSON.stringify(now[column]));
    if (columns.length > 0) changed[id] = columns.sort();
  }
  for (const id of after.keys()) if (!before.has(id)) changed[id] = ['(inserted)'];
  return changed;
}

interface Seeded {
  readonly email: string;
  readonly subject: string;
  readonly subjectActivity: string;
  readonly other: string;
  readonly mention: string;
  readonly unrelated: string;
  readonly held: string;
}

/** The subject's contact with an activity; another person with one activity naming the subject and one not; the subject's second contact, under a hold. */
async function seed(org: SeededOrganization): Promise<Seeded> {
  const email = uniqueEmail('augusta');
  const subject = await createContact(suite, org.orgId, {
    firstName: 'Augusta',
    lastName: 'Byron-King',
    email,
    phone: '+14155550199',
    tags: ['vip'],
    customFields: { tier: 'gold' },
  });
  const subjectActivity = await createActivity(suite, org, subject.id, { subject: 'Call with Augusta', body: 'Discussed the engine' });
  const other = await createContact(suite, org.orgId, { firstName: 'Charles', lastName: 'Babbage', email: uniqueEmail('charles') });
  const mention = await createActivity(suite, org, other.id, { subject: 'Introduction', body: `Introduced ${email} at the expo` });
  const unrelated = await createActivity(suite, org, other.id, { subject: 'Quarterly review', body: 'Renewal agreed' });
  const held = await createContact(suite, org.orgId, { firstName: 'Augusta', lastName: 'Byron-King', email, phone: '+14155550100' });
  await suite.asTenant(org.orgId, () =>
    suite.get(LegalHoldsService).create({ scope: 'contact', contactId: held.id, reason: 'Litigation' }),
  );
  return { email, subject: subject.id, subjectActivity, other: other.id, mention, unrelated, held: held.id };
}

/** An erasure request for `email`, stored and claimed through PrivacyRequestsRepository as the processor claims one. */
async function claimedErasure(org: SeededOrganization, email: string): Promise<PrivacyRequestRow> {
  return claimedPrivacyRequest(suite, org, { type: 'erasure', subjectEmail: email, subjectHash: subjectHashOf(org.orgId, email) });
}

describe('subject erasure (integration)', () => {
  let org: SeededOrganization;
  let seeded: Seeded;
  let request: PrivacyRequestRow;
  const before: Record<'contacts' | 'activities', Map<string, Row>> = { contacts: new Map(), activities: new Map() };
  const after: Record<'contacts' | 'activities', Map<string, Row>> = { contacts: new Map(), activities: new Map() };
  let invitationsBefore: string[];

  const invitationEmails = async () =>
    (await suite.db.query('select email from invitations where org_id = $1 order by email', [org.orgId])).rows.map(
      (row: { email: string }) => row.email,
    );

  beforeAll(async () => {
    org = await createOrganization(suite);
    seeded = await seed(org);
    for (const email of [seeded.email, uniqueEmail('colleague')]) {
      await suite.asTenant(org.orgId, () => suite.get(InvitationsService).create(email, 'viewer'), {
        type: 'user',
        id: org.ownerId,
        userId: org.ownerId,
      });
    }
    invitationsBefore = await invitationEmails();
    before.contacts = await rowsOf('contacts', org.orgId);
    before.activities = await rowsOf('activities', org.orgId);
    request = await claimedErasure(org, seeded.email);
    await suite.get(SubjectErasure).erase(request);
    after.contacts = await rowsOf('contacts', org.orgId);
    after.activities = await rowsOf('activities', org.orgId);
  });

  const declared = (entity: 'Contact' | 'Activity') =>
    suite
      .get(PersonalDataColumns)
      .of(entity)
      .map((column) => column.column);

  it("changes the subject's contact in its declared personal-data columns only; the held contact and everyone else not at all", () => {
    const expected = [...declared('Contact'), ...BOOKKEEPING.contacts].sort();
    expect(expected).toEqual(expect.arrayContaining(['first_name', 'last_name', 'email', 'phone', 'custom_fields']));
    expect(changedColumns(before.contacts, after.contacts)).toEqual({ [seeded.subject]: expected });
    expect(after.contacts.get(seeded.subject)).toMatchObject({
      first_name: '[erased]',
      last_name: '[erased]',
      email: null,
      phone: null,
      custom_fields: {},
      tags: ['vip'],
      version: (before.contacts.get(seeded.subject)?.version as number) + 1,
    });
  });

  it("redacts the declared free-text columns of the subject's activities and of a note naming them; no other activity changes", () => {
    const expected = [...declared('Activity'), ...BOOKKEEPING.activities].sort();
    expect(changedColumns(before.activities, after.activities)).toEqual({ [seeded.subjectActivity]: expected, [seeded.mention]: expected });
    for (const id of [seeded.subjectActivity, seeded.mention])
      expect(after.activities.get(id)).toMatchObject({ subject: '[erased]', body: null });
  });

  it('deletes the invitation to the subject’s email and no other', async () => {
    expect(await invitationEmails()).toEqual(invitationsBefore.filter((email) => email !== seeded.email));
  });

  it('completes the request, forgets the email, and stores a signed certificate that names no personal value', async () => {
    const { rows } = await suite.db.query(
      'select status, subject_email, subject_hash, result, certificate, certificate_signature from privacy_requests where id = $1',
      [request.id],
    );
    const [stored] = rows;
    expect(stored).toMatchObject({ status: 'completed', subject_email: null, subject_hash: subjectHashOf(org.orgId, seeded.email) });
    const records = { contactsWithheld: 1, contactsAnonymised: 1, activitiesRedacted: 1, mentionsRedacted: 1, invitationsDeleted: 1 };
    expect(stored.result).toMatchObject({ ...records, residualMatches: expect.any(Number) });
    expect(stored.certificate).toMatchObject({
      requestId: request.id,
      orgId: org.orgId,
      subject: { emailSha256: stored.subject_hash },
      records,
      method: { 'Contact.firstName': 'anonymise', 'Contact.email': 'null', 'Activity.body': 'null', 'Invitation.email': 'delete (row)' },
    });
    expect(JSON.stringify(stored.certificate)).not.toMatch(/Augusta|Byron|4155550199|augusta-/i);

    const signer = suite.get(Signer);
    const signature = { keyId: stored.certificate.signedWith.keyId as string, value: stored.certificate_signature as string };
    expect(await signer.verify(canonicalJson(stored.certificate), signature)).toBe(true);
    expect(await signer.verify(canonicalJson({ ...stored.certificate, records: { ...records, contactsAnonymised: 0 } }), signature)).toBe(
      false,
    );
  });

  it('appends privacy-request.complete to the audit chain, which still verifies', async () => {
    const { rows } = await suite.db.query(
      "select actor_type, target_type, target_id, outcome, details from audit_events where org_id = $1 and action = 'privacy-request.complete'",
      [org.orgId],
    );
    expect(rows).toEqual([
      {
        actor_type: 'system',
        target_type: 'privacy-request',
        target_id: request.id,
        outcome: 'success',
        details: expect.objectContaining({ type: 'erasure', contactsAnonymised: 1, contactsWithheld: 1 }),
      },
    ]);
    expect(await suite.asTenant(org.orgId, () => suite.get(AuditEventsService).verify())).toMatchObject({ valid: true });
  });
});
