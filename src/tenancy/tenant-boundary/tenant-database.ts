import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, IsolationLevel, TransactionOptions } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { MissingTenantContextError, RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { RUNTIME_DB_ROLE } from '../../database';
import { queryOnPooledConnection } from '../../platform';
import { ReplicaRouting } from './replica-routing';
import { TENANT_FILTER } from './tenant-entity';
import { CommitPosition, installTransactionPrelude, withTransactionPrelude } from './transaction-prelude';

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

/**
 * Statements that change no data. Any other statement of an org transaction (insert, update,
 * delete, a `with` holding one) marks it as a write, whose commit position read-your-writes
 * remembers. Writing functions are called with `select` only by jobs (purge_organization,
 * audit_prune), whose writes no reader waits to see.
 */
const NOT_A_WRITE = /^\s*(select|begin|commit|rollback|savepoint|release|set|show)\b/i;

/** How a read may be served. */
export interface ReadOptions {
  /**
   * A list, search, export or report read: the read replica may serve it (README: Read replica),
   * unless it lags, is down, or has not replayed the org's latest write. Such a transaction is read-only.
   */
  readonly replica?: boolean;
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
    /** Set by the first statement that writes (only while a replica is configured). */
    readonly writes: { wrote: boolean };
  }>();

  /** The statement timeout, as `set_config` takes it. */
  private readonly statementTimeout: string;

  constructor(
    private readonly em: EntityManager,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly routing: ReplicaRouting,
  ) {
    this.statementTimeout = `${config.database.statementTimeoutMs}ms`;
    installTransactionPrelude(em);
    const knex = em.getConnection().getKnex();
    // Only read-your-writes needs to know which transactions wrote: without a replica, no listener.
    if (routing.enabled) {
      knex.on('query', (query: { sql?: string }) => {
        const store = this.ambient.getStore();
        if (store && !store.writes.wrote && !NOT_A_WRITE.test(query.sql ?? '')) store.writes.wrote = true;
      });
    }
  }

  /** Work for the caller's organization, under the tenant filter and RLS. */
  async transaction<T>(work: (em: EntityManager) => Promise<T>, options: ReadOptions = {}): Promise<T> {
    return this.run({ orgId: this.context.requireOrgId() }, work, {}, options.replica);
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
  async read<T>(sql: string, params: readonly unknown[], options: ReadOptions = {}): Promise<T[]> {
    return this.readAs(this.context.requireOrgId(), sql, params, options.replica);
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
  forOrganization<T>(orgId: string, work: (em: EntityManager) => Promise<T>, options: ReadOptions = {}): Promise<T> {
    return this.run({ orgId }, work, {}, options.replica);
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

  private async readAs<T>(orgId: string, sql: string, params: readonly unknown[], replica = false): Promise<T[]> {
    if (!orgId) throw new MissingTenantContextError();
    // One statement: a second would run in the same message, with only its rows returned.
    if (sql.includes(';')) throw new Error('TenantDatabase.read() takes one statement, without ";"');
    const outer = this.ambient.getStore();
    if (outer && outer.orgId === orgId) return outer.em.execute<T[]>(sql, [...params]);
    const replicaEm = replica ? await this.routing.replicaFor(orgId) : null;
    if (replicaEm) {
      try {
        return await this.readOn<T>(replicaEm, orgId, sql, params);
      } catch (error) {
        if (!this.routing.retryOnPrimary(error)) throw error;
      }
    }
    return this.readOn<T>(this.em, orgId, sql, params);
  }

  /** The one-round-trip read on the primary's pool or the replica's (same prelude, so RLS binds it on either). */
  private async readOn<T>(em: EntityManager, orgId: string, sql: string, params: readonly unknown[]): Promise<T[]> {
    const platform = em.getPlatform();
    const statement = platform.formatQuery(sql, [...params]);
    const text = `${platform.formatQuery(SET_SCOPE, [this.statementTimeout, orgId, ''])};\n${statement}`;
    // On a pooled connection, reported in knex's query events as the statement alone, so query
    // metrics and the slow-query log see it too.
    return queryOnPooledConnection<T>(em, text, statement);
  }

  private async run<T>(
    scope: Scope,
    work: (em: EntityManager) => Promise<T>,
    options: TransactionOptions = {},
    replica = false,
  ): Promise<T> {
    const orgId = scope && 'orgId' in scope ? scope.orgId : '';
    const outer = this.ambient.getStore();
    if (outer && orgId && outer.orgId === orgId) return work(outer.em);
    const replicaEm = replica && orgId ? await this.routing.replicaFor(orgId) : null;
    if (replicaEm) {
      try {
        return await this.runOn(replicaEm, scope, work, { ...options, readOnly: true });
      } catch (error) {
        if (!this.routing.retryOnPrimary(error)) throw error;
      }
    }
    return this.runOn(this.em, scope, work, replica ? { ...options, readOnly: true } : options);
  }

  private async runOn<T>(
    root: EntityManager,
    scope: Scope,
    work: (em: EntityManager) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T> {
    const orgId = scope && 'orgId' in scope ? scope.orgId : '';
    const userId = scope && 'userId' in scope ? scope.userId : '';
    const afterCommit: (() => Promise<void>)[] = [];
    const writes = { wrote: false };
    // Read-your-writes: a write's commit reads back its WAL position (no round trip of its own), for
    // a request's work and for work outside any request (jobs, queued tasks: an erasure must not be
    // read back from a replica that has not replayed it). Not for the bookkeeping of a credential
    // being checked (an API key's last use: a request without a tenant yet), which changes nothing a
    // list shows and must not send the org's reads to the primary.
    const commit: CommitPosition | undefined =
      orgId && this.routing.enabled && !options.readOnly && (this.context.tenant !== undefined || this.context.requestId === undefined)
        ? { wanted: () => writes.wrote }
        : undefined;
    // `true` makes both settings local to this transaction; they go in the same message as BEGIN.
    const setScope = root.getPlatform().formatQuery(SET_SCOPE, [this.statementTimeout, orgId, userId]);
    const result = await withTransactionPrelude(
      setScope,
      (sentWithBegin) =>
        root.fork({ useContext: false }).transactional(async (em) => {
          if (!sentWithBegin()) await em.execute(setScope);
          if (!orgId) return work(em);
          em.setFilterParams(TENANT_FILTER, { orgId });
          return this.ambient.run({ orgId, em, afterCommit, writes }, () => work(em));
        }, options),
      commit,
    );
    // Before the cache invalidations below: a read that sees their new versions must find this write's position.
    if (commit && writes.wrote) await this.routing.committed(orgId, commit.position, this.em);
    for (const effect of afterCommit) await effect();
    return result;
  }
}
