import { MaxLength, MinLength, TrimLowerCase } from '@app/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString } from 'class-validator';
import { ROLES, Role } from '../../permissions';
import { MfaChallengeView } from '../../mfa/dto/mfa.views';
import { OrganizationView, SessionTokenView, UserView } from '../../views';

export class CreateInvitationDto {
  @ApiProperty({ example: 'grace@example.com' })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(254)
  readonly email!: string;

  @ApiProperty({ enum: ROLES, example: 'member', description: 'Only owners may invite owners.' })
  @IsIn(ROLES)
  readonly role!: Role;
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The `inv_` token from the invitation.', example: 'inv_AZOjwnse...' })
  @IsString()
  @MaxLength(200)
  readonly token!: string;

  @ApiPropertyOptional({ example: 'Grace Hopper', description: 'Required when the invited email has no account yet.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly name?: string;

  @ApiPropertyOptional({
    example: 'a long and unusual passphrase',
    description: 'A new password when the email has no account yet; the current password when it has one.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  readonly password?: string;
}

export class InvitationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'grace@example.com' })
  email!: string;

  @ApiProperty({ enum: ROLES, example: 'member' })
  role!: Role;

  @ApiProperty({ enum: ['pending', 'accepted', 'revoked', 'expired'], example: 'pending' })
  status!: 'pending' | 'accepted' | 'revoked' | 'expired';

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  invitedBy!: string | null;
}

export class CreatedInvitationView extends InvitationView {
  @ApiProperty({ description: 'Give this to the invitee. It is shown once and stored only as a hash.', example: 'inv_AZOjwnse...' })
  token!: string;
}

export class InvitationPage {
  @ApiProperty({ type: [InvitationView] })
  data!: InvitationView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class AcceptedInvitationView extends SessionTokenView {
  @ApiProperty({ type: UserView })
  user!: UserView;

  @ApiProperty({ enum: ROLES })
  role!: Role;
}

/** Accepting as an existing account with MFA: joined, and a second factor away from a session. */
export class AcceptedInvitationChallengeView extends MfaChallengeView {
  @ApiProperty({ type: UserView })
  user!: UserView;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: OrganizationView })
  organization!: OrganizationView;
}

export { OrganizationView };
