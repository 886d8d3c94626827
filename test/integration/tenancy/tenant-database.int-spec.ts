import { EntityManager } from '@mikro-orm/postgresql';
import { MissingTenantContextError, RequestContext } from '@app/request-context';
import { Contact } from '../../../src/crm';
import { RUNTIME_DB_ROLE } from '../../../src/database';
import { TenantDatabase } from '../../../src/tenancy';
import { useIntegrationModule } from '../support/integration-module';
import { CRM_MODULES, SeededOrganization, createContact, createOrganization } from '../support/seed';

/**
 * TenantDatabase (src/tenancy/tenant-boundary/tenant-database.ts) on the real PostgreSQL, without
 * HTTP: the prelude of every unit of work sets the runtime role and the org transaction-locally,
 * row-level security then hides every other org's rows even from raw SQL, nothing of the setting
 * survives on the pooled connection, and work without a tenant context is refused before any SQL.
 *
 * One pooled connection (DATABASE_POOL_MAX=1), so "the next transaction" provably runs on the
 * connection the previous one used.
 */
const suite = useIntegrationModule({ imports: CRM_MODULES, env: { DATABASE_POOL_MAX: '1', DATABASE_POOL_MIN: '0' } });

interface Scope {
  readonly org: string;
  readonly user: string;
  readonly role: string;
  readonly pid: number;
  readonly txid: string;
}

/** What PostgreSQL says of the statement's scope: the settings RLS reads, the role, the backend and the transaction. */
const SCOPE_SQL = `select coalesce(current_setting('app.org_id', true), '') as org, coalesce(current_setting('app.user_id', true), '') as "user",
  current_user as role, pg_backend_pid() as pid, txid_current_if_assigned()::text as txid`;

/** A uuid[] from one JSON parameter (the ORM's formatter would spread a JS array into a list). */
const UUIDS = 'array(select jsonb_array_elements_text(?::jsonb)::uuid)';

/** The same, forcing a transaction id, so two statements can be shown to share (or not share) one transaction. */
const TX_SQL = `select coalesce(current_setting('app.org_id', true), '') as org, pg_backend_pid() as pid, txid_current()::text as txid`;

describe('TenantDatabase (integration)', () => {
  let tenantDb: TenantDatabase;
  let context: RequestContext;
  let a: SeededOrganization;
  let b: SeededOrganization;
  let aContacts: string[];
  let bContacts: string[];
  let all: string[];

  /** A statement on the pool with no prelude at all: what the next user of the connection sees. */
  const bare = <T extends object>(sql: string, params: unknown[] = []) =>
    suite.get(EntityManager).getConnection().execute<T[]>(sql, params);

  beforeAll(async () => {
    tenantDb = suite.get(TenantDatabase);
    context = suite.get(RequestContext);
    a = await createOrganization(suite);
    b = await createOrganization(suite);
    aContacts = [(await createContact(suite, a.orgId)).id, (await createContact(suite, a.orgId)).id];
    bContacts = [(await createContact(suite, b.orgId, { firstName: 'Grace' })).id];
    all = [...aContacts, ...bContacts];
  });

  describe('the prelude', () => {
    it("sets the runtime role and org A transaction-locally for transaction() in A's context", async () => {
      const [scope] = await suite.asTenant(a.orgId, () => tenantDb.transaction((em) => em.execute<Scope[]>(SCOPE_SQL)));
      expect(scope).toMatchObject({ org: a.orgId, user: '', role: RUNTIME_DB_ROLE });
    });

    it('sets it for the one-round-trip read() too, and for forOrganization() named by a job', async () => {
      const [read] = await suite.asTenant(a.orgId, () => tenantDb.read<Scope>(SCOPE_SQL, []));
      expect(read).toMatchObject({ org: a.orgId, role: RUNTIME_DB_ROLE });
      const [named] = await tenantDb.forOrganization(b.orgId, (em) => em.execute<Scope[]>(SCOPE_SQL));
      expect(named).toMatchObject({ org: b.orgId, role: RUNTIME_DB_ROLE });
      const [readFor] = await tenantDb.readForOrganization<Scope>(b.orgId, SCOPE_SQL, []);
      expect(readFor).toMatchObject({ org: b.orgId });
    });

    it('sets the user and no org for asUser(), and neither for global()', async () => {
      const [user] = await tenantDb.asUser(a.ownerId, (em) => em.execute<Scope[]>(SCOPE_SQL));
      expect(user).toMatchObject({ org: '', user: a.ownerId, role: RUNTIME_DB_ROLE });
      const [global] = await tenantDb.global((em) => em.execute<Scope[]>(SCOPE_SQL));
      expect(global).toMatchObject({ org: '', user: '', role: RUNTIME_DB_ROLE });
    });

    it('reads one REPEATABLE READ, read-only snapshot for snapshot()', async () => {
      const [settings] = await suite.asTenant(a.orgId, () =>
        tenantDb.snapshot((em) =>
          em.execute<{ isolation: string; readOnly: string; org: string }[]>(
            `select current_setting('transaction_isolation') as isolation, current_setting('transaction_read_only') as "readOnly",
               current_setting('app.org_id', true) as org`,
          ),
        ),
      );
      expect(settings).toEqual({ isolation: 'repeatable read', readOnly: 'on', org: a.orgId });
    });

    it('joins the open transaction of the same org, and runs another org’s work in a transaction of its own', async () => {
      const seen = await suite.asTenant(a.orgId, () =>
        tenantDb.transaction(async (em) => {
          const [outer] = await em.execute<Scope[]>(TX_SQL);
          const [joined] = await tenantDb.transaction((inner) => inner.execute<Scope[]>(TX_SQL));
          const [joinedRead] = await tenantDb.read<Scope>(TX_SQL, []);
          return { outer, joined, joinedRead };
        }),
      );
      expect(seen.joined).toEqual(seen.outer);
      expect(seen.joinedRead).toEqual(seen.outer);
    });
  });

  describe('row-level security under the prelude', () => {
    it("hides B's rows from raw SQL run in A's context, whatever the statement names", async () => {
      const visible = await suite.asTenant(a.orgId, () =>
        tenantDb.transaction(async (em) => ({
          byIds: await em.execute<{ id: string; org_id: string }[]>(
            `select id, org_id from contacts where id = any(${UUIDS}) order by id`,
            [JSON.stringify(all)],
          ),
          namingB: await em.execute('select id from contacts where org_id = ?', [b.orgId]),
          everything: await em.execute<{ org_id: string }[]>('select distinct org_id from contacts'),
        })),
      );
      expect(visible.byIds).toEqual([...aContacts].sort().map((id) => ({ id, org_id: a.orgId })));
      expect(visible.namingB).toEqual([]);
      expect(visible.everything).toEqual([{ org_id: a.orgId }]);
    });

    it('hides them from read() and from an ORM query with the tenant filter switched off', async () => {
      const read = await suite.asTenant(a.orgId, () =>
        tenantDb.read<{ id: string }>(`select id from contacts where id = any(${UUIDS})`, [JSON.stringify(all)]),
      );
      expect(read.map((row) => row.id).sort()).toEqual([...aContacts].sort());
      const unfiltered = await suite.asTenant(a.orgId, () =>
        tenantDb.transaction((em) => em.find(Contact, { id: { $in: all } }, { filters: { tenant: false } })),
      );
      expect(unfiltered.map((contact) => contact.id).sort()).toEqual([...aContacts].sort());
    });

    it("changes none of B's rows from A's context, and refuses (WITH CHECK) writing a row of B", async () => {
      const changed = await suite.asTenant(a.orgId, () =>
        tenantDb.transaction(async (em) => ({
          updated: await em.execute("update contacts set first_name = 'Mallory' where org_id = ? returning id", [b.orgId]),
          deleted: await em.execute(`delete from contacts where id = any(${UUIDS}) returning id`, [JSON.stringify(bContacts)]),
        })),
      );
      expect(changed).toEqual({ updated: [], deleted: [] });
      const { rows } = await suite.db.query('select first_name from contacts where id = any($1::uuid[])', [bContacts]);
      expect(rows).toEqual([{ first_name: 'Grace' }]);

      const intoB = suite.asTenant(a.orgId, () =>
        tenantDb.transaction(async (em) =>
          em.execute(`insert into contacts (id, org_id, first_name, last_name) values (gen_random_uuid(), ?, 'Eve', 'Intruder')`, [
            b.orgId,
          ]),
        ),
      );
      await expect(intoB).rejects.toThrow(/row-level security policy/);
    });
  });

  describe('the pooled connection afterwards', () => {
    it('keeps nothing of org A on the connection after a committed transaction', async () => {
      const [during] = await suite.asTenant(a.orgId, () => tenantDb.transaction((em) => em.execute<Scope[]>(SCOPE_SQL)));
      const [after] = await bare<Scope & { contacts: number }>(
        `${SCOPE_SQL}, (select count(*)::int from contacts where id = any(${UUIDS})) as contacts`,
        [JSON.stringify(all)],
      );
      expect(after.pid).toBe(during.pid);
      expect(after).toMatchObject({ org: '', user: '', role: RUNTIME_DB_ROLE, contacts: 0 });
    });

    it('keeps nothing after a one-round-trip read(), nor after a transaction that failed', async () => {
      const [read] = await suite.asTenant(a.orgId, () => tenantDb.read<Scope>(SCOPE_SQL, []));
      const [afterRead] = await bare<Scope>(SCOPE_SQL);
      expect(afterRead).toMatchObject({ pid: read.pid, org: '' });

      let pid = 0;
      const failing = suite.asTenant(a.orgId, () =>
        tenantDb.transaction(async (em) => {
          [{ pid }] = await em.execute<Scope[]>(SCOPE_SQL);
          await em.execute('select 1 / 0');
        }),
      );
      await expect(failing).rejects.toThrow(/division by zero/);
      const [afterFailure] = await bare<Scope>(SCOPE_SQL);
      expect(afterFailure).toMatchObject({ pid, org: '', user: '' });
    });

    it("gives the next org's transaction only its own setting on the same connection", async () => {
      const [first] = await suite.asTenant(a.orgId, () => tenantDb.transaction((em) => em.execute<Scope[]>(SCOPE_SQL)));
      const next = await tenantDb.forOrganization(b.orgId, async (em) => ({
        scope: (await em.execute<Scope[]>(SCOPE_SQL))[0],
        ids: await em.execute<{ id: string }[]>(`select id from contacts where id = any(${UUIDS})`, [JSON.stringify(all)]),
      }));
      expect(next.scope).toMatchObject({ pid: first.pid, org: b.orgId });
      expect(next.ids.map((row) => row.id)).toEqual(bContacts);
    });
  });

  describe('without a tenant context', () => {
    it('refuses transaction(), read() and snapshot() before any work or SQL runs', async () => {
      const work = jest.fn(async () => 'ran');
      await expect(async () => tenantDb.transaction(work)).rejects.toThrow(MissingTenantContextError);
      await expect(async () => tenantDb.snapshot(work)).rejects.toThrow(MissingTenantContextError);
      await expect(async () => tenantDb.read('select 1', [])).rejects.toThrow(MissingTenantContextError);
      // A request that has not authenticated (a request id, no tenant) is no better.
      await expect(async () => context.run('no-tenant', () => tenantDb.transaction(work))).rejects.toThrow(MissingTenantContextError);
      await expect(tenantDb.readForOrganization('', 'select 1', [])).rejects.toThrow(MissingTenantContextError);
      expect(work).not.toHaveBeenCalled();
    });

    it('refuses a tenant entity query on an entity manager without an org (the ORM filter), and a new tenant entity', async () => {
      await expect(suite.get(EntityManager).fork().find(Contact, {})).rejects.toThrow(MissingTenantContextError);
      expect(() => new Contact()).toThrow(MissingTenantContextError);
    });

    it('shows no tenant row to raw SQL outside TenantDatabase, and to global() work', async () => {
      expect(await bare(`select id from contacts where id = any(${UUIDS})`, [JSON.stringify(all)])).toEqual([]);
      expect(await tenantDb.global((em) => em.execute(`select id from contacts where id = any(${UUIDS})`, [JSON.stringify(all)]))).toEqual(
        [],
      );
    });

    it('refuses a read() of more than one statement', async () => {
      await expect(
        suite.asTenant(a.orgId, () => tenantDb.read("select 1; select set_config('app.org_id', '', false)", [])),
      ).rejects.toThrow(/one statement/);
    });
  });
});
