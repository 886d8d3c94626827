import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit';
import { PRIVACY_SYSTEM_ACTOR, PrivacyRequestRow, dateOf, iso } from './privacy-request-row';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { ProcessingRecords } from './processing-records.service';
import { SubjectAccessRepository, SubjectActivityRow } from './subject-access.repository';
import { containsPattern, identifyingTerms, subjectValuesOf } from './subject-lookup';

const EXPORTED_ENTITIES = new Set(['Contact', 'Activity', 'Invitation']);

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
    private readonly subjects: SubjectAccessRepository,
    private readonly requests: PrivacyRequestsRepository,
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
      const completed = await this.requests.completeAccess(em, orgId, request.id, {
        document,
        ttlDays: this.config.compliance.privacyExportTtlDays,
        result,
      });
      if (!completed) return;
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
    const organizationName = await this.subjects.organizationName(em, orgId);
    const contacts = await this.subjects.contacts(em, orgId, email);
    const contactIds = contacts.map((contact) => contact.id);
    const activities = await this.subjects.activities(em, orgId, contactIds);
    // The same identifying terms an erasure redacts (email, phone, full name): what would be erased is disclosed.
    const mentioned = identifyingTerms(subjectValuesOf(email, contacts)).map(containsPattern);
    const mentions = await this.subjects.mentions(em, orgId, contactIds, mentioned);
    const invitations = await this.subjects.invitations(em, orgId, email);
    const recordIds = [...contacts.map((contact) => contact.id), ...activities.map((activity) => activity.id)];
    const auditReferences = await this.subjects.auditReferences(em, orgId, recordIds);
    const processing = (await this.records.fields(em, orgId)).filter((field) => EXPORTED_ENTITIES.has(field.entity));
    return {
      format: 'atrium.subject-access-export/1',
      request: { id: request.id, type: request.type, receivedAt: dateOf(request.received_at).toISOString() },
      generatedAt: new Date().toISOString(),
      controller: { organizationId: orgId, name: organizationName ?? null },
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

function activityView(activity: SubjectActivityRow) {
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
