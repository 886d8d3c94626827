import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RawScimQuery } from './scim-list-query';
import { ListResponse, ScimResource } from './scim-resources';
import { ScimUsersService } from './scim-users.service';
import { ScimProtocol } from './scim.decorators';

/** RFC 7644 §3 on `/scim/v2/Users`, authenticated with the org's SCIM token. */
@ScimProtocol()
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listScimUsers', summary: 'SCIM: list or filter users' })
  list(@Query() query: RawScimQuery): Promise<ListResponse> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getScimUser', summary: 'SCIM: a user' })
  get(@Param('id') id: string, @Query() query: RawScimQuery): Promise<ScimResource> {
    return this.users.get(id, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createScimUser', summary: 'SCIM: provision a user' })
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<ScimResource> {
    const resource = await this.users.create(body);
    void reply.header('location', (resource.meta as { location: string }).location);
    return resource;
  }

  @Put(':id')
  @ApiOperation({ operationId: 'replaceScimUser', summary: 'SCIM: replace a user' })
  replace(@Param('id') id: string, @Body() body: unknown): Promise<ScimResource> {
    return this.users.replace(id, body);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateScimUser', summary: 'SCIM: patch a user (active: false deprovisions)' })
  patch(@Param('id') id: string, @Body() body: unknown): Promise<ScimResource> {
    return this.users.patch(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteScimUser', summary: 'SCIM: deprovision and forget a user' })
  remove(@Param('id') id: string): Promise<void> {
    return this.users.remove(id);
  }
}
