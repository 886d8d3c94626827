import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateIf } from 'class-validator';
import { GROUP_ROLES, GroupRole } from '../group-roles';

export class UpdateScimGroupDto {
  @ApiProperty({
    enum: GROUP_ROLES,
    nullable: true,
    example: 'admin',
    description:
      'The Atrium role this group confers on its members, or null for none. A member gets the highest role of their mapped groups ' +
      '(admin > member > auditor > viewer), or `member` once none is left; owners keep their role.',
  })
  @ValidateIf((_, value) => value !== null)
  @IsIn(GROUP_ROLES)
  readonly role!: GroupRole | null;
}

export class ScimGroupView {
  @ApiProperty({ format: 'uuid', description: 'The SCIM id of the group (`/scim/v2/Groups/{id}`).' })
  id!: string;

  @ApiProperty({ example: 'Engineering' })
  displayName!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '00g1emaKYZTWRYYRRTSK', description: "The identity provider's id." })
  externalId!: string | null;

  @ApiPropertyOptional({ enum: GROUP_ROLES, nullable: true, example: 'member' })
  role!: GroupRole | null;

  @ApiProperty({ example: 12 })
  memberCount!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ScimGroupPage {
  @ApiProperty({ type: [ScimGroupView] })
  data!: ScimGroupView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
