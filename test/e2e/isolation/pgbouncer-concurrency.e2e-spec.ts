import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { APP_CONFIG, ResolvedConfig, loadConfig, withDatabaseUrl } from '../../../src/config';
import { applyMigrations } from '../../../src/database/migrate';
import { RUNTIME_DB_ROLE } from '../../../src/database/orm-options';
import { TenantDatabase } from '../../../src/tenancy';
import { RuntimeRoleCheck } from '../../../src/tenancy/tenant-boundary/runtime-role-check';
import { PrivatePostgres } from '../faults/private-postgres';
import { bearer, createApiKey, signup } from '../../support/factories';
import { call } from '../../support/client';
import { PrivatePgBouncer } from '../../support/private-pgbouncer';
import { createTestApp } from '../../support/test-app';

/**
 * The tenant boundary through PgBouncer in transaction pooling mode, under load: two app instances
 * share one private pgbouncer whose pool holds POOL_SIZE server connections, so requests of
 * ORGS organizations, each transaction setting its org transaction-locally, take turns on the
 * same few PostgreSQL sessions. Nothing of one org may show in another's answers, and the
 * server connections must really have been few (pg_stat_activity and SHOW POOLS, sampled
 * throughout), or the test proves nothing about multiplexing.
 *
 * Deployed as PgBouncer requires: PgBouncer drops the `options` startup parameter (`-c role=...`)
 * and `statement_timeout`, so the app logs in as LOGIN_ROLE, a member of the runtime role that
 * owns nothing, with the statement timeout set on the role; migrations run as the owner, directly.
 * A PostgreSQL cluster of the test's own, so that role is created on no shared server and every
 * backend of its database is one of pgbouncer's or the sampler's.
 */
const ORGS = 20;
const CONTACTS_PER_ORG = 5;
const POOL_SIZE = 3;
/** Each instance's knex pool: 2 × 12 client connections onto POOL_SIZE server connections. */
const APP_POOL_MAX = 12;
const REQUESTS = 400;
const IN_FLIGHT = 48;
/** The app's login role behind PgBouncer. */
const LOGIN_ROLE = 'atrium_login';

interface Org {
  readonly index: number;
  readonly orgId: string;
  /** An API key: PostgreSQL holds it, so either instance accepts it, with or without Redis. */
  readonly token: string;
  readonly initial: string[];
  readonly ids: Set<string>;
}

interface ContactBody {
  readonly id: string;
  readonly customFields: { org?: string };
}

interface Peaks {
  backends: number;
  serverConnections: number;
  clientConnections: number;
  waitingClients: number;
  samples: number;
}

type Kind = 'list' | 'get' | 'cross' | 'create';
const KINDS: readonly Kind[] = ['list', 'get', 'cross', 'create'];

/** Runs `work` over `items` with at most `limit` at once; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A fixed shuffle (no Math.random): the same interleaving of orgs, kinds and instances on every run. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 0x2f6b;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('Tenant boundary through PgBouncer in transaction pooling mode, under concurrency (e2e)', () => {
  let postgres: PrivatePostgres;
  let bouncer: PrivatePgBouncer;
  /** Straight to PostgreSQL as the owner, outside pgbouncer: for pg_stat_activity. */
  let direct: Client;
  const apps: NestFastifyApplication[] = [];
  const orgs: Org[] = [];
  /** Which org each contact id was created for. */
  const ownerOf = new Map<string, string>();

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']); // the migrations log each step otherwise
    postgres = await PrivatePostgres.start();
    await applyMigrations(withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'test' }), postgres.url));
    direct = new Client({ connectionString: postgres.url });
    await direct.connect();
    await direct.query(`create role ${LOGIN_ROLE} login in role ${RUNTIME_DB_ROLE}`);
    await direct.query(`alter role ${LOGIN_ROLE} set statement_timeout = '15s'`);
    const runtime = new URL(postgres.url);
    runtime.username = LOGIN_ROLE;
    bouncer = await PrivatePgBouncer.start(runtime.toString(), { poolSize: POOL_SIZE });
    const env = { DATABASE_URL: bouncer.url(), DATABASE_POOL_MAX: String(APP_POOL_MAX) };
    for (let i = 0; i < 2; i++) apps.push((await createTestApp({ env })).app);

    const seeded = await mapLimit(
      Array.from({ length: ORGS }, (_, index) => index),
      4,
      async (index) => {
        const app = apps[index % 2];
        const owner = await signup(app, { organizationName: `PgBouncer org ${index}` });
        const key = await createApiKey(app, owner, ['contacts:read', 'contacts:write']);
        return { index, orgId: owner.orgId, token: key.secret, initial: [] as string[], ids: new Set<string>() };
      },
    );
    orgs.push(...seeded);
    const creations = orgs.flatMap((org) => Array.from({ length: CONTACTS_PER_ORG }, (_, n) => ({ org, n })));
    await mapLimit(creations, 8, async ({ org, n }) => {
      const id = await createContact(apps[n % 2], org, `Seed${n}`);
      org.initial.push(id);
    });
  }, 120_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await bouncer?.stop();
    await direct?.end();
    await postgres?.dispose();
  });

  async function createContact(app: NestFastifyApplication, org: Org, firstName: string): Promise<string> {
    const response = await call(app, 'POST', '/v1/contacts', {
      token: org.token,
      body: { firstName, lastName: `Org${org.index}`, customFields: { org: org.orgId } },
    });
    if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
    const body = response.json<ContactBody>();
    org.ids.add(body.id);
    ownerOf.set(body.id, org.orgId);
    return body.id;
  }

  /** Samples pg_stat_activity and SHOW POOLS back to back until `stop()`; resolves with the peaks. */
  function samplePeaks(): { stop: () => Promise<Peaks> } {
    const peaks: Peaks = { backends: 0, serverConnections: 0, clientConnections: 0, waitingClients: 0, samples: 0 };
    let running = true;
    const loop = (async () => {
      while (running) {
        // Every session pgbouncer opens logs in as LOGIN_ROLE; nothing else does.
        const { rows } = await direct.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = current_database() and usename = $1',
          [LOGIN_ROLE],
        );
        const pools = (await bouncer.pools()).filter((pool) => pool.database !== 'pgbouncer');
        const sum = (field: 'serverConnections' | 'clientConnections' | 'waitingClients') =>
          pools.reduce((total, pool) => total + pool[field], 0);
        peaks.backends = Math.max(peaks.backends, rows[0].n);
        peaks.serverConnections = Math.max(peaks.serverConnections, sum('serverConnections'));
        peaks.clientConnections = Math.max(peaks.clientConnections, sum('clientConnections'));
        peaks.waitingClients = Math.max(peaks.waitingClients, sum('waitingClients'));
        peaks.samples++;
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return peaks;
      },
    };
  }

  async function transactionsSoFar(): Promise<number> {
    const stats = await bouncer.admin<{ database: string; total_xact_count: string }>('SHOW STATS');
    return stats.filter((row) => row.database !== 'pgbouncer').reduce((total, row) => total + Number(row.total_xact_count), 0);
  }

  it('keeps every org to its own contacts across hundreds of concurrent requests sharing a few server connections', async () => {
    const operations = shuffled(
      Array.from({ length: REQUESTS }, (_, k) => ({
        org: orgs[k % ORGS],
        // Every org on both instances, and every kind for every org.
        app: apps[Math.floor(k / ORGS) % 2],
        kind: KINDS[Math.floor(k / (ORGS * 2)) % KINDS.length],
        k,
      })),
    );
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let contactsReturned = 0;
    const transactionsBefore = await transactionsSoFar();
    const sampler = samplePeaks();
    const started = Date.now();

    await mapLimit(operations, IN_FLIGHT, async ({ org, app, kind, k }) => {
      const other = orgs[(org.index + 1 + (k % (ORGS - 1))) % ORGS];
      const request =
        kind === 'list'
          ? { method: 'GET' as const, url: `/v1/contacts?limit=${50 + (k % 50)}` }
          : kind === 'get'
            ? { method: 'GET' as const, url: `/v1/contacts/${org.initial[k % CONTACTS_PER_ORG]}` }
            : kind === 'cross'
              ? { method: 'GET' as const, url: `/v1/contacts/${other.initial[k % CONTACTS_PER_ORG]}` }
              : {
                  method: 'POST' as const,
                  url: '/v1/contacts',
                  payload: { firstName: `Burst${k}`, lastName: `Org${org.index}`, customFields: { org: org.orgId } },
                };
      const response = await app.inject({ ...request, headers: bearer(org.token) });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const expected = { list: 200, get: 200, cross: 404, create: 201 }[kind];
      if (response.statusCode !== expected) {
        problems.push(`${kind} for org ${org.index}: ${response.statusCode} ${response.body.slice(0, 200)}`);
        return;
      }
      const seen: ContactBody[] =
        kind === 'list' ? response.json<{ data: ContactBody[] }>().data : kind === 'cross' ? [] : [response.json<ContactBody>()];
      contactsReturned += seen.length;
      for (const contact of seen) {
        const owner = ownerOf.get(contact.id);
        if (contact.customFields.org !== org.orgId || (owner !== undefined && owner !== org.orgId)) {
          problems.push(`${kind} for org ${org.index} returned contact ${contact.id} of org ${contact.customFields.org}`);
        }
      }
      if (kind === 'create') {
        org.ids.add(seen[0].id);
        ownerOf.set(seen[0].id, org.orgId);
      }
      if (kind === 'list') {
        const listed = new Set(seen.map((contact) => contact.id));
        const missing = org.initial.filter((id) => !listed.has(id));
        if (missing.length) problems.push(`list for org ${org.index} lacks ${missing.length} of its own contacts`);
      }
    });

    const elapsedMs = Date.now() - started;
    const peaks = await sampler.stop();
    const transactions = (await transactionsSoFar()) - transactionsBefore;

    // Afterwards every org lists exactly the contacts it created, no more, no fewer.
    const counts = await mapLimit(orgs, 8, async (org) => {
      const response = await apps[org.index % 2].inject({ method: 'GET', url: '/v1/contacts?limit=100', headers: bearer(org.token) });
      const ids = response.json<{ data: ContactBody[] }>().data.map((contact) => contact.id);
      return { org: org.index, matches: ids.length === org.ids.size && ids.every((id) => org.ids.has(id)) };
    });

    process.stdout.write(
      `pgbouncer concurrency: ${REQUESTS} requests (${IN_FLIGHT} in flight, ${ORGS} orgs, 2 instances) in ${elapsedMs} ms, ` +
        `${contactsReturned} contacts returned, ${transactions} transactions through pgbouncer; ` +
        `peak ${peaks.backends} PostgreSQL backends, ${peaks.serverConnections} pgbouncer server connections, ` +
        `${peaks.clientConnections} client connections (${peaks.waitingClients} waiting) over ${peaks.samples} samples; ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );

    expect(problems).toEqual([]);
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(counts.filter((count) => !count.matches)).toEqual([]);
    expect(contactsReturned).toBeGreaterThan(REQUESTS);
    // Multiplexing happened: many client connections, at most POOL_SIZE sessions on PostgreSQL.
    expect(peaks.samples).toBeGreaterThan(0);
    expect(peaks.backends).toBeGreaterThan(0);
    expect(peaks.backends).toBeLessThanOrEqual(POOL_SIZE);
    expect(peaks.serverConnections).toBeLessThanOrEqual(POOL_SIZE);
    expect(peaks.backends).toBeLessThan(ORGS);
    expect(peaks.clientConnections).toBeGreaterThan(peaks.backends);
    expect(transactions).toBeGreaterThanOrEqual(REQUESTS / KINDS.length);
  });

  it("keeps an unfiltered statement on the app's pool to the caller's org through row-level security alone", async () => {
    const tenantDbs = apps.map((app) => app.get(TenantDatabase));
    // No org condition and no ORM filter: only PostgreSQL row-level security can narrow these.
    const reads = shuffled(Array.from({ length: ORGS * 10 }, (_, k) => ({ org: orgs[k % ORGS], db: tenantDbs[Math.floor(k / ORGS) % 2], k })));
    const results = await mapLimit(reads, IN_FLIGHT, async ({ org, db, k }) => {
      const rows =
        k % 2 === 0
          ? await db.readForOrganization<{ org_id: string; n: number }>(org.orgId, 'select org_id, count(*)::int as n from contacts group by org_id', [])
          : await db.forOrganization(org.orgId, (em) =>
              em.execute<{ org_id: string; n: number }[]>('select org_id, count(*)::int as n from contacts group by org_id'),
            );
      return { org, rows };
    });
    const crossTenantRows = results.reduce(
      (total, { org, rows }) => total + rows.filter((row) => row.org_id !== org.orgId).reduce((sum, row) => sum + row.n, 0),
      0,
    );
    const wrongCounts = results.filter(({ org, rows }) => (rows.find((row) => row.org_id === org.orgId)?.n ?? 0) !== org.ids.size).length;
    expect({ crossTenantRows, wrongCounts }).toEqual({ crossTenantRows: 0, wrongCounts: 0 });

    // The role PostgreSQL applied: the runtime role, set in the transaction (PgBouncer dropped the start-up option),
    // exempt from nothing and owning nothing; the session is the login role's.
    const identity = await tenantDbs[0].readForOrganization<Record<string, unknown>>(
      orgs[0].orgId,
      `select current_user as role, session_user as login, r.rolsuper as super, r.rolbypassrls as bypass,
              (select count(*)::int from pg_tables t where t.schemaname = 'public' and pg_has_role(current_user, t.tableowner, 'MEMBER')) as owned
         from pg_roles r where r.rolname = current_user`,
      [],
    );
    expect(identity).toEqual([{ role: RUNTIME_DB_ROLE, login: LOGIN_ROLE, super: false, bypass: false, owned: 0 }]);
  });

  it('refuses to start in production when PgBouncer hands it a login role that bypasses row-level security', async () => {
    const productionConfig = (app: NestFastifyApplication) => ({ ...app.get<ResolvedConfig>(APP_CONFIG), env: 'production' as const });
    // The restricted login passes the start-up check.
    await expect(new RuntimeRoleCheck(apps[0].get(EntityManager), productionConfig(apps[0])).onApplicationBootstrap()).resolves.toBeUndefined();

    // The cluster's superuser through a pgbouncer of its own: the start-up option role=atrium_app is dropped.
    const unsafe = await PrivatePgBouncer.start(postgres.url, { poolSize: 1 });
    const { app } = await createTestApp({ env: { DATABASE_URL: unsafe.url(), DATABASE_POOL_MAX: '2' } });
    try {
      await expect(new RuntimeRoleCheck(app.get(EntityManager), productionConfig(app)).onApplicationBootstrap()).rejects.toThrow(
        /bypasses row-level security/,
      );
      // Even so, TenantDatabase's own statements run as the runtime role, set in each transaction:
      // unfiltered reads through it see only their org (they saw every org's rows before it did).
      const tenantDb = app.get(TenantDatabase);
      const seen = await mapLimit(orgs, 4, async (org) => ({
        org,
        rows: await tenantDb.readForOrganization<{ org_id: string }>(org.orgId, 'select distinct org_id from contacts', []),
      }));
      expect(seen.flatMap(({ org, rows }) => rows.filter((row) => row.org_id !== org.orgId))).toEqual([]);
    } finally {
      await app.close();
      await unsafe.stop();
    }
  });
});
