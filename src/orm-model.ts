import { CRM_ENTITIES } from './crm';
import { OrmModel } from './database';
import { IdempotencyRecord } from './idempotency';
import { TENANCY_ENTITIES, TENANT_FILTER, TenantEntity, TenantStampSubscriber, tenantFilter } from './tenancy';

const entities = [...TENANCY_ENTITIES, IdempotencyRecord, ...CRM_ENTITIES];

/**
 * Every entity the ORM knows, listed explicitly (no folder scanning, so the compiled app, the
 * migration CLI and the SWC-compiled tests see the same model), with the tenant filter on every
 * tenant-owned one.
 */
export const ORM_MODEL: OrmModel = {
  entities,
  filters: {
    [TENANT_FILTER]: tenantFilter(entities.filter((entity) => entity.prototype instanceof TenantEntity).map((entity) => entity.name)),
  },
  subscribers: [new TenantStampSubscriber()],
};
