import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsFQDN, IsOptional, IsString } from 'class-validator';
import { DateTimeInput, MaxLength, MinLength, PageQuery, Trim, TrimLowerCase, WithinStorableDates } from '@app/http';

export class CreateCompanyDto {
  @ApiProperty({ example: 'Acme Corp', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name!: string;

  @ApiPropertyOptional({ example: 'acme.example', nullable: true, description: 'Host name, stored lower-case.' })
  @IsOptional()
  @TrimLowerCase()
  @IsFQDN({ require_tld: true }, { message: 'domain must be a host name such as acme.com' })
  @MaxLength(253)
  readonly domain?: string | null;

  @ApiPropertyOptional({ example: 'Manufacturing', maxLength: 100, nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  readonly industry?: string | null;
}

export class UpdateCompanyDto extends PartialType(CreateCompanyDto) {}

export class ListCompaniesQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'acme.example' })
  @IsOptional()
  @TrimLowerCase()
  @IsString()
  @MaxLength(253)
  readonly domain?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only companies changed at or after this time.' })
  @IsOptional()
  @DateTimeInput()
  @WithinStorableDates()
  readonly updatedSince?: Date;
}

export class CompanyView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  name!: string;

  @ApiPropertyOptional({ example: 'acme.example', nullable: true })
  domain!: string | null;

  @ApiPropertyOptional({ example: 'Manufacturing', nullable: true })
  industry!: string | null;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CompanyPage {
  @ApiProperty({ type: [CompanyView] })
  data!: CompanyView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
