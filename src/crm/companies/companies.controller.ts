import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { CompaniesService } from './companies.service';
import { CompanyPage, CompanyView, CreateCompanyDto, ListCompaniesQuery, UpdateCompanyDto } from './dto/company.dto';

@ApiTags('Companies')
@Controller('v1/companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Get()
  @RequirePermission('contacts:read')
  @ApiOperation({ operationId: 'listCompanies', summary: 'List companies' })
  @ApiOkResponse({ type: CompanyPage })
  @CachedResponse({ resources: ['companies'] })
  list(@Query() query: ListCompaniesQuery): Promise<CompanyPage> {
    return this.companies.list(query);
  }

  @Post()
  @RequirePermission('contacts:write')
  @Idempotent()
  @ApiOperation({ operationId: 'createCompany', summary: 'Create a company' })
  @ApiCreatedResponse({ type: CompanyView })
  create(@Body() body: CreateCompanyDto): Promise<CompanyView> {
    return this.companies.create(body);
  }

  @Get(':id')
  @RequirePermission('contacts:read')
  @ApiOperation({ operationId: 'getCompany', summary: 'Get a company' })
  @ApiOkResponse({ type: CompanyView })
  @ApiNotFoundResponse({ description: 'No such company in this organization (`COMPANY_NOT_FOUND`).' })
  get(@UuidParam('id') id: string): Promise<CompanyView> {
    return this.companies.get(id);
  }

  @Patch(':id')
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'updateCompany', summary: 'Update a company' })
  @ApiOkResponse({ type: CompanyView })
  @ApiNotFoundResponse({ description: 'No such company in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  update(@UuidParam('id') id: string, @Body() body: UpdateCompanyDto, @Headers('if-match') ifMatch?: string): Promise<CompanyView> {
    return this.companies.update(id, body, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'deleteCompany', summary: 'Delete a company; its contacts are kept, detached' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such company in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.companies.remove(id, ifMatch);
  }
}
