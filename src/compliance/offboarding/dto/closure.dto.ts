import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

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

export class DeletionCertificateView {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What was deleted, when, and how (canonical JSON is what is signed).',
  })
  certificate!: Record<string, unknown>;

  @ApiProperty({ example: { algorithm: 'ed25519', keyId: '3f9a1c0b7e2d4a65', value: 'base64…' } })
  signature!: { algorithm: 'ed25519'; keyId: string; value: string };
}
