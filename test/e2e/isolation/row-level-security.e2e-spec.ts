import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { RUNTIME_DB_ROLE } from '../../../src/database/orm-options';
import { Signed, addMember, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { call } from '../../support/client';
import { createTestApp } from '../../support/test-app';

/**
 * Layer 3 of the tenant boundary, checked below the app: a raw connection acting as the runtime
 * role, exactly as the app connects, sees and writes only the rows of the org set
 * transaction-locally in `app.org_id`, and nothing at all without one.
 */
const TENANT_TABLES = ['api_keys', 'invitations', 'memberships'] as const;
type TenantTable = (typeof TENANT_TABLES)[number];

interface SeededOrg {
  readonly orgId: string;
  readonly owner: Signed;
  readonly viewer: Signed;
  readonly invitationId: string;
  readonly apiKeyId: string;
}

interface Scope {
  readonly orgId?: string;
  readonly userId?: string;
}

describe('PostgreSQL row-level security (e2e)', () => {
  let app: NestFastifyApplication;
  let db: Client;

  beforeAll(async () => {
    ({ app } = await createTestApp());
    db = new Client({ connectionString: process.env.DATABASE_URL, options: `-c role=${RUNTIME_DB_ROLE}` });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await app.close();
  });

  /** An org with two memberships, two invitations (one accepted, one pending) and one API key, all made over HTTP. */
  async function seedOrg(): Promise<SeededOrg> {
    const owner = await signup(app);
    const viewer = await addMember(app, owner, 'viewer');
    const invited = await call(app, 'POST', '/v1/invitations', {
      token: owner.token,
      body: { email: uniqueEmail('pending'), role: 'member' },
    });
    expect(invited.statusCode).toBe(201);
    const key = await createApiKey(app, owner, ['members:read']);
    return { orgId: owner.orgId, owner, viewer, invitationId: invited.json().id, apiKeyId: key.id };
  }

  /** Runs `work` in one transaction whose first statement sets the scope transaction-locally, as TenantDatabase does. */
  async function inScope<T>(scope: Scope, work: () => Promise<T>, end: 'commit' | 'rollback' = 'rollback'): Promise<T> {
    await db.query('begin');
    try {
      await db.query("select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)", [
        scope.orgId ?? '',
        scope.userId ?? '',
      ]);
      const result = await work();
      await db.query(end);
      return result;
    } catch (error) {
      await db.query('rollback');
      throw error;
    }
  }

  /** Row counts per tenant table, one query at a time (a pg.Client runs one query at a time). */
  async function countRows(): Promise<number[]> {
    const counts: number[] = [];
    for (const table of TENANT_TABLES) counts.push((await rowsOf(table)).length);
    return counts;
  }

  async function rowsOf(table: TenantTable): Promise<{ id: string; org_id: string; user_id?: string }[]> {
    return (await db.query(`select * from "${table}"`)).rows;
  }

  it('connects as the runtime role, which is neither superuser nor exempt from row-level security', async () => {
    const { rows } = await db.query(
      'select current_user as "user", r.rolsuper as super, r.rolbypassrls as bypass from pg_roles r where r.rolname = current_user',
    );
    expect(rows).toEqual([{ user: 'atrium_app', super: false, bypass: false }]);
  });

  it('lets the runtime role own no table in the public schema', async () => {
    const { rows } = await db.query("select tablename, tableowner from pg_tables where schemaname = 'public'");
    expect(rows.map((row) => row.tablename)).toEqual(expect.arrayContaining([...TENANT_TABLES]));
    expect(rows.filter((row) => row.tableowner === RUNTIME_DB_ROLE)).toEqual([]);
    // Nor does it inherit an owner's rights through role membership.
    const inherited = await db.query(
      "select distinct tableowner from pg_tables where schemaname = 'public' and pg_has_role(current_user, tableowner, 'MEMBER')",
    );
    expect(inherited.rows).toEqual([]);
  });

  it('enables and forces row-level security, with a policy, on every public table that has an org_id column', async () => {
    const { rows } = await db.query(
      `select c.relname as "table", c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.qual like '%app_current_org()%') as "orgPolicies",
              (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.with_check like '%app_current_org()%') as "orgChecks"
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        order by c.relname`,
    );
    const tables = rows.map((row) => row.table as string);
    expect(tables).toEqual(expect.arrayContaining([...TENANT_TABLES]));
    expect(rows).toEqual(
      tables.map((table) => ({ table, enabled: true, forced: true, orgPolicies: expect.any(Number), orgChecks: expect.any(Number) })),
    );
    for (const row of rows) {
      expect({ table: row.table, hasPolicy: row.orgPolicies > 0, hasCheck: row.orgChecks > 0 }).toEqual({
        table: row.table,
        hasPolicy: true,
        hasCheck: true,
      });
    }
  });

  it('shows no tenant row when app.org_id is not set', async () => {
    const a = await seedOrg();
    // Positive control: the rows exist and the same role sees them once the org is set.
    const visibleToA = await inScope({ orgId: a.orgId }, countRows);
    expect(visibleToA).toEqual([1, 2, 2]);

    const setting = await db.query("select coalesce(current_setting('app.org_id', true), '') as org");
    expect(setting.rows).toEqual([{ org: '' }]);
    for (const table of TENANT_TABLES) {
      expect({ table, rows: await rowsOf(table) }).toEqual({ table, rows: [] });
    }
    const inEmptyScope = await inScope({}, countRows);
    expect(inEmptyScope).toEqual([0, 0, 0]);
  });

  it('keeps a transaction-local org inside its transaction, so the next user of the connection sees nothing', async () => {
    const a = await seedOrg();
    await inScope({ orgId: a.orgId }, async () => expect((await rowsOf('memberships')).length).toBe(2), 'commit');
    const setting = await db.query("select coalesce(current_setting('app.org_id', true), '') as org");
    expect(setting.rows).toEqual([{ org: '' }]);
    expect(await rowsOf('memberships')).toEqual([]);
  });

  it("shows B's rows and none of A's when app.org_id is B", async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    await inScope({ orgId: b.orgId }, async () => {
      const keys = await rowsOf('api_keys');
      const invitations = await rowsOf('invitations');
      const memberships = await rowsOf('memberships');
      expect(keys.map((row) => [row.id, row.org_id])).toEqual([[b.apiKeyId, b.orgId]]);
      expect(invitations).toHaveLength(2);
      expect(invitations.map((row) => row.id)).toContain(b.invitationId);
      expect(new Set(invitations.map((row) => row.org_id))).toEqual(new Set([b.orgId]));
      expect(memberships.map((row) => row.user_id).sort()).toEqual([b.owner.userId, b.viewer.userId].sort());
      expect(new Set(memberships.map((row) => row.org_id))).toEqual(new Set([b.orgId]));

      for (const table of TENANT_TABLES) {
        const named = await db.query(`select * from "${table}" where org_id = $1`, [a.orgId]);
        expect({ table, rows: named.rows }).toEqual({ table, rows: [] });
      }
      expect((await db.query('select * from api_keys where id = $1', [a.apiKeyId])).rows).toEqual([]);
      expect((await db.query('select * from invitations where id = $1', [a.invitationId])).rows).toEqual([]);
      expect((await db.query('select * from memberships where user_id = $1', [a.owner.userId])).rows).toEqual([]);
    });
  });

  it('refuses (WITH CHECK) writing a row of A while app.org_id is B', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const violation = { code: '42501', message: expect.stringContaining('row-level security policy') };

    const insert = inScope({ orgId: b.orgId }, () =>
      db.query("insert into memberships (id, org_id, user_id, role) values (gen_random_uuid(), $1, $2, 'viewer')", [
        a.orgId,
        b.viewer.userId,
      ]),
    );
    await expect(insert).rejects.toMatchObject(violation);

    const move = inScope({ orgId: b.orgId }, () =>
      db.query('update memberships set org_id = $1 where user_id = $2', [a.orgId, b.viewer.userId]),
    );
    await expect(move).rejects.toMatchObject(violation);

    const inviteIntoA = inScope({ orgId: b.orgId }, () =>
      db.query(
        "insert into invitations (id, org_id, email, role, token_hash, expires_at) values (gen_random_uuid(), $1, 'x@example.test', 'owner', 'h', now() + interval '1 day')",
        [a.orgId],
      ),
    );
    await expect(inviteIntoA).rejects.toMatchObject(violation);

    const inA = await inScope({ orgId: a.orgId }, async () => (await rowsOf('memberships')).map((row) => row.user_id).sort());
    expect(inA).toEqual([a.owner.userId, a.viewer.userId].sort());
  });

  it('changes nothing of A with UPDATE or DELETE while app.org_id is B', async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    const counts = await inScope(
      { orgId: b.orgId },
      async () => ({
        promote: (await db.query("update memberships set role = 'owner' where org_id = $1", [a.orgId])).rowCount,
        revokeKeys: (await db.query('update api_keys set revoked_at = now() where org_id = $1', [a.orgId])).rowCount,
        dropInvitations: (await db.query('delete from invitations where id = $1', [a.invitationId])).rowCount,
        dropKeys: (await db.query('delete from api_keys')).rowCount,
        dropMembers: (await db.query('delete from memberships where user_id = $1', [a.viewer.userId])).rowCount,
      }),
      'commit',
    );
    // `delete from api_keys` without a condition removed B's own key only.
    expect(counts).toEqual({ promote: 0, revokeKeys: 0, dropInvitations: 0, dropKeys: 1, dropMembers: 0 });

    await inScope({ orgId: a.orgId }, async () => {
      expect((await rowsOf('api_keys')).map((row) => [row.id, (row as { revoked_at?: unknown }).revoked_at])).toEqual([[a.apiKeyId, null]]);
      expect((await rowsOf('invitations')).map((row) => row.id)).toContain(a.invitationId);
      const roles = (await db.query('select user_id, role from memberships order by role')).rows;
      expect(roles).toEqual([
        { user_id: a.owner.userId, role: 'owner' },
        { user_id: a.viewer.userId, role: 'viewer' },
      ]);
    });
  });

  it("shows a user scope (app.user_id, no org) only that user's own memberships, across their orgs", async () => {
    const a = await seedOrg();
    const second = await call(app, 'POST', '/v1/organizations', { token: a.owner.token, body: { name: 'Second org' } });
    expect(second.statusCode).toBe(201);
    await inScope({ userId: a.owner.userId }, async () => {
      const memberships = await rowsOf('memberships');
      expect(memberships.map((row) => [row.org_id, row.user_id]).sort()).toEqual(
        [
          [a.orgId, a.owner.userId],
          [second.json().id, a.owner.userId],
        ].sort(),
      );
      expect(await rowsOf('invitations')).toEqual([]);
      expect(await rowsOf('api_keys')).toEqual([]);
    });
  });

  it('lets a user scope (app.user_id, no org) change none of the memberships it can read', async () => {
    const a = await seedOrg();
    const second = await call(app, 'POST', '/v1/organizations', { token: a.owner.token, body: { name: 'Other org' } });
    expect(second.statusCode).toBe(201);

    const updated = await inScope(
      { userId: a.owner.userId },
      async () => (await db.query("update memberships set role = 'viewer' where user_id = $1", [a.owner.userId])).rowCount,
    );
    expect(updated).toBe(0);

    const deleted = await inScope(
      { userId: a.owner.userId },
      async () => (await db.query('delete from memberships where user_id = $1', [a.owner.userId])).rowCount,
    );
    expect(deleted).toBe(0);
  });
});
