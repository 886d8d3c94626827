import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Organization, PLANS, Plan } from './entities/organization.entity';
import { User } from './entities/user.entity';
import { ROLES, Role } from './permissions';

/** Response shapes of the tenancy routes, documented once and built from entities in one place. */
export class UserView {
  @ApiProperty({ format: 'uuid', example: '0193a3c2-7b1e-7cc0-8f00-123456789abc' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static of(user: User): UserView {
    return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
  }
}

/** The organization's settings; every one optional, unset until an owner sets it. */
export class OrganizationSettingsView {
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone used in reports.' })
  displayTimezone?: string;

  @ApiPropertyOptional({
    example: true,
    description: 'Members must use MFA: sessions without it can only enrol (API keys are not affected).',
  })
  mfaRequired?: boolean;
}

export class OrganizationView {
  @ApiProperty({ format: 'uuid', example: '0193a3c2-7b1e-7cc0-8f00-123456789abd' })
  id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  name!: string;

  @ApiProperty({ example: 'acme-corp-x7k2p9' })
  slug!: string;

  @ApiProperty({ enum: PLANS, example: 'pro' })
  plan!: Plan;

  @ApiProperty({ type: OrganizationSettingsView })
  settings!: OrganizationSettingsView;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static of(org: Organization): OrganizationView {
    return {
      id: org.id,
      name: org.name,
      slug: org.slug,
      plan: org.plan,
      settings: { ...org.settings },
      createdAt: org.createdAt.toISOString(),
      updatedAt: org.updatedAt.toISOString(),
    };
  }
}

export class SessionTokenView {
  @ApiProperty({
    description: 'Send as `Authorization: Bearer <token>`. Shown once.',
    example: 'q3Vh8v0m1mJ0x2m5cTqk8kq1Yv3Jt9sR1y2b3c4d5e6',
  })
  token!: string;

  @ApiProperty({ format: 'date-time', description: 'Absolute expiry; the session also ends after a period of inactivity.' })
  expiresAt!: string;

  @ApiProperty({ type: OrganizationView })
  organization!: OrganizationView;
}

export class SignupView extends SessionTokenView {
  @ApiProperty({ type: UserView })
  user!: UserView;
}

export class MembershipOrganizationView {
  @ApiProperty({ type: OrganizationView })
  organization!: OrganizationView;

  @ApiProperty({ enum: ROLES, example: 'owner' })
  role!: Role;
}

export class OrganizationPage {
  @ApiProperty({ type: [MembershipOrganizationView] })
  data!: MembershipOrganizationView[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor!: string | null;
}
