import { ApiProperty } from '@nestjs/swagger';

export const AUDIT_VERIFICATION_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type AuditVerificationStatus = (typeof AUDIT_VERIFICATION_STATUSES)[number];

export class AuditVerificationRequester {
  @ApiProperty({ enum: ['user', 'api_key', 'system'], example: 'user' })
  type!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  id!: string | null;
}

export class AuditVerificationProgress {
  @ApiProperty({ example: 250000, description: 'Events recomputed so far.' })
  checked!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1000000,
    description: 'Events the run covers: from the chain’s start (or where retention pruned it) to its head when the run started.',
  })
  total!: number | null;
}

export class AuditVerificationOutcome {
  @ApiProperty({ description: 'Every event from the chain’s start to throughSeq recomputed and in order.' })
  valid!: boolean;

  @ApiProperty({ type: Number, nullable: true, example: null, description: 'The first seq missing, altered or out of order.' })
  firstBrokenSeq!: number | null;

  @ApiProperty({ example: 0, description: 'The run recomputed the events after this seq (0: from the first event; else where retention pruned).' })
  fromSeq!: number;

  @ApiProperty({ example: '0'.repeat(64), description: 'The hash the run started from: the genesis hash, or the pruned point’s.' })
  fromHash!: string;

  @ApiProperty({ example: 1000000, description: 'The chain head when the run started; later events are not covered.' })
  throughSeq!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'The recomputed hash of the event at throughSeq, which the signature pins; null when the chain broke before it.',
  })
  throughHash!: string | null;
}

export class AuditVerificationSignature {
  @ApiProperty({ enum: ['ed25519'] })
  algorithm!: 'ed25519';

  @ApiProperty({ example: '3f9a1c0b7e2d4a65', description: 'A key of GET /.well-known/atrium-signing-keys.json, by id.' })
  keyId!: string;

  @ApiProperty({ example: 'k1Jx…==', description: 'Base64 of the Ed25519 signature over the UTF-8 bytes of signedPayload.' })
  value!: string;

  @ApiProperty({
    example:
      '{"checked":1000000,"finishedAt":"2026-12-05T03:00:00.000Z","firstBrokenSeq":null,"fromHash":"000…","fromSeq":0,"id":"0193…","organizationId":"0192…","throughHash":"9f86…","throughSeq":1000000,"type":"atrium-audit-verification","valid":true}',
    description: 'The exact text signed: canonical JSON (sorted keys, no whitespace) of the outcome, its run and organization.',
  })
  signedPayload!: string;
}

export class AuditVerificationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: AUDIT_VERIFICATION_STATUSES, example: 'succeeded' })
  status!: AuditVerificationStatus;

  @ApiProperty({ type: AuditVerificationRequester })
  requestedBy!: AuditVerificationRequester;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: AuditVerificationProgress })
  progress!: AuditVerificationProgress;

  @ApiProperty({ type: AuditVerificationOutcome, nullable: true, description: 'Once the run succeeded (it ran to the end, whatever it found).' })
  outcome!: AuditVerificationOutcome | null;

  @ApiProperty({ type: AuditVerificationSignature, nullable: true, description: 'The signed outcome, once the run succeeded.' })
  signature!: AuditVerificationSignature | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the run failed, when it did.' })
  error!: string | null;
}

export class AuditVerificationPage {
  @ApiProperty({ type: [AuditVerificationView] })
  data!: AuditVerificationView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
