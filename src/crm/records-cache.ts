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

  invalidateAfterCommit(...types: RecordType[]): Promise<void> {
    const orgId = this.context.requireOrgId();
    return this.tenantDb.afterCommit(() => this.versions.bump(orgId, types));
  }
}

/** The `If-Match` header of PATCH and DELETE on customer records, documented once. */
export const IfMatchHeader = (): MethodDecorator =>
  ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read; a stale one gets 412.' });
