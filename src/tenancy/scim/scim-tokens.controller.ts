import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Endpoint } from '../auth/endpoint.decorator';
import { CreateScimTokenDto, CreatedScimTokenView, ScimTokenPage } from './dto/scim-token.dto';
import { ScimTokensService } from './scim-tokens.service';

@ApiTags('SCIM provisioning')
@Controller('v1/scim-tokens')
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokensService) {}

  @Get()
  @Endpoint({
    operationId: 'listScimTokens',
    summary: 'SCIM tokens of the organization (never the tokens themselves)',
    permission: 'identity:manage',
    ok: ScimTokenPage,
  })
  list(@Query() query: PageQuery): Promise<ScimTokenPage> {
    return this.tokens.list(query.limit, query.cursor);
  }

  @Post()
  @Endpoint({
    operationId: 'createScimToken',
    summary: 'Create a SCIM token for an identity provider',
    description:
      'The token is in this response only. The identity provider sends it as `Authorization: Bearer <token>` to the SCIM base URL ' +
      '`/scim/v2`; it opens nothing else.',
    permission: 'identity:manage',
    sessionOnly: true,
    created: CreatedScimTokenView,
  })
  create(@Body() body: CreateScimTokenDto): Promise<CreatedScimTokenView> {
    return this.tokens.create(body.name, body.expiresAt);
  }

  @Delete(':id')
  @Endpoint({
    operationId: 'revokeScimToken',
    summary: 'Revoke a SCIM token; it stops working within a second everywhere',
    permission: 'identity:manage',
    noContent: true,
    notFound: 'No active SCIM token with that id (`SCIM_TOKEN_NOT_FOUND`).',
  })
  revoke(@UuidParam('id') id: string): Promise<void> {
    return this.tokens.revoke(id);
  }
}
