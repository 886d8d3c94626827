import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery } from '@app/http';
import { RequestContext } from '@app/request-context';
import { Endpoint } from '../auth/endpoint.decorator';
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
  @Endpoint({
    operationId: 'listMyOrganizations',
    summary: 'The organizations you belong to, with your role in each',
    access: 'authenticated',
    sessionOnly: true,
    ok: OrganizationPage,
  })
  list(@Query() query: PageQuery): Promise<OrganizationPage> {
    return this.organizations.listForUser(this.userId(), query.limit, query.cursor);
  }

  @Post('organizations')
  @WorksInOtherScopes()
  @Endpoint({
    operationId: 'createOrganization',
    summary: 'Create another organization; you become its owner',
    access: 'authenticated',
    sessionOnly: true,
    created: OrganizationView,
  })
  async create(@Body() body: CreateOrganizationDto): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.createAnother(body.name, this.userId()));
  }

  @Get('organization')
  @Endpoint({ operationId: 'getOrganization', summary: 'The current organization', permission: 'org:read', ok: OrganizationView })
  async current(): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.current());
  }

  @Patch('organization')
  @Endpoint({
    operationId: 'updateOrganization',
    summary: 'Rename the organization or change its settings',
    permission: 'org:manage',
    ok: OrganizationView,
    conflict: 'Requiring MFA from a session that has not passed MFA itself (`MFA_SESSION_NOT_VERIFIED`).',
  })
  async update(@Body() body: UpdateOrganizationDto): Promise<OrganizationView> {
    return OrganizationView.of(await this.organizations.update(body));
  }

  /** Session-only routes always have a user principal (the guard refused API keys). */
  private userId(): string {
    return this.context.requireTenant().principal.userId as string;
  }
}
