import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RawScimQuery } from './scim-list-query';
import { ListResponse, ScimResource } from './scim-resources';
import { ScimGroupsService } from './scim-groups.service';
import { ScimProtocol } from './scim.decorators';

/** RFC 7644 §3 on `/scim/v2/Groups`, authenticated with the org's SCIM token. */
@ScimProtocol()
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  @ApiOperation({ operationId: 'listScimProtocolGroups', summary: 'SCIM: list or filter groups' })
  list(@Query() query: RawScimQuery): Promise<ListResponse> {
    return this.groups.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getScimGroup', summary: 'SCIM: a group' })
  get(@Param('id') id: string, @Query() query: RawScimQuery): Promise<ScimResource> {
    return this.groups.get(id, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createScimGroup', summary: 'SCIM: create a group' })
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<ScimResource> {
    const resource = await this.groups.create(body);
    void reply.header('location', (resource.meta as { location: string }).location);
    return resource;
  }

  @Put(':id')
  @ApiOperation({ operationId: 'replaceScimGroup', summary: 'SCIM: replace a group' })
  replace(@Param('id') id: string, @Body() body: unknown): Promise<ScimResource> {
    return this.groups.replace(id, body);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateScimGroup', summary: 'SCIM: patch a group (displayName, members)' })
  patch(@Param('id') id: string, @Body() body: unknown): Promise<ScimResource> {
    return this.groups.patch(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteScimGroup', summary: 'SCIM: delete a group' })
  remove(@Param('id') id: string): Promise<void> {
    return this.groups.remove(id);
  }
}
