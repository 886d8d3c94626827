import { EntityManager, FilterQuery, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, assertIfMatch, decodeCursor, etagOf, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { RecordsCache } from '../records-cache';
import { companyNotFound, rejectNulls } from '../crm-errors';
import { Company } from '../entities/company.entity';
import { CompaniesRepository } from './companies.repository';
import { CompanyView, CreateCompanyDto, ListCompaniesQuery, UpdateCompanyDto } from './dto/company.dto';

export function presentCompany(company: Company): CompanyView {
  return {
    id: company.id,
    name: company.name,
    domain: company.domain ?? null,
    industry: company.industry ?? null,
    version: company.version,
    createdAt: company.createdAt.toISOString(),
    updatedAt: company.updatedAt.toISOString(),
  };
}

@Injectable()
export class CompaniesService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly companies: CompaniesRepository,
    private readonly context: RequestContext,
    private readonly recordsCache: RecordsCache,
  ) {}

  async create(input: CreateCompanyDto): Promise<CompanyView> {
    return this.tenantDb.transaction(async (em) => {
      const company = new Company();
      company.name = input.name;
      company.domain = input.domain ?? null;
      company.industry = input.industry ?? null;
      em.persist(company);
      await em.flush();
      await this.recordsCache.invalidateAfterCommit('companies');
      return presentCompany(company);
    });
  }

  async list(query: ListCompaniesQuery): Promise<Page<CompanyView>> {
    const after = decodeCursor(query.cursor);
    const where: FilterQuery<Company> = {
      ...(after ? { id: { $gt: after } } : {}),
      ...(query.domain ? { domain: query.domain } : {}),
      ...(query.updatedSince ? { updatedAt: { $gte: query.updatedSince } } : {}),
    };
    const rows = await this.tenantDb.transaction((em) => em.find(Company, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 }), {
      replica: true,
    });
    return toPage(rows, query.limit, presentCompany);
  }

  async get(id: string): Promise<CompanyView> {
    return this.tenantDb.transaction(async (em) => presentCompany(await this.load(em, id)));
  }

  async update(id: string, changes: UpdateCompanyDto, ifMatch?: string): Promise<CompanyView> {
    rejectNulls(changes, ['name']);
    return this.tenantDb.transaction(async (em) => {
      const company = await this.load(em, id, true);
      assertIfMatch(ifMatch, etagOf(presentCompany(company)));
      if (changes.name !== undefined) company.name = changes.name;
      if (changes.domain !== undefined) company.domain = changes.domain;
      if (changes.industry !== undefined) company.industry = changes.industry;
      await em.flush();
      await this.recordsCache.invalidateAfterCommit('companies', 'contacts');
      return presentCompany(company);
    });
  }

  /**
   * Its contacts stay, detached. They are touched explicitly (not left to the foreign key's
   * SET NULL) so their version and updatedAt move and `updatedSince` syncs see the change.
   */
  async remove(id: string, ifMatch?: string): Promise<void> {
    await this.tenantDb.transaction(async (em) => {
      const company = await this.load(em, id, true);
      assertIfMatch(ifMatch, etagOf(presentCompany(company)));
      await this.companies.detachContacts(em, id);
      await em.nativeDelete(Company, { id });
      await this.recordsCache.invalidateAfterCommit('companies', 'contacts');
    });
  }

  /** `forUpdate` locks the row from the If-Match check to the write. */
  private async load(em: EntityManager, id: string, forUpdate = false): Promise<Company> {
    const company = await em.findOne(Company, { id }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!company) throw companyNotFound();
    return company;
  }
}
