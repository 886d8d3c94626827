import { Body, Controller, Delete, Get, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Endpoint } from '../auth/endpoint.decorator';
import { MemberPage, MemberView, UpdateMemberDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('Members')
@Controller('v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Endpoint({
    operationId: 'listMembers',
    summary: 'Members of the organization and their roles',
    permission: 'members:read',
    ok: MemberPage,
  })
  list(@Query() query: PageQuery): Promise<MemberPage> {
    return this.members.list(query.limit, query.cursor);
  }

  @Patch(':userId')
  @Endpoint({
    operationId: 'updateMember',
    summary: "Change a member's role",
    permission: 'members:manage',
    ok: MemberView,
    notFound: 'No such member.',
    conflict: 'The last owner cannot be demoted (`LAST_OWNER`).',
  })
  update(@UuidParam('userId') userId: string, @Body() body: UpdateMemberDto): Promise<MemberView> {
    return this.members.changeRole(userId, body.role);
  }

  @Delete(':userId')
  @Endpoint({
    operationId: 'removeMember',
    summary: 'Remove a member; their sessions in this organization end at once',
    permission: 'members:manage',
    noContent: true,
    notFound: 'No such member.',
    conflict: 'The last owner cannot be removed (`LAST_OWNER`).',
  })
  remove(@UuidParam('userId') userId: string): Promise<void> {
    return this.members.remove(userId);
  }
}
