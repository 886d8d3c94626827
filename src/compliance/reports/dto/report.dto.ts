import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DateTimeInput, PageQuery, WithinStorableDates } from '@app/http';
import { DOWNLOAD_FORMATS, DownloadFormat } from '../report-files';

export class CreateReportDto {
  @ApiProperty({ format: 'date-time', example: '2026-10-01T00:00:00Z', description: 'Start of the period (inclusive).' })
  @DateTimeInput()
  @WithinStorableDates()
  readonly from!: Date;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-01T00:00:00Z',
    description: 'End of the period (exclusive): after `from`, not in the future, at most 366 days after `from`.',
  })
  @DateTimeInput()
  @WithinStorableDates()
  readonly to!: Date;
}

export class ListReportsQuery extends PageQuery {}

export class DownloadReportQuery {
  @ApiProperty({
    enum: DOWNLOAD_FORMATS,
    example: 'pdf',
    description:
      'pdf: summary.pdf; csv: evidence.zip (one CSV per check with its own columns, and index.csv); json: report.json ' +
      '(all evidence); manifest: manifest.json (the signed bytes, RFC 8785 canonical JSON); signature: the raw 64-byte ' +
      'Ed25519 signature of manifest.json.',
  })
  @IsIn(DOWNLOAD_FORMATS)
  readonly format!: DownloadFormat;
}

export class ReportPeriodView {
  @ApiProperty({ format: 'date-time', example: '2026-10-01T00:00:00.000Z', description: 'Inclusive.' })
  start!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-01T00:00:00.000Z', description: 'Exclusive.' })
  end!: string;
}

export class ReportFileView {
  @ApiProperty({ example: 'summary.pdf' })
  name!: string;

  @ApiProperty({ enum: DOWNLOAD_FORMATS, example: 'pdf', description: 'The `format` that downloads this file.' })
  format!: DownloadFormat;

  @ApiProperty({ example: 'application/pdf' })
  contentType!: string;

  @ApiProperty({ example: 4821 })
  bytes!: number;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'SHA-256 of the content, hex.' })
  sha256!: string;
}

export class ReportSignatureView {
  @ApiProperty({ enum: ['ed25519'] })
  algorithm!: 'ed25519';

  @ApiProperty({ example: '3f9a1c0b7e2d4a65', description: 'A key of GET /.well-known/atrium-signing-keys.json, by id.' })
  keyId!: string;

  @ApiProperty({ example: 'k1Jx…==', description: 'Base64 of the Ed25519 signature over the exact bytes of manifest.json.' })
  value!: string;
}

export class ReportSummaryView {
  @ApiProperty({ example: 6 })
  checks!: number;

  @ApiProperty({ example: 4 })
  passed!: number;

  @ApiProperty({ example: 1 })
  withExceptions!: number;

  @ApiProperty({ example: 1 })
  failed!: number;

  @ApiProperty({
    example: 2,
    description: 'Controls with nothing to examine in the period ("no activity in period"); not counted in `passed`.',
  })
  noActivity!: number;

  @ApiProperty({ example: 128, description: 'Items examined across all checks.' })
  populationTotal!: number;

  @ApiProperty({ example: 3 })
  exceptionTotal!: number;
}

export class ReportView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['monthly', 'on_demand'] })
  kind!: 'monthly' | 'on_demand';

  @ApiProperty({ enum: ['pending', 'generating', 'ready', 'failed'], example: 'ready' })
  status!: 'pending' | 'generating' | 'ready' | 'failed';

  @ApiProperty({ type: ReportPeriodView })
  period!: ReportPeriodView;

  @ApiProperty({ type: String, nullable: true, description: 'The user or API key that asked for it; null for scheduled reports.' })
  requestedBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  generatedAt!: string | null;

  @ApiProperty({ type: ReportSummaryView, nullable: true })
  summary!: ReportSummaryView | null;

  @ApiProperty({ type: [ReportFileView], description: 'Empty until the report is ready.' })
  files!: ReportFileView[];

  @ApiProperty({ type: ReportSignatureView, nullable: true, description: 'The signature of manifest.json.' })
  signature!: ReportSignatureView | null;

  @ApiPropertyOptional({ description: 'Why generation failed (status failed).' })
  error?: string;
}

export class ReportPage {
  @ApiProperty({ type: [ReportView] })
  data!: ReportView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
