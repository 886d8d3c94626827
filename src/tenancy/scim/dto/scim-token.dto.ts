import { DateTimeInput, MaxLength, MinLength, WithinStorableDates } from '@app/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MinDate } from 'class-validator';

export class CreateScimTokenDto {
  @ApiProperty({ example: 'Okta provisioning', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  readonly name!: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2027-06-30T00:00:00Z', description: 'Optional; the token stops working then.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  readonly expiresAt?: Date;
}

export class ScimTokenView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Okta provisioning' })
  name!: string;

  @ApiProperty({ example: 'scim_AZOjwnse7fCPABI0VniavA3kQ9p…', description: 'The start of the token, to recognise it.' })
  prefix!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'The user who created it (null once that account is gone).' })
  createdBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  expiresAt!: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Updated at most once a minute.' })
  lastUsedAt!: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

export class CreatedScimTokenView extends ScimTokenView {
  @ApiProperty({
    description: 'The bearer token the identity provider sends to `/scim/v2`. Shown once, stored only as a hash.',
    example: 'scim_AZOjwnse7fCPABI0VniavA3kQ9pXb0...',
  })
  token!: string;

  @ApiProperty({ example: 'https://atrium.example.com/scim/v2', description: 'The SCIM base URL to configure in the identity provider.' })
  baseUrl!: string;
}

export class ScimTokenPage {
  @ApiProperty({ type: [ScimTokenView] })
  data!: ScimTokenView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
