import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { RequirePermission } from '../auth/access.decorators';
import { MemberPage, MemberView, UpdateMemberDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('Members')
@Controller('v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @RequirePermission('members:read')
  @ApiOperation({ operationId: 'listMembers', summary: 'Members of the organization and their roles' })
  @ApiOkResponse({ type: MemberPage })
  list(@Query() query: PageQuery): Promise<MemberPage> {
    return this.members.list(query.limit, query.cursor);
  }

  @Patch(':userId')
  @RequirePermission('members:manage')
  @ApiOperation({ operationId: 'updateMember', summary: "Change a member's role" })
  @ApiOkResponse({ type: MemberView })
  @ApiNotFoundResponse({ description: 'No such member.' })
  @ApiConflictResponse({ description: 'The last owner cannot be demoted (`LAST_OWNER`).' })
  update(@UuidParam('userId') userId: string, @Body() body: UpdateMemberDto): Promise<MemberView> {
    return this.members.changeRole(userId, body.role);
  }

  @Delete(':userId')
  @HttpCode(204)
  @RequirePermission('members:manage')
  @ApiOperation({ operationId: 'removeMember', summary: 'Remove a member; their sessions in this organization end at once' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such member.' })
  @ApiConflictResponse({ description: 'The last owner cannot be removed (`LAST_OWNER`).' })
  remove(@UuidParam('userId') userId: string): Promise<void> {
    return this.members.remove(userId);
  }
}
