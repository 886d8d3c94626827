import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit/audit-log';
import { PRIVACY_SYSTEM_ACTOR, PrivacyRequestRow, dateOf, iso } from './privacy-request-row';
import { ProcessingRecords } from './processing-records';
import { TEXT_ARRAY, UUID_ARRAY, containsPattern, identifyingTerms, jsonArray, subjectValuesOf } from './subject-lookup';

const EXPORTED_ENTITIES = new Set(['Contact', 'Activity', 'Invitation']);

type Timestamp = string | Date;

interface ContactRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  company_id: string | null;
  company_name: string | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface ActivityRow {
  id: string;
  contact_id: string;
  type: string;
  subject: string;
  body: string | null;
  occurred_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface InvitationRow {
  id: string;
  email: string;
  role: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

interface AuditReferenceRow {
  seq: string;
  action: string;
  occurred_at: Timestamp;
  target_type: string | null;
  target_id: string | null;
}

/**
 * GDPR Art. 15 / 20: everything the organization holds about the subject email, as one JSON
 * document: their contact records and activities, other records' notes that mention their email,
 * invitations sent to it, the audit trail of their records, and the purposes and retention of
 * each kind of data. It is stored with the request for `privacyExportTtlDays` and then deleted.
 */
@Injectable()
export class SubjectAccessExport {
  constructor(
    private readonly database: TenantDatabase,
    private readonly records: ProcessingRecords,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async produce(request: PrivacyRequestRow): Promise<void> {
    const orgId = request.org_id;
    const email = request.subject_email;
    if (!email) throw new Error(`Access request ${request.id} has no subject email`);
    await this.database.forOrganization(orgId, async (em) => {
      const document = await this.document(em, request, email);
      const result = {
        contactsFound: document.contacts.length,
        activitiesFound: document.activities.length,
        mentionsFound: document.mentions.length,
        invitationsFound: document.invitations.length,
        auditReferencesFound: document.auditReferences.length,
      };
      const completed = await em.execute<{ id: string }[]>(
        `update privacy_requests set status = 'completed', completed_at = now(), export = ?::jsonb,
           export_expires_at = now() + make_interval(days => ?), result = ?::jsonb, updated_at = now()
         where org_id = ? and id = ? and status = 'in_progress' returning id`,
        [JSON.stringify(document), this.config.compliance.privacyExportTtlDays, JSON.stringify(result), orgId, request.id],
      );
      if (completed.length === 0) return;
      await this.audit.append({
        orgId,
        action: 'privacy-request.complete',
        actor: PRIVACY_SYSTEM_ACTOR,
        target: { type: 'privacy-request', id: request.id },
        outcome: 'success',
        details: { type: 'access', ...result },
      });
    });
  }

  private async document(em: EntityManager, request: PrivacyRequestRow, email: string) {
    const orgId = request.org_id;
    const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
    const contacts = await em.execute<ContactRow[]>(
      `select c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, co.name as company_name, c.tags, c.custom_fields,
         c.created_at, c.updated_at
       from contacts c left join companies co on co.id = c.company_id and co.org_id = c.org_id
       where c.org_id = ? and lower(c.email) = ? order by c.id`,
      [orgId, email],
    );
    const contactIds = jsonArray(contacts.map((contact) => contact.id));
    const activities = await em.execute<ActivityRow[]>(
      `select id, contact_id, type, subject, body, occurred_at, created_at, updated_at from activities
       where org_id = ? and contact_id = any(${UUID_ARRAY}) order by occurred_at, id`,
      [orgId, contactIds],
    );
    // The same identifying terms an erasure redacts (email, phone, full name): what would be erased is disclosed.
    const mentioned = jsonArray(identifyingTerms(subjectValuesOf(email, contacts)).map(containsPattern));
    const mentions = await em.execute<ActivityRow[]>(
      `select id, contact_id, type, subject, body, occurred_at, created_at, updated_at from activities
       where org_id = ? and not (contact_id = any(${UUID_ARRAY})) and (subject ilike any(${TEXT_ARRAY}) or body ilike any(${TEXT_ARRAY}))
       order by occurred_at, id`,
      [orgId, contactIds, mentioned, mentioned],
    );
    const invitations = await em.execute<InvitationRow[]>(
      `select id, email, role, created_at, expires_at, accepted_at, revoked_at from invitations
       where org_id = ? and lower(email) = ? order by created_at, id`,
      [orgId, email],
    );
    const recordIds = jsonArray([...contacts.map((contact) => contact.id), ...activities.map((activity) => activity.id)]);
    const auditReferences = await em.execute<AuditReferenceRow[]>(
      `select seq, action, occurred_at, target_type, target_id from audit_events
       where org_id = ? and target_id = any(${TEXT_ARRAY}) order by seq`,
      [orgId, recordIds],
    );
    const processing = (await this.records.fields(em, orgId)).filter((field) => EXPORTED_ENTITIES.has(field.entity));
    return {
      format: 'atrium.subject-access-export/1',
      request: { id: request.id, type: request.type, receivedAt: dateOf(request.received_at).toISOString() },
      generatedAt: new Date().toISOString(),
      controller: { organizationId: orgId, name: organization?.name ?? null },
      processor: 'Atrium',
      subject: { email },
      contacts: contacts.map((contact) => ({
        id: contact.id,
        firstName: contact.first_name,
        lastName: contact.last_name,
        email: contact.email,
        phone: contact.phone,
        company: contact.company_id ? { id: contact.company_id, name: contact.company_name } : null,
        tags: contact.tags,
        customFields: contact.custom_fields,
        createdAt: iso(contact.created_at),
        updatedAt: iso(contact.updated_at),
      })),
      activities: activities.map((activity) => ({ ...activityView(activity), contactId: activity.contact_id })),
      // Other people's records: the note itself, not whose record it is.
      mentions: mentions.map(activityView),
      invitations: invitations.map((invitation) => ({
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        createdAt: iso(invitation.created_at),
        expiresAt: iso(invitation.expires_at),
        acceptedAt: iso(invitation.accepted_at),
        revokedAt: iso(invitation.revoked_at),
      })),
      auditReferences: auditReferences.map((event) => ({
        seq: Number(event.seq),
        action: event.action,
        occurredAt: iso(event.occurred_at),
        targetType: event.target_type,
        targetId: event.target_id,
      })),
      processing,
    };
  }
}

function activityView(activity: ActivityRow) {
  return {
    id: activity.id,
    type: activity.type,
    subject: activity.subject,
    body: activity.body,
    occurredAt: iso(activity.occurred_at),
    createdAt: iso(activity.created_at),
    updatedAt: iso(activity.updated_at),
  };
}
