import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { knexClientOf, knexPoolOf, knexQueryId } from './knex-client';

/**
 * Fails when knex (through @mikro-orm/knex) moves what knex-client.ts relies on. No connection is
 * opened: the pool starts empty and nothing is queried.
 */
describe('knex client internals', () => {
  let orm: MikroORM;

  beforeAll(() => {
    orm = MikroORM.initSync({
      driver: PostgreSqlDriver,
      clientUrl: 'postgres://nobody@127.0.0.1:1/unused_test',
      entities: [],
      discovery: { warnWhenNoEntities: false },
      connect: false,
      pool: { min: 0, max: 3 },
    });
  });

  afterAll(() => orm.close(true));

  it('lends and takes back pooled connections with the methods TenantDatabase.read calls', () => {
    const client = knexClientOf(orm.em);

    expect(typeof client.acquireConnection).toBe('function');
    expect(client.acquireConnection.length).toBe(0);
    expect(typeof client.releaseConnection).toBe('function');
    expect(client.releaseConnection.length).toBe(1);
    expect(typeof client.transaction).toBe('function');
  });

  it('exposes its pool with the counters the pool gauge reads', () => {
    const pool = knexPoolOf(orm.em)();

    expect(pool).toBeDefined();
    expect({ used: pool!.numUsed(), free: pool!.numFree(), pending: pool!.numPendingAcquires(), max: pool!.max }).toEqual({
      used: 0,
      free: 0,
      pending: 0,
      max: 3,
    });
  });

  it('re-emits the query events the client emits on the knex instance, where the metrics listen', () => {
    const knex = orm.em.getConnection().getKnex();
    const seen: unknown[] = [];
    const listener = (event: unknown) => seen.push(event);
    knex.on('query', listener);
    knex.on('query-response', (_rows: unknown, event: unknown) => seen.push(event));
    const event = { __knexQueryUid: 'spec-1', sql: 'select 1', bindings: [] };

    knexClientOf(orm.em).emit('query', event);
    knexClientOf(orm.em).emit('query-response', [], event);

    expect(seen).toEqual([event, event]);
    expect(knexQueryId(seen[0])).toBe('spec-1');
    knex.removeAllListeners('query');
    knex.removeAllListeners('query-response');
  });

  it('gives every compiled statement the query id its events carry', () => {
    const compiled = orm.em.getConnection().getKnex().select(orm.em.getConnection().getKnex().raw('1')).toSQL();

    expect(knexQueryId(compiled)).toEqual(expect.stringMatching(/.+/));
    expect(knexQueryId({ sql: 'select 1' })).toBeUndefined();
  });
});
