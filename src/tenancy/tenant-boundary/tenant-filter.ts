import { EntityManager, EventArgs, EventSubscriber, Options } from '@mikro-orm/postgresql';
import { AppError } from '@app/http';
import { MissingTenantContextError } from '@app/request-context';
import { TENANT_FILTER, TenantEntity } from './tenant-entity';

export interface TenantFilterParams {
  readonly orgId: string;
}

export function tenantFilterParams(em: EntityManager): TenantFilterParams | undefined {
  return em.getFilterParams<TenantFilterParams>(TENANT_FILTER);
}

/**
 * Layer 2 of the tenant boundary: every read of a tenant-owned entity is scoped to the org of the
 * entity manager (set by TenantDatabase). An entity manager without one throws: a missing org
 * must never become `org_id IS NULL`, or no condition at all.
 */
type FilterOptions = NonNullable<Options['filters']>[string];

export function tenantFilter(tenantEntityNames: readonly string[]): FilterOptions {
  return {
    default: true,
    // Called without parameters too, so the missing org surfaces as our own error.
    args: false,
    entity: [...tenantEntityNames],
    cond: (args: Partial<TenantFilterParams> | undefined) => {
      if (!args?.orgId) throw new MissingTenantContextError();
      return { organization: args.orgId };
    },
  };
}

/** A tenant-owned record naming another org than its entity manager's is refused before any SQL runs. */
export class TenantStampSubscriber implements EventSubscriber<TenantEntity> {
  beforeCreate(args: EventArgs<TenantEntity>): void {
    if (!(args.entity instanceof TenantEntity)) return;
    const orgId = tenantFilterParams(args.em as EntityManager)?.orgId;
    if (!orgId) throw new MissingTenantContextError();
    if (args.entity.organization.id !== orgId) {
      throw new AppError('internal', 'TENANT_MISMATCH', 'A tenant-owned record named another organization than the caller.');
    }
  }
}
