import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Endpoint } from '../auth/endpoint.decorator';
import { ScimGroupPage, ScimGroupView, UpdateScimGroupDto } from './dto/scim-group.dto';
import { ScimGroupRolesService } from './scim-group-roles.service';

@ApiTags('SCIM provisioning')
@Controller('v1/scim-groups')
export class ScimGroupRolesController {
  constructor(private readonly groups: ScimGroupRolesService) {}

  @Get()
  @Endpoint({
    operationId: 'listScimGroups',
    summary: 'Groups the identity provider pushed over SCIM, with the role each confers',
    permission: 'identity:manage',
    ok: ScimGroupPage,
  })
  list(@Query() query: PageQuery): Promise<ScimGroupPage> {
    return this.groups.list(query.limit, query.cursor);
  }

  @Patch(':id')
  @Endpoint({
    operationId: 'mapScimGroupRole',
    summary: 'Map a SCIM group to an Atrium role (or unmap it)',
    description: "Its members' roles change at once: each gets the highest role of their mapped groups, or `member` when none is left.",
    permission: 'identity:manage',
    ok: ScimGroupView,
    notFound: 'No SCIM group with that id (`SCIM_GROUP_NOT_FOUND`).',
  })
  update(@UuidParam('id') id: string, @Body() body: UpdateScimGroupDto): Promise<ScimGroupView> {
    return this.groups.setRole(id, body.role);
  }
}
