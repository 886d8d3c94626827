import { dirname } from 'node:path';
import { KNEX_PG_TRANSACTION_FILE, knexPgTransactionClass } from './knex-transaction';

type Recorded = { sql: string; status?: number; value?: unknown };

/** `this` for one of the class's methods: the fields it reads and a `query` that records what it sends. */
function transactionFields(fields: { isolationLevel?: string; readOnly?: boolean }) {
  const sent: Recorded[] = [];
  return {
    sent,
    self: {
      ...fields,
      query: (_connection: unknown, sql: string, status?: number, value?: unknown) => Promise.resolve(sent.push({ sql, status, value })),
    },
  };
}

/** Fails when knex (as @mikro-orm/knex loads it) moves or changes the class knex-transaction.ts extends. */
describe("knex's PostgreSQL transaction class", () => {
  it('is at the file knex-transaction.ts resolves, beside the knex @mikro-orm/knex loads', () => {
    const file = require.resolve(KNEX_PG_TRANSACTION_FILE, { paths: [dirname(require.resolve('@mikro-orm/knex'))] });

    expect(file).toMatch(/knex[\\/]lib[\\/]dialects[\\/]postgres[\\/]execution[\\/]pg-transaction\.js$/);
    expect(typeof knexPgTransactionClass()).toBe('function');
  });

  it('has the methods the subclass overrides and calls, with the arities it passes', () => {
    const prototype = knexPgTransactionClass().prototype as unknown as Record<string, (...args: unknown[]) => unknown>;

    expect({ begin: prototype.begin.length, commit: prototype.commit.length, query: prototype.query.length }).toEqual({
      begin: 1,
      commit: 2,
      query: 4,
    });
  });

  it('writes BEGIN with the mode as the subclass writes it', async () => {
    const { sent, self } = transactionFields({ isolationLevel: 'repeatable read', readOnly: true });
    const plain = transactionFields({});

    await knexPgTransactionClass().prototype.begin.call(self, {});
    await knexPgTransactionClass().prototype.begin.call(plain.self, {});

    expect(sent).toEqual([{ sql: 'BEGIN TRANSACTION ISOLATION LEVEL repeatable read READ ONLY;' }]);
    expect(plain.sent).toEqual([{ sql: 'BEGIN;' }]);
  });

  it('commits through query() with status 1 and the value, as the subclass does', async () => {
    const { sent, self } = transactionFields({});

    await knexPgTransactionClass().prototype.commit.call(self, {}, 'the result');

    expect(sent).toEqual([{ sql: 'COMMIT;', status: 1, value: 'the result' }]);
  });

  it('is the class the PostgreSQL client instantiates for a transaction', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const knex = require(require.resolve('knex', { paths: [dirname(require.resolve('@mikro-orm/knex'))] })) as (config: object) => {
      client: { transaction: () => unknown };
      destroy(): Promise<void>;
    };
    const instance = knex({ client: 'pg' });

    expect(instance.client.transaction.toString()).toMatch(/new Transaction\(this, \.\.\.arguments\)/);
    return instance.destroy();
  });
});
