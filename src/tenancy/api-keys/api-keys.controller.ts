import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { RequirePermission } from '../auth/access.decorators';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyPage, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto';

@ApiTags('API keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @RequirePermission('api-keys:manage')
  @ApiOperation({ operationId: 'listApiKeys', summary: 'API keys of the organization (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyPage })
  list(@Query() query: PageQuery): Promise<ApiKeyPage> {
    return this.apiKeys.list(query.limit, query.cursor);
  }

  @Post()
  @RequirePermission('api-keys:manage', { sessionOnly: true })
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create an API key', description: 'The secret is in this response only.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(body.name, body.scopes, body.expiresAt);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('api-keys:manage')
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke an API key; it stops working at once' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No active API key with that id.' })
  revoke(@UuidParam('id') id: string): Promise<void> {
    return this.apiKeys.revoke(id);
  }
}
