import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Library internal: knex's `Client` object (`knex.client`, which knex types as `any`) and the
 * shape of its query events:
 * - `acquireConnection()` / `releaseConnection(connection)`: how knex's own runner borrows a
 *   connection from its pool (tarn) and gives it back;
 * - `pool`: that tarn pool (`numUsed`, `numFree`, `numPendingAcquires`, `max`), read by the pool gauge;
 * - `emit('query' | 'query-response' | 'query-error', ...)`: the events knex re-emits on the
 *   knex instance, and `__knexQueryUid`, the id knex gives a statement in them (knex documents the
 *   events, not this field);
 * - `transaction(...)`: the factory knex-transaction.ts replaces.
 *
 * Why: the tenant boundary's hottest reads send the scope and the statement in one message on a
 * pooled connection (one round trip instead of four, TenantDatabase.read), which knex has no public
 * API for; those statements must still show in the query metrics and the slow-query log, which
 * listen to knex's query events. knex-client.spec.ts fails when any of these moves.
 */
export interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  readonly max: number;
}

/** A pg client as knex's pool lends it. */
interface PgConnection {
  query(sql: string): Promise<PgResult | PgResult[]>;
}

interface PgResult {
  readonly rows: unknown[];
}

export interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
  emit(event: string, ...args: unknown[]): boolean;
  transaction(...args: unknown[]): unknown;
  readonly pool?: KnexPool;
}

/** The knex client behind an entity manager (MikroORM's public `getKnex()`, then knex's untyped `client`). */
export function knexClientOf(em: EntityManager): KnexClient {
  return em.getConnection().getKnex().client as KnexClient;
}

/** The pool the client currently has (none before the first connection, or after `destroy()`). */
export function knexPoolOf(em: EntityManager): () => KnexPool | undefined {
  const client = knexClientOf(em);
  return () => client.pool;
}

/** The id knex gives a statement in its `query`, `query-response` and `query-error` events. */
export function knexQueryId(event: unknown): string | undefined {
  const id = (event as { __knexQueryUid?: unknown } | null | undefined)?.__knexQueryUid;
  return typeof id === 'string' ? id : undefined;
}

/** Ids for the query events of statements sent here: a counter, no random bytes per statement. */
let sentCount = 0;

/**
 * Sends `text` (one simple-protocol message: several statements, values already inlined, which
 * PostgreSQL runs as one implicit transaction) on a connection of the entity manager's pool, and
 * returns the rows of its last statement. knex's query events report it as `reported` (the
 * statement that matters, without the preamble), so metrics and the slow-query log see it like any
 * other. A failure comes back as the driver's error (pg's `DatabaseError`).
 */
export async function queryOnPooledConnection<T>(em: EntityManager, text: string, reported: string): Promise<T[]> {
  const client = knexClientOf(em);
  const event = { __knexQueryUid: `atrium-read-${++sentCount}`, sql: reported, bindings: [] };
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
