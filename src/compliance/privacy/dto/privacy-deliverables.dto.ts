import { ApiProperty } from '@nestjs/swagger';
import { PersonalDataFieldRecordView } from './processing-record.dto';

/**
 * The shapes of what a completed privacy request delivers: the access export (GDPR Art. 15/20, as
 * `subject-access-export.service.ts` writes it) and the signed erasure certificate (as
 * `erasure-certificates.service.ts` writes it), so that a client can read them without guessing.
 */

const NULLABLE_DATE_TIME = { type: String, format: 'date-time', nullable: true } as const;

export class ExportRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['access'] }) type!: 'access';
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class ExportControllerView {
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Acme Corp' }) name!: string | null;
}

export class ExportSubjectView {
  @ApiProperty({ format: 'email', example: 'grace@navy.example' }) email!: string;
}

export class ExportCompanyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
}

export class ExportContactView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: ExportCompanyView, nullable: true }) company!: ExportCompanyView | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The contact’s custom fields as stored.' })
  customFields!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ExportMentionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['note', 'call', 'email', 'meeting'] }) type!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: String, nullable: true }) body!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ExportActivityView extends ExportMentionView {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
}

export class ExportInvitationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty({ example: 'member' }) role!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty(NULLABLE_DATE_TIME) acceptedAt!: string | null;
  @ApiProperty(NULLABLE_DATE_TIME) revokedAt!: string | null;
}

export class ExportAuditReferenceView {
  @ApiProperty({ type: 'integer', example: 42 }) seq!: number;
  @ApiProperty({ example: 'contact.update' }) action!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, nullable: true }) targetType!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
}

export class PrivacyExportView {
  @ApiProperty({ enum: ['atrium.subject-access-export/1'] }) format!: string;
  @ApiProperty({ type: ExportRequestView }) request!: ExportRequestView;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: ExportControllerView, description: 'The organization (the controller) holding the data.' })
  controller!: ExportControllerView;
  @ApiProperty({ enum: ['Atrium'] }) processor!: string;
  @ApiProperty({ type: ExportSubjectView }) subject!: ExportSubjectView;
  @ApiProperty({ type: [ExportContactView] }) contacts!: ExportContactView[];
  @ApiProperty({ type: [ExportActivityView], description: 'Activities of the subject’s contact records.' })
  activities!: ExportActivityView[];
  @ApiProperty({ type: [ExportMentionView], description: 'Notes on other records that mention the subject.' })
  mentions!: ExportMentionView[];
  @ApiProperty({ type: [ExportInvitationView] }) invitations!: ExportInvitationView[];
  @ApiProperty({ type: [ExportAuditReferenceView] }) auditReferences!: ExportAuditReferenceView[];
  @ApiProperty({ type: [PersonalDataFieldRecordView], description: 'Purpose, legal basis and retention of each exported field.' })
  processing!: PersonalDataFieldRecordView[];
}

export class CertificateSubjectView {
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) emailSha256!: string;
  @ApiProperty() hashOf!: string;
}

export class ErasureRecordsView {
  @ApiProperty({ type: 'integer' }) contactsWithheld!: number;
  @ApiProperty({ type: 'integer' }) contactsAnonymised!: number;
  @ApiProperty({ type: 'integer' }) activitiesRedacted!: number;
  @ApiProperty({ type: 'integer' }) mentionsRedacted!: number;
  @ApiProperty({ type: 'integer' }) invitationsDeleted!: number;
  @ApiProperty({ type: 'integer' }) exportsDeleted!: number;
  @ApiProperty({ type: 'integer' }) idempotencyRecordsDeleted!: number;
  @ApiProperty({ type: 'integer' }) cacheEntriesEvicted!: number;
}

const COUNTS_PER_STORE = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class PossibleMentionsView {
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty(COUNTS_PER_STORE) perStore!: Record<string, number>;
  @ApiProperty() note!: string;
}

export class ErasureVerificationView {
  @ApiProperty({ example: '2026-11-27T09:30:00.000Z' }) scannedAt!: string;
  @ApiProperty() performed!: boolean;
  @ApiProperty({ type: [String] }) searchedFor!: string[];
  @ApiProperty({ type: 'integer' }) residualMatches!: number;
  @ApiProperty(COUNTS_PER_STORE) perStore!: Record<string, number>;
  @ApiProperty({ type: [String] }) storesNotScanned!: string[];
  @ApiProperty({ type: PossibleMentionsView }) possibleMentions!: PossibleMentionsView;
}

export class NotCoveredView {
  @ApiProperty() logs!: string;
  @ApiProperty() backups!: string;
}

export class SignedWithView {
  @ApiProperty({ enum: ['ed25519'] }) algorithm!: string;
  @ApiProperty() keyId!: string;
}

export class ErasureCertificateBodyView {
  @ApiProperty({ enum: ['atrium.erasure-certificate/1'] }) type!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ type: CertificateSubjectView, description: 'The subject, only as a hash.' }) subject!: CertificateSubjectView;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
  @ApiProperty({ type: [String] }) storesCovered!: string[];
  @ApiProperty({ type: ErasureRecordsView }) records!: ErasureRecordsView;
  @ApiProperty({ type: [String], example: ['Contact.email'] }) fields!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'How each field was erased, by `Entity.property`.',
    example: { 'Contact.email': 'null' },
  })
  method!: Record<string, string>;
  @ApiProperty({ type: ErasureVerificationView }) verification!: ErasureVerificationView;
  @ApiProperty({ type: NotCoveredView }) notCovered!: NotCoveredView;
  @ApiProperty({ type: SignedWithView }) signedWith!: SignedWithView;
}
