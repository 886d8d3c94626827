import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { DateTimeInput, PageQuery, WithinStorableDates } from '@app/http';

/** A flat row: string, number, boolean or null values only, so a report can print it as CSV. */
const FLAT_ROW = {
  type: 'object' as const,
  additionalProperties: { anyOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }] },
  description: 'Flat: every value is a string, number, boolean or null.',
};

export class ListEvidenceQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'api-keys', description: 'Only evidence of this check.', maxLength: 64 })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'checkId is lower-case words joined by hyphens, e.g. api-keys' })
  readonly checkId?: string;

  @ApiPropertyOptional({ example: 'CC6.1', description: 'Only evidence mapped to this trust services criterion.', maxLength: 8 })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{1,3}\d{1,2}\.\d{1,2}$/, { message: 'criterion is a trust services criterion such as CC6.1 or P5.1' })
  readonly criterion?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Collected at or after this time.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly from?: Date;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Collected before this time.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly to?: Date;
}

export class CollectEvidenceDto {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-26T00:00:00Z',
    description: 'Start of the period (inclusive); defaults to 24 hours before `to`.',
  })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly from?: Date;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-27T00:00:00Z',
    description: 'End of the period (exclusive), not in the future; defaults to now. At most one year after `from`.',
  })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly to?: Date;
}

export class EvidenceSummaryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'api-keys' })
  checkId!: string;

  @ApiProperty({ example: 1, description: 'Bumped whenever what the check collects or how it judges changes.' })
  checkVersion!: number;

  @ApiProperty({ type: [String], example: ['CC6.6'], description: 'SOC 2 trust services criteria the evidence supports.' })
  criteria!: string[];

  @ApiProperty({ format: 'date-time' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time', description: 'Exclusive.' })
  periodEnd!: string;

  @ApiProperty({ format: 'date-time' })
  collectedAt!: string;

  @ApiProperty({ example: 'postgresql:api_keys', description: 'Where the data came from.' })
  source!: string;

  @ApiProperty({ example: 4, description: 'Rows in the population.' })
  populationCount!: number;

  @ApiProperty({ example: 1, description: 'Rows of the population found to be exceptions.' })
  exceptionCount!: number;

  @ApiProperty({ enum: ['pass', 'fail', 'exceptions'] })
  result!: 'pass' | 'fail' | 'exceptions';

  @ApiProperty({
    ...FLAT_ROW,
    example: { activeKeys: 4, neverUsed: 1 },
    description: 'Headline figures (flat: string, number, boolean or null values).',
  })
  summary!: Record<string, string | number | boolean | null>;

  @ApiProperty({
    example: '3b7a…',
    description:
      'SHA-256 (hex) of the canonical JSON (keys sorted) of {checkId, checkVersion, criteria, periodStart, periodEnd, population, exceptions, summary, result}.',
  })
  payloadSha256!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The scheduled job run that collected it; null on request.' })
  jobRunId!: string | null;
}

export class EvidenceView extends EvidenceSummaryView {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { orgId: '…', unusedDays: 90 } })
  queryParams!: Record<string, unknown>;

  @ApiProperty({ type: 'array', items: FLAT_ROW, description: 'The whole population, one flat row each.' })
  population!: Record<string, string | number | boolean | null>[];

  @ApiProperty({ type: 'array', items: FLAT_ROW, description: 'The exceptions, each with a `reason`.' })
  exceptions!: Record<string, string | number | boolean | null>[];
}

export class EvidencePage {
  @ApiProperty({ type: [EvidenceSummaryView] })
  data!: EvidenceSummaryView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class EvidenceCollectionView {
  @ApiProperty({ format: 'date-time' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time' })
  periodEnd!: string;

  @ApiProperty({ type: [EvidenceSummaryView], description: 'One record per check, collected now.' })
  data!: EvidenceSummaryView[];
}
