import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, IsolationLevel, TransactionOptions } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@app/request-context';
import { TENANT_FILTER } from './tenant-entity';

type Scope = { readonly orgId: string } | { readonly userId: string } | null;

/**
 * The one way tenant data is read or written. Every unit of work runs in a transaction whose
 * first statement sets the org (or, before one is chosen, the user) transaction-locally, so
 * PostgreSQL row-level security sees it and it cannot leak to the next user of a pooled (or
 * PgBouncer) connection. The entity manager carries the same org for the ORM's tenant filter.
 * A transaction for an org started inside another for the same org joins it, so a request's
 * steps (an idempotency record and the row it creates) commit or roll back together.
 */
@Injectable()
export class TenantDatabase {
  private readonly ambient = new AsyncLocalStorage<{
    readonly orgId: string;
    readonly em: EntityManager;
    readonly afterCommit: (() => Promise<void>)[];
  }>();

  constructor(
    private readonly em: EntityManager,
    private readonly context: RequestContext,
  ) {}

  /** Work for the caller's organization, under the tenant filter and RLS. */
  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId: this.context.requireOrgId() }, work);
  }

  /**
   * Read-only work for the caller's organization that must see one consistent snapshot across
   * several statements (REPEATABLE READ): verifying a chain while retention prunes it, say.
   */
  snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId: this.context.requireOrgId() }, work, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  }

  /**
   * Work for an organization named by a credential being checked (session, API key, invitation
   * token) before the request has a tenant context. Filter and RLS apply as usual.
   */
  forOrganization<T>(orgId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId }, work);
  }

  /**
   * Work for a user before an organization is chosen (login, listing their organizations): RLS
   * shows them their own memberships and no other tenant row. Queries on memberships must opt
   * out of the ORM filter explicitly (`filters: { tenant: false }`).
   */
  asUser<T>(userId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ userId }, work);
  }

  /** Work on the tables that are not tenant-owned (users, organizations): RLS shows no tenant row. */
  global<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run(null, work);
  }

  /**
   * Runs `effect` once the current unit of work has committed (at once outside one): cache
   * invalidation must not happen before the data it describes is visible to other connections.
   */
  async afterCommit(effect: () => Promise<void>): Promise<void> {
    const outer = this.ambient.getStore();
    if (outer) outer.afterCommit.push(effect);
    else await effect();
  }

  private async run<T>(scope: Scope, work: (em: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const orgId = scope && 'orgId' in scope ? scope.orgId : '';
    const userId = scope && 'userId' in scope ? scope.userId : '';
    const outer = this.ambient.getStore();
    if (outer && orgId && outer.orgId === orgId) return work(outer.em);
    const afterCommit: (() => Promise<void>)[] = [];
    const result = await this.em.fork({ useContext: false }).transactional(async (em) => {
      // One round trip sets both; `true` makes them local to this transaction.
      await em.execute("select set_config('app.org_id', ?, true), set_config('app.user_id', ?, true)", [orgId, userId]);
      if (!orgId) return work(em);
      em.setFilterParams(TENANT_FILTER, { orgId });
      return this.ambient.run({ orgId, em, afterCommit }, () => work(em));
    }, options);
    for (const effect of afterCommit) await effect();
    return result;
  }
}
