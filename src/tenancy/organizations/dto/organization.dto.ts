import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { MaxLength, MinLength, OmittableNotNull, Trim } from '@app/http';
import { IsBoolean, IsObject, IsString, IsTimeZone, ValidateNested } from 'class-validator';

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

  // The example leaves the policy off: trying the request out must not lock the organization's sessions out.
  @ApiPropertyOptional({
    example: false,
    description:
      'Require MFA of every member: a session without a second factor can then only enrol (403 `MFA_ENROLMENT_REQUIRED` elsewhere). API keys are not affected. To turn it on from a session, that session must have passed MFA itself.',
  })
  @OmittableNotNull()
  @IsBoolean()
  readonly mfaRequired?: boolean;
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
