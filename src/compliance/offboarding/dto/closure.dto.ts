import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { MaxLength, MinLength } from '@app/http';

export class RequestClosureDto {
  @ApiProperty({
    example: 'Acme Corp',
    description: 'The organization’s current name, typed again: closing deletes everything in it after the grace period.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly confirmOrganizationName!: string;
}

export class ClosureView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: ['pending', 'export_ready'],
    description: 'pending: the export is being built; export_ready: it can be downloaded.',
  })
  status!: 'pending' | 'export_ready';

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'After this, the daily closure job deletes every record of the organization.' })
  graceUntil!: string;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of the gzipped export, once built.' })
  exportSha256!: string | null;

  @ApiProperty({
    format: 'uuid',
    description: 'Where the signed deletion certificate will be published: GET /v1/deletion-certificates/{certificateId}.',
  })
  certificateId!: string;
}

export class DeletedOrganizationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of its name: the name itself is deleted.' }) nameSha256!: string;
}

const COUNTS_BY_TABLE = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class DeletionVerificationView {
  @ApiProperty({ ...COUNTS_BY_TABLE, description: 'Rows of the organization still present, by table; empty when clean.' })
  remainingRows!: Record<string, number>;
  @ApiProperty() clean!: boolean;
}

/** As `organization-purge.job.ts` writes it; the canonical JSON of this object is what is signed. */
export class DeletionCertificateBodyView {
  @ApiProperty({ enum: ['atrium-deletion-certificate/v1'] }) format!: string;
  @ApiProperty({ format: 'uuid' }) certificateId!: string;
  @ApiProperty({ type: DeletedOrganizationView }) organization!: DeletedOrganizationView;
  @ApiProperty({ description: 'The user id that requested the closure.' }) requestedBy!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) graceUntil!: string;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of the export handed over before deletion.' })
  exportSha256!: string | null;
  @ApiProperty({ format: 'date-time' }) deletedAt!: string;
  @ApiProperty() method!: string;
  @ApiProperty({ ...COUNTS_BY_TABLE, description: 'Rows deleted, by table.' }) recordsDeleted!: Record<string, number>;
  @ApiProperty({ type: [String] }) storesCovered!: string[];
  @ApiProperty({ type: DeletionVerificationView }) verification!: DeletionVerificationView;
  @ApiProperty() backups!: string;
}

export class DeletionSignatureView {
  @ApiProperty({ enum: ['ed25519'] }) algorithm!: 'ed25519';
  @ApiProperty({ example: '3f9a1c0b7e2d4a65', description: 'GET /v1/compliance/signing-key names the key.' }) keyId!: string;
  @ApiProperty({ description: 'Base64 Ed25519 signature over the canonical JSON (keys sorted) of `certificate`.' }) value!: string;
}

export class DeletionCertificateView {
  @ApiProperty({ type: DeletionCertificateBodyView, description: 'What was deleted, when, and how (canonical JSON is what is signed).' })
  certificate!: DeletionCertificateBodyView;

  @ApiProperty({ type: DeletionSignatureView })
  signature!: DeletionSignatureView;
}
