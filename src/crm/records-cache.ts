import { Injectable } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { RequestContext } from '@app/request-context';
import { CacheVersions } from '../caching';
import { TenantDatabase } from '../tenancy';

export type RecordType = 'companies' | 'contacts' | 'activities';

/** Cached reads of the given record types miss once the current write has committed, on every instance. */
@Injectable()
export class RecordsCache {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly versions: CacheVersions,
  ) {}

  async invalidateAfterCommit(...types: RecordType[]): Promise<void> {
    const orgId = this.context.requireOrgId();
    // While Redis is unusable the invalidation is recorded in this write's own transaction.
    const afterCommit = await this.versions.prepare(orgId, types, (sql, params) =>
      this.tenantDb.transaction((em) => em.execute(sql, params)),
    );
    return this.tenantDb.afterCommit(afterCommit);
  }
}

/** The `If-Match` header of PATCH and DELETE on customer records, documented once. */
export const IfMatchHeader = (): MethodDecorator =>
  ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read; a stale one gets 412.' });
