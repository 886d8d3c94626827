import { DateTimeInput, MaxLength, MinLength, WithinStorableDates } from '@app/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MinDate } from 'class-validator';
import { PERMISSIONS, Permission } from '../../permissions';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CRM sync', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  readonly name!: string;

  @ApiProperty({
    enum: PERMISSIONS,
    isArray: true,
    example: ['contacts:read', 'contacts:write'],
    description: 'A subset of your own permissions.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  readonly scopes!: Permission[];

  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-31T00:00:00Z', description: 'Optional; the key stops working then.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  readonly expiresAt?: Date;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CRM sync' })
  name!: string;

  @ApiProperty({ example: 'atr_AZOjwnse7fCPABI0VniavA3kQ9p…', description: 'The start of the key, to recognise it.' })
  prefix!: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true })
  scopes!: Permission[];

  @ApiProperty({ format: 'uuid' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  expiresAt!: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Updated at most once a minute.' })
  lastUsedAt!: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The key. Shown once, stored only as a hash.', example: 'atr_AZOjwnse7fCPABI0VniavA3kQ9pXb0...' })
  secret!: string;
}

export class ApiKeyPage {
  @ApiProperty({ type: [ApiKeyView] })
  data!: ApiKeyView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
