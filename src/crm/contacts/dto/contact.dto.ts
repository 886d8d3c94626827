import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsEmail, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { DateTimeInput, MaxLength, MinLength, PageQuery, Trim, TrimLowerCase, WithinStorableDates } from '@app/http';
import { CUSTOM_FIELDS_LIMITS, E164, IsCustomFields, TAG_LIMITS } from '../../validation';

/**
 * `customFields` as the validator bounds it (`customFieldsProblem`): at most 50 keys and three levels
 * of nesting (the object itself, then containers of containers of scalars). The key pattern and
 * the byte limit have no OpenAPI 3.0 keyword and stay in the description.
 */
const SCALAR = { anyOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }] };
const nest = (inner: object) => ({
  anyOf: [...SCALAR.anyOf, { type: 'object', additionalProperties: inner }, { type: 'array', items: inner }],
});
const CUSTOM_FIELDS_SCHEMA = {
  type: 'object' as const,
  maxProperties: CUSTOM_FIELDS_LIMITS.maxKeys,
  additionalProperties: nest(nest(SCALAR)),
};

const trimAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

export class CreateContactDto {
  @ApiProperty({ example: 'Grace', maxLength: 100 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  readonly firstName!: string;

  @ApiProperty({ example: 'Hopper', maxLength: 100 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  readonly lastName!: string;

  @ApiPropertyOptional({ example: 'grace@navy.example', maxLength: 254, nullable: true })
  @IsOptional()
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(254)
  readonly email?: string | null;

  @ApiPropertyOptional({ example: '+14155550123', description: 'E.164 format.', nullable: true })
  @IsOptional()
  @Matches(E164, { message: 'phone must be in E.164 format, e.g. +14155550123' })
  readonly phone?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'A company of this organization.' })
  @IsOptional()
  @IsUUID()
  readonly companyId?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['vip', 'Q3 lead'], maxItems: TAG_LIMITS.maxCount })
  @IsOptional()
  @Transform(trimAll)
  @IsArray()
  @ArrayMaxSize(TAG_LIMITS.maxCount)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(TAG_LIMITS.maxLength, { each: true })
  @Matches(TAG_LIMITS.pattern, {
    each: true,
    message: 'each tag must start with a letter or digit and use letters, digits, spaces or _ . : / -',
  })
  readonly tags?: string[];

  @ApiPropertyOptional({
    ...CUSTOM_FIELDS_SCHEMA,
    example: { tier: 'gold', accountManager: 'Ada' },
    description:
      `Up to ${CUSTOM_FIELDS_LIMITS.maxKeys} keys, ${CUSTOM_FIELDS_LIMITS.maxDepth} levels, ${CUSTOM_FIELDS_LIMITS.maxBytes} bytes as JSON; ` +
      'keys start with a letter and use letters, digits and _ (at most 64 characters).',
  })
  @IsOptional()
  @IsCustomFields()
  readonly customFields?: Record<string, unknown>;
}

export class UpdateContactDto extends PartialType(CreateContactDto) {}

export class ListContactsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'grace@navy.example', description: 'Exact email (case-insensitive).' })
  @IsOptional()
  @TrimLowerCase()
  @IsString()
  @MaxLength(254)
  readonly email?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  readonly companyId?: string;

  @ApiPropertyOptional({ example: 'vip', description: 'Contacts carrying this tag.', maxLength: TAG_LIMITS.maxLength })
  @IsOptional()
  @IsString()
  @MaxLength(TAG_LIMITS.maxLength)
  readonly tag?: string;

  @ApiPropertyOptional({ example: 'hopp', description: 'Search in names and email (at least 3 characters).' })
  @IsOptional()
  @TrimLowerCase()
  @IsString()
  @MinLength(3)
  @MaxLength(100)
  readonly q?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-01T00:00:00Z',
    description: 'Only contacts changed at or after this time.',
  })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly updatedSince?: Date;
}

export class ContactCompanyView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'US Navy' })
  name!: string;
}

export class ContactView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Grace' })
  firstName!: string;

  @ApiProperty({ example: 'Hopper' })
  lastName!: string;

  @ApiPropertyOptional({ example: 'grace@navy.example', nullable: true })
  email!: string | null;

  @ApiPropertyOptional({ example: '+14155550123', nullable: true })
  phone!: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  companyId!: string | null;

  @ApiPropertyOptional({ type: ContactCompanyView, nullable: true })
  company!: ContactCompanyView | null;

  @ApiProperty({ type: [String], example: ['vip'] })
  tags!: string[];

  @ApiProperty({ ...CUSTOM_FIELDS_SCHEMA, example: { tier: 'gold' } })
  customFields!: Record<string, unknown>;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ContactPage {
  @ApiProperty({ type: [ContactView] })
  data!: ContactView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
