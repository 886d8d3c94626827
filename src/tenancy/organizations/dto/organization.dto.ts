import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { MaxLength, MinLength, OmittableNotNull, Trim } from '@app/http';
import { IsObject, IsString, IsTimeZone, ValidateNested } from 'class-validator';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Corp', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name!: string;
}

export class OrganizationSettingsDto {
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone used in reports.', maxLength: 64 })
  @OmittableNotNull()
  @MaxLength(64)
  @IsTimeZone()
  readonly displayTimezone?: string;
}

export class UpdateOrganizationDto {
  @ApiPropertyOptional({ example: 'Acme Corporation', maxLength: 200 })
  @OmittableNotNull()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({ type: OrganizationSettingsDto })
  @OmittableNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  readonly settings?: OrganizationSettingsDto;
}
