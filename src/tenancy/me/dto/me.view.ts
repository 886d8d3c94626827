import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { MaxLength } from '@app/http';
import { PERMISSIONS, ROLES } from '../../permissions';
import { OrganizationView, UserView } from '../../views';

export class PrincipalView {
  @ApiProperty({ enum: ['user', 'api_key'], example: 'user' })
  type!: string;

  @ApiProperty({ format: 'uuid' })
  id!: string;
}

export class ApiKeySummaryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CRM sync' })
  name!: string;

  @ApiProperty({ example: 'atr_AZOjwnse…' })
  prefix!: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true, example: ['contacts:read'] })
  scopes!: string[];
}

export class MeView {
  @ApiProperty({ type: PrincipalView })
  principal!: PrincipalView;

  @ApiPropertyOptional({ type: UserView, nullable: true, description: 'Set when the caller is a user session.' })
  user!: UserView | null;

  @ApiPropertyOptional({ type: ApiKeySummaryView, nullable: true, description: 'Set when the caller is an API key.' })
  apiKey!: ApiKeySummaryView | null;

  @ApiProperty({ type: OrganizationView })
  organization!: OrganizationView;

  @ApiPropertyOptional({ enum: ROLES, nullable: true, description: 'The user’s role; null for API keys.' })
  role!: string | null;

  @ApiProperty({ enum: PERMISSIONS, isArray: true, example: ['contacts:read', 'contacts:write'] })
  permissions!: string[];
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(256)
  readonly currentPassword!: string;

  @ApiProperty({ example: 'a much longer passphrase 2026', minLength: 12, maxLength: 256 })
  @IsString()
  @MaxLength(256)
  readonly newPassword!: string;
}
