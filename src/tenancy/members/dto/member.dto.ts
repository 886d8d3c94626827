import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, Role } from '../../permissions';

export class UpdateMemberDto {
  @ApiProperty({ enum: ROLES, example: 'viewer', description: 'Only owners may make or unmake owners.' })
  @IsIn(ROLES)
  readonly role!: Role;
}

export class MemberView {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ example: 'grace@example.com' })
  email!: string;

  @ApiProperty({ example: 'Grace Hopper' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'member' })
  role!: Role;

  @ApiProperty({ format: 'date-time' })
  joinedAt!: string;
}

export class MemberPage {
  @ApiProperty({ type: [MemberView] })
  data!: MemberView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
