import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { MaxLength, OmittableNotNull } from '@app/http';
import { RECOVERY_CODE_PATTERN } from '../recovery-codes';

const CODE_PATTERN = /^\d{6}$/;

export class ConfirmTotpDto {
  @ApiProperty({ example: '492039', pattern: CODE_PATTERN.source, description: 'The 6-digit code your authenticator app shows now.' })
  @IsString()
  @Matches(CODE_PATTERN, { message: 'must be 6 digits' })
  readonly code!: string;
}

/** A second factor: exactly one of `code` and `recoveryCode`. */
export class SecondFactorDto {
  // No example: the request example shows `recoveryCode`, and the two go one at a time.
  @ApiPropertyOptional({
    pattern: CODE_PATTERN.source,
    description: 'The current 6-digit code of your authenticator app (such as `492039`).',
  })
  @OmittableNotNull()
  @IsString()
  @Matches(CODE_PATTERN, { message: 'must be 6 digits' })
  readonly code?: string;

  @ApiPropertyOptional({
    example: 'ABCD-EFGH-IJKL-MNOP',
    pattern: RECOVERY_CODE_PATTERN.source,
    description: 'One of your recovery codes, instead of `code`; each works once.',
  })
  @OmittableNotNull()
  @IsString()
  @Matches(RECOVERY_CODE_PATTERN, { message: 'must be a recovery code such as ABCD-EFGH-IJKL-MNOP' })
  readonly recoveryCode?: string;
}

export class MfaLoginDto extends SecondFactorDto {
  @ApiProperty({ example: 'mfa_AZOjwnse…', maxLength: 200, description: 'The `challengeToken` of the sign-in answer.' })
  @IsString()
  @MaxLength(200)
  readonly challengeToken!: string;
}
