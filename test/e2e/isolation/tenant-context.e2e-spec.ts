import { randomUUID } from 'node:crypto';
import { EntityClass, EntityManager, MikroORM, Reference, ref } from '@mikro-orm/postgresql';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { AppError } from '@app/http';
import { MissingTenantContextError, RequestContext, TenantContext } from '@app/request-context';
import { ApiKey, Membership, Organization, TenantDatabase, TenantEntity, User } from '../../../src/tenancy';
import { withTransactionPrelude } from '../../../src/tenancy/tenant-boundary/transaction-prelude';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';

/**
 * Layer 2 of the tenant boundary, exercised on the app's own services: TenantDatabase, the ORM's
 * tenant filter and the subscriber that refuses a record stamped for another org; with
 * row-level security (layer 3) shown to hold when layer 2 is bypassed.
 */
interface SeededOrg {
  readonly orgId: string;
  readonly owner: Signed;
  readonly viewer: Signed;
  readonly apiKeyId: string;
}

const RLS_VIOLATION = /row-level security policy/;

describe('Tenant context and the ORM tenant filter (e2e)', () => {
  let app: NestFastifyApplication;
  let tenantDb: TenantDatabase;
  let em: EntityManager;
  let context: RequestContext;
  let tenantEntities: EntityClass<TenantEntity>[];

  beforeAll(async () => {
    ({ app } = await createTestApp());
    tenantDb = app.get(TenantDatabase);
    em = app.get(EntityManager);
    context = app.get(RequestContext);
    tenantEntities = Object.values(app.get(MikroORM).getMetadata().getAll())
      .map((meta) => meta.class as EntityClass<unknown>)
      .filter((cls): cls is EntityClass<TenantEntity> => cls.prototype instanceof TenantEntity);
  });

  afterAll(async () => {
    await app.close();
  });

  async function seedOrg(): Promise<SeededOrg> {
    const owner = await signup(app);
    const viewer = await addMember(app, owner, 'viewer');
    const key = await createApiKey(app, owner, ['members:read']);
    return { orgId: owner.orgId, owner, viewer, apiKeyId: key.id };
  }

  const tenantOf = (orgId: string): TenantContext => ({
    orgId,
    principal: { type: 'system', id: 'tenant-context-e2e' },
    permissions: new Set(),
  });
  const userIds = (memberships: Membership[]) => memberships.map((membership) => membership.user.id).sort();

  function newMembership(forEm: EntityManager, userId: string): Membership {
    const membership = new Membership();
    membership.user = ref(forEm.getReference(User, userId));
    membership.role = 'viewer';
    return membership;
  }

  it('knows the tenant-owned entities', () => {
    expect(tenantEntities.map((cls) => cls.name)).toEqual(expect.arrayContaining(['ApiKey', 'Invitation', 'Membership']));
  });

  it('refuses tenantDb.transaction() outside any tenant context, before any work runs', async () => {
    const work = jest.fn(async () => 'ran');
    await expect(async () => tenantDb.transaction(work)).rejects.toThrow(MissingTenantContextError);
    // A request that has not authenticated (request id only, no tenant) is no better.
    await expect(async () => context.run('no-tenant', () => tenantDb.transaction(work))).rejects.toThrow(MissingTenantContextError);
    expect(work).not.toHaveBeenCalled();
  });

  it('refuses every read and bulk write of a tenant entity on an entity manager without a tenant org', async () => {
    await seedOrg();
    for (const entity of tenantEntities) {
      const operations: [string, () => Promise<unknown>][] = [
        ['find', () => em.fork().find(entity, {})],
        ['findOne', () => em.fork().findOne(entity, { id: randomUUID() } as never)],
        ['count', () => em.fork().count(entity, {})],
        ['nativeUpdate', () => em.fork().nativeUpdate(entity, {}, { createdAt: new Date() } as never)],
        ['nativeDelete', () => em.fork().nativeDelete(entity, {})],
      ];
      for (const [name, operation] of operations) {
        const outcome = await operation().then(
          (result) => ({ entity: entity.name, name, result }),
          (error: Error) => ({ entity: entity.name, name, refused: /tenant/i.test(error.message) }),
        );
        expect(outcome).toEqual({ entity: entity.name, name, refused: true });
      }
    }
  });

  it('names the missing tenant context (MissingTenantContextError) when an entity manager has no tenant org', async () => {
    // The filter's own guard (tenant-filter.ts) is meant to raise this, like TenantDatabase and the entity constructor do.
    await expect(em.fork().find(Membership, {})).rejects.toThrow(MissingTenantContextError);
  });

  it('refuses an entity manager whose tenant org is empty instead of reading org_id IS NULL', async () => {
    const fork = em.fork();
    fork.setFilterParams('tenant', { orgId: '' });
    await expect(fork.find(Membership, {})).rejects.toThrow(MissingTenantContextError);
  });

  it('shows no tenant row to a query that switches the ORM filter off outside TenantDatabase (RLS underneath)', async () => {
    const a = await seedOrg();
    await expect(em.fork().find(Membership, {}, { filters: { tenant: false } })).resolves.toEqual([]);
    await expect(em.fork().find(ApiKey, { id: a.apiKeyId }, { filters: { tenant: false } })).resolves.toEqual([]);
  });

  it("tenantDb.forOrganization(A) returns only A's rows, even with the ORM filter off", async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const found = await tenantDb.forOrganization(a.orgId, async (scoped) => ({
      memberships: await scoped.find(Membership, {}),
      unfiltered: await scoped.find(Membership, {}, { filters: { tenant: false } }),
      keys: await scoped.find(ApiKey, {}),
      namingB: await scoped.find(Membership, { organization: b.orgId }),
      bKey: await scoped.findOne(ApiKey, { id: b.apiKeyId }, { filters: { tenant: false } }),
    }));
    expect(userIds(found.memberships)).toEqual([a.owner.userId, a.viewer.userId].sort());
    expect(new Set(found.memberships.map((membership) => membership.organization.id))).toEqual(new Set([a.orgId]));
    expect(userIds(found.unfiltered)).toEqual([a.owner.userId, a.viewer.userId].sort());
    expect(found.keys.map((key) => key.id)).toEqual([a.apiKeyId]);
    expect(found.namingB).toEqual([]);
    expect(found.bKey).toBeNull();
  });

  it('keeps concurrent units of work for different orgs apart', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const orgs = [a, b, a, b, a, b, a, b];
    const results = await Promise.all(
      orgs.map((org) => tenantDb.forOrganization(org.orgId, async (scoped) => userIds(await scoped.find(Membership, {})))),
    );
    expect(results).toEqual(orgs.map((org) => [org.owner.userId, org.viewer.userId].sort()));
  });

  it('does not let a nested forOrganization(B) change the org of the enclosing unit of work for A', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const seen = await tenantDb.forOrganization(a.orgId, async (outer) => {
      const inner = await tenantDb.forOrganization(b.orgId, async (scoped) => userIds(await scoped.find(Membership, {})));
      const [{ org }] = await outer.execute<{ org: string }[]>("select current_setting('app.org_id', true) as org");
      return { inner, outer: userIds(await outer.find(Membership, {})), org };
    });
    expect(seen).toEqual({
      inner: [b.owner.userId, b.viewer.userId].sort(),
      outer: [a.owner.userId, a.viewer.userId].sort(),
      org: a.orgId,
    });
  });

  it('sends BEGIN and the org setting of a unit of work in one round trip, and later transactions begin plainly', async () => {
    const a = await seedOrg();
    const pgClient = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = pgClient.query;
    const sent: string[] = [];
    pgClient.query = function (this: Client, ...args: unknown[]) {
      const query = args[0] as string | { text?: string };
      sent.push(typeof query === 'string' ? query : String(query?.text));
      return original.apply(this, args);
    };
    try {
      const org = await tenantDb.forOrganization(a.orgId, async (scoped) => {
        // A transaction opened inside, not through TenantDatabase, gets a plain BEGIN.
        await em.fork().transactional((inner) => inner.execute('select 1'));
        const [row] = await scoped.execute<{ org: string }[]>("select current_setting('app.org_id', true) as org");
        return row.org;
      });
      expect(org).toBe(a.orgId);
    } finally {
      pgClient.query = original;
    }
    // The runtime role and the statement timeout are set with the org: behind PgBouncer, start-up options are ignored.
    expect(sent[0].replace(/\s+/g, ' ')).toBe(
      `BEGIN; select set_config('role', 'atrium_app', true), set_config('statement_timeout', '15000ms', true), ` +
        `set_config('app.org_id', '${a.orgId}', true), set_config('app.user_id', '', true)`,
    );
    expect(sent.filter((sql) => /set_config\('app.org_id'/.test(sql))).toHaveLength(1);
    expect(sent.filter((sql) => /^BEGIN;$/.test(sql))).toHaveLength(1);
  });

  it('ends the transaction when the statement sent with BEGIN fails, so its connection returns to the pool usable', async () => {
    await expect(
      withTransactionPrelude('select 1 / 0', () => em.fork().transactional((inner) => inner.execute('select 1'))),
    ).rejects.toThrow(/division by zero/);
    // Every connection of the pool at once: none is left inside an aborted transaction.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => em.fork().getConnection().execute<{ ok: number }[]>('select 1 as ok, pg_sleep(0.05)')),
    );
    expect(results.map(([row]) => row.ok)).toEqual(Array(10).fill(1));
  });

  describe('tenantDb.read(), one statement in one round trip', () => {
    const orgSetting = "select current_setting('app.org_id', true) as org";
    const readIn = <T>(orgId: string, sql: string, params: unknown[] = []) =>
      context.runForTenant(tenantOf(orgId), () => tenantDb.read<T>(sql, params));

    it('refuses to run outside any tenant context', async () => {
      await expect(tenantDb.read('select 1', [])).rejects.toThrow(MissingTenantContextError);
      await expect(context.run('no-tenant', () => tenantDb.read('select 1', []))).rejects.toThrow(MissingTenantContextError);
    });

    it("shows only the caller's org's rows, through RLS, to a statement that names no org", async () => {
      const a = await seedOrg();
      const b = await seedOrg();
      const rows = await readIn<{ user_id: string; org_id: string }>(a.orgId, 'select user_id, org_id from memberships');
      expect(rows.map((row) => row.user_id).sort()).toEqual([a.owner.userId, a.viewer.userId].sort());
      expect(await readIn(a.orgId, 'select id from api_keys where id = ?', [b.apiKeyId])).toEqual([]);
      const [{ org, role }] = await readIn<{ org: string; role: string }>(a.orgId, `${orgSetting}, current_user as role`);
      expect(org).toBe(a.orgId);
      expect(role).not.toBe('postgres');
    });

    it('leaves no org on the pooled connections, after a read and after a failed one', async () => {
      const a = await seedOrg();
      await readIn(a.orgId, 'select 1');
      await expect(readIn(a.orgId, 'select 1 / 0')).rejects.toThrow(/division by zero/);
      // Every connection of the pool at once, so the ones the reads used are among them.
      const settings = await Promise.all(
        Array.from({ length: 10 }, () => em.fork().getConnection().execute<{ org: string | null }[]>(`${orgSetting}, pg_sleep(0.05)`)),
      );
      expect(settings.map(([row]) => row.org || '')).toEqual(Array(10).fill(''));
    });

    it('inlines values as the ORM does: quotes, backslashes and question marks stay data', async () => {
      const a = await seedOrg();
      const tricky = "O'Brien \\ ?; select 1 --";
      const [row] = await readIn<{ value: string }>(a.orgId, 'select ?::text as value', [tricky]);
      expect(row.value).toBe(tricky);
    });

    it("joins a transaction for the same org, so it sees that transaction's own writes", async () => {
      const a = await seedOrg();
      const seen = await context
        .runForTenant(tenantOf(a.orgId), () =>
          tenantDb.transaction(async (scoped) => {
            await scoped.execute("update memberships set role = 'admin' where user_id = ?", [a.viewer.userId]);
            const rows = await tenantDb.read<{ role: string }>('select role from memberships where user_id = ?', [a.viewer.userId]);
            throw Object.assign(new Error('roll back'), { rows });
          }),
        )
        .catch((error: { rows?: { role: string }[] }) => error.rows);
      expect(seen).toEqual([{ role: 'admin' }]);
      const after = await readIn<{ role: string }>(a.orgId, 'select role from memberships where user_id = ?', [a.viewer.userId]);
      expect(after).toEqual([{ role: 'viewer' }]);
    });
  });

  it('refuses (TENANT_MISMATCH) a record created in the context of A but persisted through a unit of work for B', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const outsider = await signup(app);

    const mismatch = context.runForTenant(tenantOf(a.orgId), () =>
      tenantDb.forOrganization(b.orgId, async (scoped) => {
        const membership = newMembership(scoped, outsider.userId);
        expect(membership.organization.id).toBe(a.orgId);
        scoped.persist(membership);
      }),
    );
    await expect(mismatch).rejects.toBeInstanceOf(AppError);
    await expect(mismatch).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });

    const created = context.runForTenant(tenantOf(b.orgId), () =>
      tenantDb.forOrganization(b.orgId, async (scoped) => {
        const membership = scoped.create(Membership, {
          user: outsider.userId,
          role: 'viewer',
          organization: a.orgId,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        scoped.persist(membership);
      }),
    );
    await expect(created).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });

    for (const org of [a, b]) {
      const count = await tenantDb.forOrganization(org.orgId, (scoped) => scoped.count(Membership, { user: outsider.userId }));
      expect({ org: org.orgId, count }).toEqual({ org: org.orgId, count: 0 });
    }

    // Positive control: context and unit of work agree, so the record is written.
    await context.runForTenant(tenantOf(b.orgId), () =>
      tenantDb.forOrganization(b.orgId, async (scoped) => scoped.persist(newMembership(scoped, outsider.userId))),
    );
    await expect(tenantDb.forOrganization(b.orgId, (scoped) => scoped.count(Membership, { user: outsider.userId }))).resolves.toBe(1);
  });

  it('refuses, through row-level security, writes that go around the subscriber', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const outsider = await signup(app);

    const rawInsert = tenantDb.forOrganization(b.orgId, (scoped) =>
      scoped.insert(Membership, {
        id: randomUUID(),
        organization: a.orgId,
        user: outsider.userId,
        role: 'viewer',
        createdAt: new Date(),
        updatedAt: new Date(),
      }),
    );
    await expect(rawInsert).rejects.toThrow(RLS_VIOLATION);

    const move = tenantDb.forOrganization(b.orgId, async (scoped) => {
      const membership = await scoped.findOneOrFail(Membership, { user: b.viewer.userId });
      membership.organization = Reference.createFromPK(Organization, a.orgId);
    });
    await expect(move).rejects.toThrow(RLS_VIOLATION);

    await expect(
      tenantDb.forOrganization(a.orgId, (scoped) => scoped.count(Membership, { user: { $in: [outsider.userId, b.viewer.userId] } })),
    ).resolves.toBe(0);
    await expect(tenantDb.forOrganization(b.orgId, (scoped) => scoped.count(Membership, { user: b.viewer.userId }))).resolves.toBe(1);
  });

  it('refuses to construct a tenant entity outside a tenant context', () => {
    for (const entity of tenantEntities) {
      expect(() => new (entity as unknown as new () => TenantEntity)()).toThrow(MissingTenantContextError);
    }
    expect(() => context.run('no-tenant', () => new Membership())).toThrow(MissingTenantContextError);
  });

  it('stamps a new tenant entity with the org of the tenant context', () => {
    const orgId = randomUUID();
    const stamped = context.runForTenant(tenantOf(orgId), () =>
      tenantEntities.map((entity) => new (entity as unknown as new () => TenantEntity)().organization.id),
    );
    expect(stamped).toEqual(tenantEntities.map(() => orgId));
  });
});
