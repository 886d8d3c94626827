import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { DateTimeInput, MaxLength, PageQuery, WithinStorableDates } from '@app/http';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'contact.update', description: 'Exact action name.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9.-]{1,100}$/, { message: 'action is lower-case words joined by dots, e.g. contact.update' })
  readonly action?: string;

  @ApiPropertyOptional({ description: 'The user or API key id that acted.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  readonly actorId?: string;

  @ApiPropertyOptional({ description: 'The id of the resource acted on.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  readonly targetId?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Events at or after this time.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly from?: Date;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Events before this time.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly to?: Date;
}

/** The filters of the list without its paging: an export streams every matching event, so `limit` and `cursor` are refused (400). */
export class AuditExportQuery extends OmitType(AuditQuery, ['limit', 'cursor'] as const) {
  @ApiProperty({ enum: ['csv', 'jsonl'], example: 'jsonl' })
  @IsIn(['csv', 'jsonl'])
  readonly format!: 'csv' | 'jsonl';
}

export class AuditActorView {
  @ApiProperty({ enum: ['user', 'api_key', 'system', 'anonymous'] })
  type!: 'user' | 'api_key' | 'system' | 'anonymous';

  @ApiProperty({ type: String, nullable: true })
  id!: string | null;
}

export class AuditTargetView {
  @ApiProperty({ example: 'contact' })
  type!: string;

  @ApiProperty({ example: '0193a3c2-7b1e-7cc0-8f00-123456789abc' })
  id!: string;
}

export class AuditEventView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 42, description: 'Position in the organization’s chain, from 1, without gaps.' })
  seq!: number;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ type: AuditActorView })
  actor!: AuditActorView;

  @ApiProperty({ example: 'contact.update' })
  action!: string;

  @ApiProperty({ type: AuditTargetView, nullable: true })
  target!: AuditTargetView | null;

  @ApiProperty({ enum: ['success', 'failure', 'denied'] })
  outcome!: 'success' | 'failure' | 'denied';

  @ApiProperty({ type: String, nullable: true })
  requestId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ type: [String], example: ['email', 'phone'], description: 'Names of the fields set; never their values.' })
  changedFields!: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, example: { events: ['member.removed'] } })
  details!: Record<string, unknown>;

  @ApiProperty({ example: '9f2c…', description: 'Hash of the previous event (64 zeros for the first).' })
  prevHash!: string;

  @ApiProperty({ example: '3b7a…', description: 'SHA-256(prevHash ‖ canonical event), hex.' })
  hash!: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] })
  data!: AuditEventView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class CheckpointStatus {
  @ApiProperty({ example: 1200 })
  seq!: number;

  @ApiProperty({ format: 'date-time' })
  signedAt!: string;

  @ApiProperty({ description: 'Whether the Ed25519 signature verifies with the signing key.' })
  signatureValid!: boolean;
}

export class ChainVerification {
  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ example: 34, description: 'Events whose hash this verification recomputed and found in order.' })
  checked!: number;

  @ApiProperty({
    example: 1200,
    description:
      'Events up to this seq were not recomputed here: the signed checkpoint at it was made only after they verified, and every checkpoint up to it still verifies and still names its event. 0 when the chain was recomputed from its start. A full verification (POST /v1/audit-events/verifications) recomputes every event.',
  })
  checkpointedThrough!: number;

  @ApiPropertyOptional({ example: 17, description: 'The first seq that is missing, altered or out of order.' })
  firstBrokenSeq?: number;

  @ApiProperty({ example: 1234 })
  lastSeq!: number;

  @ApiProperty({ type: String, nullable: true })
  lastHash!: string | null;

  @ApiProperty({ type: CheckpointStatus, nullable: true, description: 'The newest signed checkpoint, checked against the chain.' })
  checkpoint!: CheckpointStatus | null;
}
