import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { loadConfig, withDatabaseUrl } from '../../../src/config';
import { applyMigrations } from '../../../src/database/migrate';
import { RUNTIME_DB_ROLE } from '../../../src/database/orm-options';
import { Signed, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { call, metric } from '../caching/http-helpers';
import { eventually } from '../caching/private-redis';
import { PrivatePostgres } from '../faults/private-postgres';

/**
 * The streaming read replica (DATABASE_REPLICA_URL) on a PostgreSQL of the test's own and a
 * `pg_basebackup -R` copy of it. Replay is paused on the replica (`pg_wal_replay_pause()`) to make
 * its lag deterministic: a row is then on the primary and not on the replica until replay resumes,
 * which shows where each read was served. Rows inserted with plain SQL on the primary are unknown
 * to the app (no write of its own), so only the replica's state decides where their org's reads go.
 */
const RYW_ROUNDS = 25;

interface ListBody {
  readonly data: { id: string; lastName: string }[];
}

let primary: PrivatePostgres;
let replica: PrivatePostgres;
/** As the owner, straight to each server. */
let primarySql: Client;
let replicaSql: Client;
/** DATABASE_REPLICA_MAX_LAG_MS of an hour: the replica stays `up` while replay is paused. */
let app: NestFastifyApplication;
/** DATABASE_REPLICA_MAX_LAG_MS of 10 ms: a paused replay with a write behind it makes the replica `lagging`. */
let strictApp: NestFastifyApplication;
let orgA: Signed;
let orgB: Signed;
let writerA: string;
let colleagueA: string;
let readerB: string;

async function list(target: NestFastifyApplication, token: string, query: string): Promise<ListBody['data']> {
  const response = await call(target, 'GET', `/v1/contacts?${query}`, token);
  expect(response.statusCode).toBe(200);
  return (response.json() as ListBody).data;
}

async function replicaDetail(target: NestFastifyApplication): Promise<{ status: number; replica: Record<string, unknown> }> {
  const response = await target.inject({ method: 'GET', url: '/health/ready' });
  return {
    status: response.statusCode,
    replica: (response.json() as { details: Record<string, Record<string, unknown>> }).details.replica,
  };
}

async function pauseReplay(): Promise<void> {
  await replicaSql.query('select pg_wal_replay_pause()');
  expect(await eventually(async () => (await replicaSql.query(`select pg_get_wal_replay_pause_state() = 'paused' as p`)).rows[0].p)).toBe(
    true,
  );
}

/** Resumes replay and waits until the replica has replayed everything the primary had written. */
async function resumeReplay(): Promise<void> {
  await replicaSql.query('select pg_wal_replay_resume()');
  const { lsn } = (await primarySql.query('select pg_current_wal_lsn()::text as lsn')).rows[0] as { lsn: string };
  expect(
    await eventually(async () => (await replicaSql.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as r', [lsn])).rows[0].r),
  ).toBe(true);
}

/** A contact the app never wrote (so it knows of no write to wait for): visible on the replica only once replayed. */
async function insertBehindTheAppsBack(orgId: string, lastName: string): Promise<void> {
  await primarySql.query(`insert into contacts (id, org_id, first_name, last_name) values ($1, $2, 'Direct', $3)`, [
    randomUUID(),
    orgId,
    lastName,
  ]);
}

/** A client as the owner; stopping its server ends it (the error is expected, not unhandled). */
async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

beforeAll(async () => {
  Logger.overrideLogger(['error']); // migrations log each step, the replica its state changes
  primary = await PrivatePostgres.start();
  await applyMigrations(withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'test' }), primary.url));
  replica = await primary.startReplica();
  primarySql = await connect(primary.url);
  replicaSql = await connect(replica.url);
  const env = { DATABASE_URL: primary.url, DATABASE_REPLICA_URL: replica.url, DATABASE_POOL_MAX: '4', DATABASE_REPLICA_POOL_MAX: '4' };
  ({ app } = await createTestApp({ env: { ...env, DATABASE_REPLICA_MAX_LAG_MS: '3600000' } }));
  ({ app: strictApp } = await createTestApp({ env: { ...env, DATABASE_REPLICA_MAX_LAG_MS: '10' } }));
  orgA = await signup(app, { organizationName: 'Replica org A' });
  orgB = await signup(app, { organizationName: 'Replica org B' });
  writerA = (await createApiKey(app, orgA, ['contacts:read', 'contacts:write'], 'writer')).secret;
  colleagueA = (await createApiKey(app, orgA, ['contacts:read'], 'colleague')).secret;
  readerB = (await createApiKey(app, orgB, ['contacts:read', 'contacts:write'], 'reader')).secret;
  expect(await eventually(async () => (await replicaDetail(app)).replica?.state === 'up')).toBe(true);
}, 120_000);

afterAll(async () => {
  await replicaSql?.query('select pg_wal_replay_resume()').catch(() => undefined);
  await replicaSql?.end().catch(() => undefined);
  await primarySql?.end().catch(() => undefined);
  await app?.close();
  await strictApp?.close();
  await replica?.dispose();
  await primary?.dispose();
});

describe('Read replica (e2e)', () => {
  it('lets a writer read its own writes at once while replay is paused, from the primary', async () => {
    const readYourWritesBefore = await metric(app, 'atrium_db_replica_fallback_total', { reason: 'read_your_writes' });
    await pauseReplay();
    let stale = 0;
    try {
      for (let round = 0; round < RYW_ROUNDS; round++) {
        const lastName = `ryw-${round}-${randomUUID().slice(0, 8)}`;
        expect((await call(app, 'POST', '/v1/contacts', writerA, { firstName: 'Own', lastName })).statusCode).toBe(201);
        // The writer, and a colleague of the same org (the caches are per org, so positions are too).
        for (const token of [writerA, colleagueA]) {
          if (!(await list(app, token, `q=${lastName}`)).some((contact) => contact.lastName === lastName)) stale += 1;
        }
      }
      expect(stale).toBe(0);
      // The replica really was behind: every one of those reads was sent to the primary for it.
      expect(await metric(app, 'atrium_db_replica_fallback_total', { reason: 'read_your_writes' })).toBeGreaterThanOrEqual(
        readYourWritesBefore + 2 * RYW_ROUNDS,
      );
      expect((await replicaSql.query(`select count(*)::int as n from contacts where last_name like 'ryw-%'`)).rows[0].n).toBe(0);
    } finally {
      await resumeReplay();
    }
  });

  it('serves another organization’s lists from the replica: a row not replayed yet is not in them until replay resumes', async () => {
    await pauseReplay();
    const lastName = `replica-only-${randomUUID().slice(0, 8)}`;
    try {
      await insertBehindTheAppsBack(orgB.orgId, lastName);
      expect(await list(app, readerB, `q=${lastName}&limit=10`)).toEqual([]);
    } finally {
      await resumeReplay();
    }
    // Another URL: the empty page above stays in the response cache under its own key.
    expect((await list(app, readerB, `q=${lastName}&limit=11`)).map((contact) => contact.lastName)).toEqual([lastName]);
  });

  it('keeps row-level security on the replica: org B never sees org A’s rows through it', async () => {
    const aRows = (await primarySql.query('select count(*)::int as n from contacts where org_id = $1', [orgA.orgId])).rows[0].n as number;
    expect(aRows).toBeGreaterThan(0);
    const fallbacksBefore = await metric(app, 'atrium_db_replica_fallback_total');
    const seen = await list(app, readerB, 'limit=100');
    expect(seen.length).toBeGreaterThan(0);
    const leaked = await primarySql.query('select count(*)::int as n from contacts where org_id = $1 and id = any($2::uuid[])', [
      orgA.orgId,
      seen.map((contact) => contact.id),
    ]);
    expect(leaked.rows[0].n).toBe(0);
    // That read was the replica's (no fallback of any kind)...
    expect(await metric(app, 'atrium_db_replica_fallback_total')).toBe(fallbacksBefore);
    // ...and RLS itself holds there: the runtime role, set for org B, counts none of org A's rows.
    await replicaSql.query('begin');
    try {
      await replicaSql.query(`select set_config('role', '${RUNTIME_DB_ROLE}', true), set_config('app.org_id', $1, true)`, [orgB.orgId]);
      expect((await replicaSql.query('select count(*)::int as n from contacts where org_id = $1', [orgA.orgId])).rows[0].n).toBe(0);
    } finally {
      await replicaSql.query('rollback');
    }
  });

  it('sends reads to the primary while the replica lags beyond the bound, and back once it caught up', async () => {
    await pauseReplay();
    const lastName = `lagging-${randomUUID().slice(0, 8)}`;
    try {
      await insertBehindTheAppsBack(orgB.orgId, lastName);
      expect(await eventually(async () => (await replicaDetail(strictApp)).replica?.state === 'lagging')).toBe(true);
      const lagging = await replicaDetail(strictApp);
      expect(lagging.status).toBe(200);
      expect(lagging.replica.lagSeconds as number).toBeGreaterThan(0.01);
      // One gauge for the whole test process, which both instances' probes set: wait for the lag to show in it.
      expect(await eventually(async () => (await metric(strictApp, 'atrium_db_replica_lag_seconds')) > 0.01)).toBe(true);
      const laggingBefore = await metric(strictApp, 'atrium_db_replica_fallback_total', { reason: 'lagging' });
      // The strict instance reads the primary; the lenient one, the paused replica.
      expect((await list(strictApp, readerB, `q=${lastName}&limit=10`)).map((contact) => contact.lastName)).toEqual([lastName]);
      expect(await list(app, readerB, `q=${lastName}&limit=12`)).toEqual([]);
      expect(await metric(strictApp, 'atrium_db_replica_fallback_total', { reason: 'lagging' })).toBe(laggingBefore + 1);
    } finally {
      await resumeReplay();
    }
    expect(await eventually(async () => (await replicaDetail(strictApp)).replica?.state === 'up')).toBe(true);
  });

  it('answers lists from the primary while the replica is stopped, and stays ready reporting it down', async () => {
    const lastName = `while-down-${randomUUID().slice(0, 8)}`;
    expect((await call(app, 'POST', '/v1/contacts', readerB, { firstName: 'Down', lastName })).statusCode).toBe(201);
    await replica.stop();
    try {
      // At once (its pooled connections were terminated) and after the probe noticed.
      expect(await list(app, colleagueA, 'limit=5')).toHaveLength(5);
      expect(await eventually(async () => (await replicaDetail(app)).replica?.state === 'down')).toBe(true);
      const ready = await replicaDetail(app);
      expect(ready.status).toBe(200);
      expect(ready.replica).toMatchObject({ status: 'up', state: 'down' });
      for (let i = 0; i < 5; i++) {
        expect((await list(app, readerB, `q=${lastName}&limit=${20 + i}`)).map((contact) => contact.lastName)).toEqual([lastName]);
      }
      expect(await metric(app, 'atrium_db_replica_fallback_total', { reason: 'down' })).toBeGreaterThanOrEqual(5);
      expect(Number.isNaN(await metric(app, 'atrium_db_replica_lag_seconds'))).toBe(true);
    } finally {
      await replica.resume();
      replicaSql = await connect(replica.url);
    }
    expect(await eventually(async () => (await replicaDetail(app)).replica?.state === 'up', 15_000)).toBe(true);
  });
});
