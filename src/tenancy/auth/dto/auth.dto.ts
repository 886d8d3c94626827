import { MaxLength, MinLength, Trim, TrimLowerCase } from '@app/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID } from 'class-validator';

export class SignupDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(254)
  readonly email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: 12,
    maxLength: 256,
    description: 'At least 12 characters; common passwords are refused.',
  })
  @IsString()
  @MaxLength(256)
  readonly password!: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name!: string;

  @ApiProperty({ example: 'Analytical Engines Ltd', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly organizationName!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(254)
  readonly email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(256)
  readonly password!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Which of your organizations to sign in to; defaults to the first you joined.' })
  @IsOptional()
  @IsUUID()
  readonly organizationId?: string;
}

export class SwitchOrganizationDto {
  @ApiProperty({ format: 'uuid', example: '0193a3c2-7b1e-7cc0-8f00-123456789abd' })
  @IsUUID()
  readonly organizationId!: string;
}
