import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, IsTimeZone, MaxLength, MinLength, ValidateNested } from 'class-validator';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Corp', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name!: string;
}

export class OrganizationSettingsDto {
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone used in reports.' })
  @IsOptional()
  @IsTimeZone()
  readonly displayTimezone?: string;

}

export class UpdateOrganizationDto {
  @ApiPropertyOptional({ example: 'Acme Corporation', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({ type: OrganizationSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  readonly settings?: OrganizationSettingsDto;
}
