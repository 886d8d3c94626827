import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import { extendTransactions } from '../../platform';
import { WalPosition, walPositionOf } from './wal-position';

interface Prelude {
  readonly sql: string;
  sent: boolean;
  readonly commit?: CommitPosition;
}

/**
 * Asks for the WAL position right after the transaction commits, when `wanted()` says so at commit
 * time (it wrote, say): read-your-writes on the replica compares it with the replica's replay
 * position. Sent in the same message as `COMMIT`, so it costs no round trip. `position` stays
 * undefined when the commit failed (nothing to read back) or the answer could not be read.
 */
export interface CommitPosition {
  wanted(): boolean;
  position?: WalPosition;
}

/**
 * Sent after `COMMIT`, in the same message: in a transaction that failed, `COMMIT` rolls back
 * exactly as a plain one would, and the position is then read in an implicit transaction of its
 * own. The insert position is at or past the end of the commit record just written, even with
 * asynchronous commit.
 */
const READ_POSITION_AFTER_COMMIT = 'select pg_current_wal_insert_lsn()::text as position';

const preludes = new AsyncLocalStorage<Prelude>();

/**
 * Lets `withTransactionPrelude` reach the transactions of this entity manager's connection pool:
 * the prelude of the context that started a transaction goes in the same message as its `BEGIN`
 * (one round trip, one transaction), and a commit reads back its WAL position when asked to.
 */
export function installTransactionPrelude(em: EntityManager): void {
  extendTransactions(em, {
    withBegin() {
      const prelude = preludes.getStore();
      if (!prelude || prelude.sent) return undefined;
      prelude.sent = true;
      return prelude.sql;
    },
    withCommit() {
      const watch = preludes.getStore()?.commit;
      if (!watch?.wanted()) return undefined;
      return {
        sql: READ_POSITION_AFTER_COMMIT,
        read(rows) {
          watch.position = walPositionOf(rows[rows.length - 1]?.[0]?.position as string | undefined);
        },
      };
    },
  });
}

/**
 * Runs `work`, whose first transaction sends `sql` in the same message as its `BEGIN` (a
 * simple-protocol message: the values must already be inlined). `work` gets a function that
 * tells whether that happened, so it can send the statement itself if not. With `commit`, that
 * transaction's commit reads back the WAL position when asked to.
 */
export async function withTransactionPrelude<T>(
  sql: string,
  work: (sent: () => boolean) => Promise<T>,
  commit?: CommitPosition,
): Promise<T> {
  const prelude: Prelude = { sql, sent: false, commit };
  return preludes.run(prelude, () => work(() => prelude.sent));
}
