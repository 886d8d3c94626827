import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, IsolationLevel, TransactionOptions } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { MissingTenantContextError, RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { RUNTIME_DB_ROLE } from '../../database';
import { TENANT_FILTER } from './tenant-entity';
import { installTransactionPrelude, withTransactionPrelude } from './transaction-prelude';

type Scope = { readonly orgId: string } | { readonly userId: string } | null;

/**
 * The first statement of every transaction: the runtime role, the statement timeout and the org
 * (or user) it acts for, as RLS reads them, all transaction-local. The role and the timeout are
 * also connection start-up options (orm-options.ts), but PgBouncer in transaction mode must be
 * told to ignore start-up options, and then the session would run as the login user (an owner or
 * superuser bypasses RLS): set here, they hold behind any pooler.
 */
const SET_SCOPE = `select set_config('role', '${RUNTIME_DB_ROLE}', true), set_config('statement_timeout', ?, true),
  set_config('app.org_id', ?, true), set_config('app.user_id', ?, true)`;

/** Ids for the query events of one-round-trip reads: a counter, no random bytes per read. */
let readEventCount = 0;

/** The slice of knex's client the one-round-trip read uses: its pool and its query events. */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
  emit(event: string, ...args: unknown[]): boolean;
}

interface PgConnection {
  query(sql: string): Promise<{ rows: unknown[] } | { rows: unknown[] }[]>;
}

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

  /** The statement timeout, as `set_config` takes it. */
  private readonly statementTimeout: string;

  constructor(
    private readonly em: EntityManager,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.statementTimeout = `${config.database.statementTimeoutMs}ms`;
    installTransactionPrelude(em.getConnection().getKnex().client as never);
  }

  /** Work for the caller's organization, under the tenant filter and RLS. */
  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId: this.context.requireOrgId() }, work);
  }

  /**
   * One read-only statement (written with `?` placeholders) for the caller's organization, in a
   * single round trip: the org is set transaction-locally and the statement runs in the same
   * implicit transaction, because PostgreSQL runs a simple-protocol message holding several
   * statements as one transaction. RLS binds it as in `transaction()` and the setting ends with it.
   * The values are inlined by the ORM's own formatter, as for every other statement. For the
   * hottest reads, which need neither the unit of work nor a second statement: it saves `BEGIN`,
   * `COMMIT` and two round trips. Inside a transaction for the same org it joins that transaction.
   * A failure comes back as the driver's error (pg's `DatabaseError`), not as an ORM exception.
   */
  async read<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.readAs(this.context.requireOrgId(), sql, params);
  }

  /** `read()` for an organization named by a credential being checked, before the request has a tenant context. */
  async readForOrganization<T>(orgId: string, sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.readAs(orgId, sql, params);
  }

  /**
   * Read-only work for the caller's organization that must see one consistent snapshot across
   * several statements (REPEATABLE READ): verifying a chain while retention prunes it, say.
   */
  snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId: this.context.requireOrgId() }, work, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  }

  /**
   * `snapshot()` for an organization named by a job rather than by the request context: reads that
   * must see one consistent state across many statements (an export read in batches, say).
   */
  snapshotOf<T>(orgId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run({ orgId }, work, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
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

  private async readAs<T>(orgId: string, sql: string, params: readonly unknown[]): Promise<T[]> {
    if (!orgId) throw new MissingTenantContextError();
    // One statement: a second would run in the same message, with only its rows returned.
    if (sql.includes(';')) throw new Error('TenantDatabase.read() takes one statement, without ";"');
    const outer = this.ambient.getStore();
    if (outer && outer.orgId === orgId) return outer.em.execute<T[]>(sql, [...params]);
    const platform = this.em.getPlatform();
    const statement = platform.formatQuery(sql, [...params]);
    const text = `${platform.formatQuery(SET_SCOPE, [this.statementTimeout, orgId, ''])};\n${statement}`;
    const client = this.em.getConnection().getKnex().client as unknown as KnexClient;
    // knex's own query events, so query metrics and the slow-query log see this statement too.
    const event = { __knexQueryUid: `atrium-read-${++readEventCount}`, sql: statement, bindings: [] };
    const connection = await client.acquireConnection();
    try {
      client.emit('query', event);
      const results = await connection.query(text);
      const rows = (Array.isArray(results) ? results[results.length - 1].rows : results.rows) as T[];
      client.emit('query-response', rows, event);
      return rows;
    } catch (error) {
      client.emit('query-error', error, event);
      throw error;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private async run<T>(scope: Scope, work: (em: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const orgId = scope && 'orgId' in scope ? scope.orgId : '';
    const userId = scope && 'userId' in scope ? scope.userId : '';
    const outer = this.ambient.getStore();
    if (outer && orgId && outer.orgId === orgId) return work(outer.em);
    const afterCommit: (() => Promise<void>)[] = [];
    // `true` makes both settings local to this transaction; they go in the same message as BEGIN.
    const setScope = this.em.getPlatform().formatQuery(SET_SCOPE, [this.statementTimeout, orgId, userId]);
    const result = await withTransactionPrelude(setScope, (sentWithBegin) =>
      this.em.fork({ useContext: false }).transactional(async (em) => {
        if (!sentWithBegin()) await em.execute(setScope);
        if (!orgId) return work(em);
        em.setFilterParams(TENANT_FILTER, { orgId });
        return this.ambient.run({ orgId, em, afterCommit }, () => work(em));
      }, options),
    );
    for (const effect of afterCommit) await effect();
    return result;
  }
}
