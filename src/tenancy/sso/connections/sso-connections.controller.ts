import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/access.decorators';
import { PutSsoConnectionDto, SsoConnectionView } from '../dto/sso-connection.dto';
import { SsoConnectionsService } from './sso-connections.service';

@ApiTags('Single sign-on')
@Controller('v1/sso/connection')
export class SsoConnectionsController {
  constructor(private readonly connections: SsoConnectionsService) {}

  @Get()
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'getSsoConnection', summary: "The organization's SSO connection (never its client secret)" })
  @ApiOkResponse({ type: SsoConnectionView })
  @ApiNotFoundResponse({ description: 'No SSO connection is configured (`SSO_CONNECTION_NOT_FOUND`).' })
  get(): Promise<SsoConnectionView> {
    return this.connections.get();
  }

  @Put()
  @RequirePermission('org:manage')
  @ApiOperation({
    operationId: 'putSsoConnection',
    summary: 'Create or replace the SSO connection',
    description:
      'One connection per organization. The client secret is write-only and stored encrypted; omit it to keep the stored one. ' +
      "Register the answer's `oidc.redirectUri` at the identity provider.",
  })
  @ApiOkResponse({ type: SsoConnectionView })
  put(@Body() body: PutSsoConnectionDto): Promise<SsoConnectionView> {
    return this.connections.put(body);
  }

  @Delete()
  @HttpCode(204)
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'deleteSsoConnection', summary: 'Remove the SSO connection; members sign in with passwords again' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No SSO connection is configured (`SSO_CONNECTION_NOT_FOUND`).' })
  remove(): Promise<void> {
    return this.connections.remove();
  }
}
