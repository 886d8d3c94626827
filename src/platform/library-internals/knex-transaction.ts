import { dirname } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { knexClientOf } from './knex-client';

/**
 * Library internal: knex's PostgreSQL transaction class, `Transaction_PG` in
 * `knex/lib/dialects/postgres/execution/pg-transaction.js` (not exported by knex), subclassed to
 * override `begin(connection)` and `commit(connection, value)`, reading its `isolationLevel` and
 * `readOnly` fields and calling its `query(connection, sql, status, value)` (status 1 resolves the
 * transaction as knex's own `COMMIT` does); and the knex client's `transaction(...)` factory,
 * replaced so that every transaction of that client is one of ours.
 *
 * Why: knex has no public way to send a statement in the same message as `BEGIN` or `COMMIT`, and
 * the tenant boundary needs both (tenant-boundary/transaction-prelude.ts): the scope goes with
 * `BEGIN` (one round trip, not two), and a commit can read back its WAL position at no cost.
 *
 * It is the knex that @mikro-orm/knex itself loads (pinned through it and the lockfile), resolved
 * from there. knex-transaction.spec.ts fails when that file, the class or its methods move.
 */
export const KNEX_PG_TRANSACTION_FILE = 'knex/lib/dialects/postgres/execution/pg-transaction';

/** A pg client, as knex hands it to a transaction. */
interface PgConnection {
  query(sql: string): Promise<unknown>;
}

interface KnexPgTransaction {
  readonly isolationLevel?: string;
  readonly readOnly?: boolean;
  begin(connection: PgConnection): Promise<unknown>;
  commit(connection: PgConnection, value: unknown): Promise<unknown>;
  query(connection: PgConnection, sql: string, status?: number, value?: unknown): Promise<unknown>;
}

export type KnexPgTransactionClass = new (...args: unknown[]) => KnexPgTransaction;

/** The class itself, as knex's client instantiates it for a PostgreSQL transaction. */
export function knexPgTransactionClass(): KnexPgTransactionClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(
    require.resolve(KNEX_PG_TRANSACTION_FILE, { paths: [dirname(require.resolve('@mikro-orm/knex'))] }),
  ) as KnexPgTransactionClass;
}

/** The rows of each statement of a multi-statement message, as pg answers it (one result per statement). */
export type StatementRows = readonly (readonly Record<string, unknown>[] | undefined)[];

/**
 * What a client's transactions send beyond knex's own statements. Both hooks are asked on every
 * transaction (savepoints of nested ones excluded: knex does not call `begin`/`commit` for those).
 */
export interface TransactionStatements {
  /** Statements to send in the same message as `BEGIN`, after it; undefined to send `BEGIN` alone. */
  withBegin(): string | undefined;
  /**
   * Statements to send in the same message as `COMMIT`, after it, and what to do with their answer
   * (the rows of every statement of the message, `COMMIT`'s first); undefined to send `COMMIT` alone.
   */
  withCommit(): { readonly sql: string; read(rows: StatementRows): void } | undefined;
}

/**
 * Makes every transaction of this entity manager's knex client send `statements` with its `BEGIN`
 * and its `COMMIT`. Costs nothing when a hook answers undefined: knex's own methods run then.
 */
export function extendTransactions(em: EntityManager, statements: TransactionStatements): void {
  const client = knexClientOf(em);
  const Extended = extendedTransactionClass(statements);
  client.transaction = function transaction(this: unknown, ...args: unknown[]) {
    return new Extended(this, ...args);
  };
}

function extendedTransactionClass(statements: TransactionStatements): KnexPgTransactionClass {
  return class TransactionWithStatements extends knexPgTransactionClass() {
    override async begin(connection: PgConnection): Promise<unknown> {
      const sql = statements.withBegin();
      if (sql === undefined) return super.begin(connection);
      // The mode as knex's own PostgreSQL `begin` writes it.
      const mode = [this.isolationLevel ? `ISOLATION LEVEL ${this.isolationLevel}` : '', this.readOnly ? 'READ ONLY' : ''].join(' ').trim();
      try {
        return await connection.query(`BEGIN${mode ? ` TRANSACTION ${mode}` : ''}; ${sql}`);
      } catch (error) {
        // BEGIN may have run and the statements failed after it: end that aborted transaction here,
        // or the connection would go back to the pool inside it. The error fails the transaction.
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }

    override async commit(connection: PgConnection, value: unknown): Promise<unknown> {
      const after = statements.withCommit();
      if (!after) return super.commit(connection, value);
      // Status 1: knex resolves the transaction with `value`, exactly as after its own `COMMIT`.
      const result = await this.query(connection, `COMMIT; ${after.sql}`, 1, value);
      // knex resolves with its query object, the driver's answer in `response` (one result per statement).
      const response = (result as { response?: unknown } | undefined)?.response;
      after.read(Array.isArray(response) ? response.map((each) => (each as { rows?: Record<string, unknown>[] } | undefined)?.rows) : []);
      return result;
    }
  };
}
