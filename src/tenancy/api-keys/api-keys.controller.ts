import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Endpoint } from '../auth/endpoint.decorator';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyPage, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto';

@ApiTags('API keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Endpoint({
    operationId: 'listApiKeys',
    summary: 'API keys of the organization (never their secrets)',
    permission: 'api-keys:manage',
    ok: ApiKeyPage,
  })
  list(@Query() query: PageQuery): Promise<ApiKeyPage> {
    return this.apiKeys.list(query.limit, query.cursor);
  }

  @Post()
  @Endpoint({
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description: 'The secret is in this response only.',
    permission: 'api-keys:manage',
    sessionOnly: true,
    created: CreatedApiKeyView,
  })
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(body.name, body.scopes, body.expiresAt);
  }

  @Delete(':id')
  @Endpoint({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key; it stops working at once',
    permission: 'api-keys:manage',
    noContent: true,
    notFound: 'No active API key with that id.',
  })
  revoke(@UuidParam('id') id: string): Promise<void> {
    return this.apiKeys.revoke(id);
  }
}
