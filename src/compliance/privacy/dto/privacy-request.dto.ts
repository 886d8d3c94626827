import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErasureCertificateBodyView } from './privacy-deliverables.dto';
import { IsEmail, IsIn, IsInt, IsOptional, IsString } from 'class-validator';
import { MaxLength, MinLength, PageQuery, Trim, TrimLowerCase } from '@app/http';

export const PRIVACY_REQUEST_TYPES = ['access', 'erasure'] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];
export const PRIVACY_REQUEST_STATUSES = ['pending', 'in_progress', 'completed', 'rejected'] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

export class CreatePrivacyRequestDto {
  @ApiProperty({
    enum: PRIVACY_REQUEST_TYPES,
    example: 'access',
    description: '`access` (Art. 15: a machine-readable export) or `erasure` (Art. 17: anonymise and delete, with a signed certificate).',
  })
  @IsIn(PRIVACY_REQUEST_TYPES)
  readonly type!: PrivacyRequestType;

  @ApiProperty({ example: 'grace@navy.example', maxLength: 254, description: 'The data subject, found by email across the organization.' })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(254)
  readonly subjectEmail!: string;
}

export class ExtendPrivacyRequestDto {
  @ApiProperty({ enum: [1, 2], example: 1, description: 'Further months; at most two in total per request (GDPR Art. 12(3)).' })
  @IsInt()
  @IsIn([1, 2])
  readonly months!: 1 | 2;

  @ApiProperty({ example: 'Complex request: records held in several systems.', maxLength: 500 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  readonly reason!: string;
}

export class RejectPrivacyRequestDto {
  @ApiProperty({ example: 'Manifestly unfounded: identity could not be verified.', maxLength: 500 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  readonly reason!: string;
}

export class ListPrivacyRequestsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PRIVACY_REQUEST_STATUSES, example: 'pending' })
  @IsOptional()
  @IsIn(PRIVACY_REQUEST_STATUSES)
  readonly status?: PrivacyRequestStatus;

  @ApiPropertyOptional({ enum: PRIVACY_REQUEST_TYPES, example: 'erasure' })
  @IsOptional()
  @IsIn(PRIVACY_REQUEST_TYPES)
  readonly type?: PrivacyRequestType;
}

export class PrivacyRequesterView {
  @ApiProperty({ enum: ['user', 'api_key', 'system'], example: 'user' })
  type!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  id!: string | null;
}

export class PrivacyRequestView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES, example: 'erasure' })
  type!: PrivacyRequestType;

  @ApiProperty({ enum: PRIVACY_REQUEST_STATUSES, example: 'completed' })
  status!: PrivacyRequestStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'grace@navy.example',
    description: 'Removed once an erasure completes; the request is then known by subjectHash alone.',
  })
  subjectEmail!: string | null;

  @ApiProperty({ example: '5d41402abc4b2a76b9719d911017c592…', description: 'SHA-256 (hex) of `<organizationId>:<email>`.' })
  subjectHash!: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'One calendar month after receipt.' })
  dueAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The deadline after extensions, if any.' })
  extendedDueAt!: string | null;

  @ApiProperty({ format: 'date-time', description: 'extendedDueAt when extended, else dueAt.' })
  effectiveDueAt!: string;

  @ApiProperty({ description: 'Still open (pending or in progress) after its effective deadline.' })
  overdue!: boolean;

  @ApiProperty({ type: String, nullable: true })
  extensionReason!: string | null;

  @ApiProperty({ type: String, nullable: true })
  rejectionReason!: string | null;

  @ApiProperty({ type: PrivacyRequesterView })
  requestedBy!: PrivacyRequesterView;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { contactsAnonymised: 1, activitiesRedacted: 3, invitationsDeleted: 0, residualMatches: 0 },
    description: 'Counts of what was found (access) or erased (erasure); never the data itself.',
  })
  result!: Record<string, number>;

  @ApiProperty({ description: 'Whether the access export can be downloaded now.' })
  exportAvailable!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  exportExpiresAt!: string | null;

  @ApiProperty({ description: 'Whether the signed erasure certificate is available.' })
  certificateAvailable!: boolean;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PrivacyRequestPage {
  @ApiProperty({ type: [PrivacyRequestView] })
  data!: PrivacyRequestView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class CertificateSignatureView {
  @ApiProperty({ enum: ['ed25519'] })
  algorithm!: 'ed25519';

  @ApiProperty({ example: '3f9a1c0b7e2d4a65', description: 'GET /v1/compliance/signing-key names the key.' })
  keyId!: string;

  @ApiProperty({ description: 'Base64 Ed25519 signature over the canonical JSON (keys sorted) of `certificate`.' })
  value!: string;
}

export class ErasureCertificateView {
  @ApiProperty({
    type: ErasureCertificateBodyView,
    description: 'What was erased, how, and the verification scan; no personal values, the subject only as a hash.',
  })
  certificate!: ErasureCertificateBodyView;

  @ApiProperty({ type: CertificateSignatureView })
  signature!: CertificateSignatureView;
}
