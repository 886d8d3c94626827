import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import { MaxLength, MinLength, PageQuery, Trim } from '@app/http';
import { RETENTION_CATEGORY_NAMES, RetentionCategory } from '../retention-categories';

export const LEGAL_HOLD_SCOPES = ['organization', 'contact', 'category'] as const;
export type LegalHoldScope = (typeof LEGAL_HOLD_SCOPES)[number];

export class CreateLegalHoldDto {
  @ApiProperty({
    enum: LEGAL_HOLD_SCOPES,
    example: 'contact',
    description:
      'organization: nothing of the organization is deleted; contact: one contact and its activities; category: one data category.',
  })
  @IsIn(LEGAL_HOLD_SCOPES)
  readonly scope!: LegalHoldScope;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for scope contact (a contact of this organization), otherwise absent.' })
  @IsOptional()
  @IsUUID()
  readonly contactId?: string;

  @ApiPropertyOptional({ enum: RETENTION_CATEGORY_NAMES, description: 'Required for scope category, otherwise absent.' })
  @IsOptional()
  @IsIn(RETENTION_CATEGORY_NAMES)
  readonly category?: RetentionCategory;

  @ApiProperty({ example: 'Litigation hold: Acme v. Example, case 2026-CV-1234', minLength: 1, maxLength: 1000 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  readonly reason!: string;
}

export class ListLegalHoldsQuery extends PageQuery {
  @ApiPropertyOptional({ type: Boolean, description: 'true: only holds in force; false: only released ones.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  readonly active?: boolean;
}

export class LegalHoldView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: LEGAL_HOLD_SCOPES })
  scope!: LegalHoldScope;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  contactId!: string | null;

  @ApiProperty({ enum: RETENTION_CATEGORY_NAMES, nullable: true })
  category!: RetentionCategory | null;

  @ApiProperty({ example: 'Litigation hold: Acme v. Example, case 2026-CV-1234' })
  reason!: string;

  @ApiProperty({ description: 'In force: not released. A hold has no expiry.' })
  active!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The user or API key id that placed it.' })
  createdBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  releasedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The user or API key id that released it.' })
  releasedBy!: string | null;
}

export class LegalHoldPage {
  @ApiProperty({ type: [LegalHoldView] })
  data!: LegalHoldView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
