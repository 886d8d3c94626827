import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '@app/http';
import { RequestContext } from '@app/request-context';
import { Authenticated, RequirePermission } from '../auth/access.decorators';
import { WorksInOtherScopes } from '../tenant-boundary/other-scopes';
import { OrganizationPage, OrganizationView } from '../views';
import { CreateOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('Organizations')
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly context: RequestContext,
  ) {}

  @Get('organizations')
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ operationId: 'listMyOrganizations', summary: 'The organizations you belong to, with your role in each' })
  @ApiOkResponse({ type: OrganizationPage })
  list(@Query() query: PageQuery): Promise<OrganizationPage> {
    return this.organizations.listForUser(this.userId(), query.limit, query.cursor);
  }

  @Post('organizations')
  @Authenticated({ sessionOnly: true })
  @WorksInOtherScopes()
  @ApiOperation({ operationId: 'createOrganization', summary: 'Create another organization; you become its owner' })
  @ApiCreatedResponse({ type: OrganizationView })
  async create(@Body() body: CreateOrganizationDto): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.createAnother(body.name, this.userId()));
  }

  @Get('organization')
  @RequirePermission('org:read')
  @ApiOperation({ operationId: 'getOrganization', summary: 'The current organization' })
  @ApiOkResponse({ type: OrganizationView })
  async current(): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.current());
  }

  @Patch('organization')
  @RequirePermission('org:manage')
  @ApiOperation({ operationId: 'updateOrganization', summary: 'Rename the organization or change its settings' })
  @ApiOkResponse({ type: OrganizationView })
  @ApiConflictResponse({ description: 'Requiring MFA from a session that has not passed MFA itself (`MFA_SESSION_NOT_VERIFIED`).' })
  async update(@Body() body: UpdateOrganizationDto): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.update(body));
  }

  /** Session-only routes always have a user principal (the guard refused API keys). */
  private userId(): string {
    return this.context.requireTenant().principal.userId as string;
  }
}
