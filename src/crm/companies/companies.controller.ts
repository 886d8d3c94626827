import { Body, Controller, Delete, Get, Headers, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { CompaniesService } from './companies.service';
import { CompanyPage, CompanyView, CreateCompanyDto, ListCompaniesQuery, UpdateCompanyDto } from './dto/company.dto';

@ApiTags('Companies')
@Controller('v1/companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Get()
  @CachedResponse({ resources: ['companies'] })
  @Endpoint({ operationId: 'listCompanies', summary: 'List companies', permission: 'contacts:read', ok: CompanyPage })
  list(@Query() query: ListCompaniesQuery): Promise<CompanyPage> {
    return this.companies.list(query);
  }

  @Post()
  @Idempotent()
  @Endpoint({ operationId: 'createCompany', summary: 'Create a company', permission: 'contacts:write', created: CompanyView })
  create(@Body() body: CreateCompanyDto): Promise<CompanyView> {
    return this.companies.create(body);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getCompany',
    summary: 'Get a company',
    permission: 'contacts:read',
    ok: CompanyView,
    notFound: 'No such company in this organization (`COMPANY_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<CompanyView> {
    return this.companies.get(id);
  }

  @Patch(':id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'updateCompany',
    summary: 'Update a company',
    permission: 'contacts:write',
    ok: CompanyView,
    notFound: 'No such company in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  update(@UuidParam('id') id: string, @Body() body: UpdateCompanyDto, @Headers('if-match') ifMatch?: string): Promise<CompanyView> {
    return this.companies.update(id, body, ifMatch);
  }

  @Delete(':id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'deleteCompany',
    summary: 'Delete a company; its contacts are kept, detached',
    permission: 'contacts:write',
    noContent: true,
    notFound: 'No such company in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.companies.remove(id, ifMatch);
  }
}
