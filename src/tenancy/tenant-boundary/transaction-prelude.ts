import { AsyncLocalStorage } from 'node:async_hooks';
import { dirname } from 'node:path';

/** A pg client, as knex hands it to a transaction. */
interface PgConnection {
  query(sql: string): Promise<unknown>;
}

interface KnexPgTransaction {
  readonly isolationLevel?: string;
  readonly readOnly?: boolean;
  begin(connection: PgConnection): Promise<unknown>;
}

type KnexPgTransactionClass = new (...args: unknown[]) => KnexPgTransaction;

interface KnexClient {
  transaction(...args: unknown[]): unknown;
}

/**
 * knex's PostgreSQL transaction, extended below. knex offers no public way to send a statement
 * together with `BEGIN`, so this is the one place that reaches into it. It is the knex that
 * @mikro-orm/knex itself loads (pinned through it and the lockfile), resolved from there; the
 * tenant-context e2e suite checks the round trip.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PgTransaction = require(
  require.resolve('knex/lib/dialects/postgres/execution/pg-transaction', { paths: [dirname(require.resolve('@mikro-orm/knex'))] }),
) as KnexPgTransactionClass;

interface Prelude {
  readonly sql: string;
  sent: boolean;
}

const preludes = new AsyncLocalStorage<Prelude>();

/** Sends the prelude of the context that started it in the same message as `BEGIN`: one round trip, one transaction. */
class TransactionWithPrelude extends PgTransaction {
  override async begin(connection: PgConnection): Promise<unknown> {
    const prelude = preludes.getStore();
    if (!prelude || prelude.sent) return super.begin(connection);
    prelude.sent = true;
    const mode = [this.isolationLevel ? `ISOLATION LEVEL ${this.isolationLevel}` : '', this.readOnly ? 'READ ONLY' : ''].join(' ').trim();
    try {
      return await connection.query(`BEGIN${mode ? ` TRANSACTION ${mode}` : ''}; ${prelude.sql}`);
    } catch (error) {
      // BEGIN may have run and the prelude failed after it: end that aborted transaction here, or
      // the connection would go back to the pool inside it. The error fails the transaction.
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** Lets `withTransactionPrelude` reach the transactions of this knex client. */
export function installTransactionPrelude(client: KnexClient): void {
  client.transaction = function transaction(this: KnexClient, ...args: unknown[]) {
    return new TransactionWithPrelude(this, ...args);
  };
}

/**
 * Runs `work`, whose first transaction sends `sql` in the same message as its `BEGIN` (a
 * simple-protocol message: the values must already be inlined). `work` gets a function that
 * tells whether that happened, so it can send the statement itself if not.
 */
export async function withTransactionPrelude<T>(sql: string, work: (sent: () => boolean) => Promise<T>): Promise<T> {
  const prelude: Prelude = { sql, sent: false };
  return preludes.run(prelude, () => work(() => prelude.sent));
}
