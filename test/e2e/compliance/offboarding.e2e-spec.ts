import { verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { canonicalJson } from '@app/http';
import { Jobs } from '../../../src/platform/jobs';
import { Signed, addMember, bearer, createApiKey, signup } from '../../support/factories';
import { caller } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { createTestApp } from '../../support/test-app';

async function orgName(owner: Signed): Promise<string> {
  return (await call('GET', '/v1/organization', owner.token)).json().name;
}

async function exportReady(owner: Signed): Promise<Record<string, string>> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const closure = await call('GET', '/v1/organization/closure', owner.token);
    if (closure.json().status === 'export_ready') return closure.json();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the closure export was never built');
}

/** Every row anywhere in the database that still carries the org id. */
async function rowsOf(orgId: string): Promise<Record<string, number>> {
  const { rows: tables } = await suite.db.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id'
     and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE' and table_schema = 'public')`,
  );
  const found: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const { rows } = await suite.db.query<{ n: number }>(`select count(*)::int as n from "${table}" where org_id = $1`, [orgId]);
    if (rows[0].n > 0) found[table] = rows[0].n;
  }
  const { rows } = await suite.db.query<{ n: number }>('select count(*)::int as n from organizations where id = $1', [orgId]);
  if (rows[0].n > 0) found.organizations = rows[0].n;
  return found;
}

// Its jobs visit every organization: a database of its own keeps them to this file's orgs.
const suite = useTestAppWithOwnerDb({ env: { ORGANIZATION_CLOSURE_GRACE_DAYS: '0' }, scratchDatabase: 'offboarding' });
const call = caller(() => suite.app);

describe('organization closure, end to end', () => {
  it('streams an export of tables larger than one read batch: every row exactly once', async () => {
    const owner = await signup(suite.app);
    // More rows than the exporter fetches at a time (1,000): its cursor is read three times.
    const { rows: seeded } = await suite.db.query<{ id: string }>(
      `insert into contacts (id, org_id, first_name, last_name, tags, custom_fields)
       select gen_random_uuid(), $1, 'Bulk', 'Contact ' || n, '{}', '{}' from generate_series(1, 2345) as n returning id`,
      [owner.orgId],
    );
    expect(
      (await call('POST', '/v1/organization/closure', owner.token, { confirmOrganizationName: await orgName(owner) })).statusCode,
    ).toBe(202);
    await exportReady(owner);
    const download = await call('GET', '/v1/organization/closure/export', owner.token);
    const exported = JSON.parse(gunzipSync(download.rawPayload).toString('utf8'));
    const ids = exported.tables.contacts.map((row: { id: string }) => row.id);
    expect(ids).toHaveLength(2345);
    expect(new Set(ids)).toEqual(new Set(seeded.map((row) => row.id)));
    // Withdrawn, so the closure job of the next test deletes only its own org.
    expect((await call('DELETE', '/v1/organization/closure', owner.token)).statusCode).toBeLessThan(300);
  });

  it('exports everything, then deletes every row of the org and publishes a signed certificate', async () => {
    const owner = await signup(suite.app);
    const member = await addMember(suite.app, owner, 'member');
    const company = (await call('POST', '/v1/companies', owner.token, { name: 'Closing Co' })).json();
    const contact = (
      await call('POST', '/v1/contacts', member.token, {
        firstName: 'Leaving',
        lastName: 'Soon',
        email: 'leaving@closing.example',
        companyId: company.id,
      })
    ).json();
    await call('POST', `/v1/contacts/${contact.id}/activities`, owner.token, {
      type: 'note',
      subject: 'Bye',
      occurredAt: '2026-01-01T00:00:00Z',
    });
    await createApiKey(suite.app, owner, ['contacts:read']);
    expect((await call('POST', '/v1/scim-tokens', owner.token, { name: 'IdP' })).statusCode).toBe(201);
    // The identity provider's client secret, sealed: not in the export either.
    await suite.db.query(
      `insert into sso_connections (id, org_id, type, settings, secret_sealed, enabled, enforced, jit_provisioning, default_role)
       values (gen_random_uuid(), $1, 'oidc', '{}', 'v1.sealed-client-secret', false, false, false, 'member')`,
      [owner.orgId],
    );
    await call('POST', '/v1/invitations', owner.token, { email: 'late@closing.example', role: 'viewer' });
    await call('GET', `/v1/contacts/${contact.id}`, owner.token);
    // A member who also belongs elsewhere keeps their account.
    const elsewhere = await signup(suite.app);
    const shared = await addMember(suite.app, elsewhere, 'viewer');
    const sharedInvite = await call('POST', '/v1/invitations', owner.token, { email: shared.email, role: 'viewer' });
    const joined = await call('POST', '/v1/invitations/accept', undefined, { token: sharedInvite.json().token, password: shared.password });
    expect(joined.statusCode).toBe(200);
    const survivor = await signup(suite.app);

    const requested = await call('POST', '/v1/organization/closure', owner.token, { confirmOrganizationName: await orgName(owner) });
    expect(requested.statusCode).toBe(202);
    expect(requested.json()).toMatchObject({ status: 'pending', certificateId: expect.any(String) });

    const ready = await exportReady(owner);
    const download = await call('GET', '/v1/organization/closure/export', owner.token);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/gzip');
    expect(download.headers['x-content-sha256']).toBe(ready.exportSha256);
    const exported = JSON.parse(gunzipSync(download.rawPayload).toString('utf8'));
    expect(exported.organization.id).toBe(owner.orgId);
    expect(exported.tables.contacts.map((row: { id: string }) => row.id)).toEqual([contact.id]);
    expect(exported.tables.companies).toHaveLength(1);
    expect(exported.tables.activities).toHaveLength(1);
    expect(exported.tables.audit_events.length).toBeGreaterThan(5);
    expect(exported.members.map((m: { email: string }) => m.email).sort()).toEqual([owner.email, member.email, shared.email].sort());
    expect(exported.tables.scim_tokens).toHaveLength(1);
    expect(exported.tables.sso_connections).toHaveLength(1);
    expect(JSON.stringify(exported)).not.toMatch(/key_hash|token_hash|password_hash|secret_sealed|sealed-client-secret/);

    expect(Object.keys(await rowsOf(owner.orgId)).length).toBeGreaterThan(5);
    const run = await suite.app.get(Jobs).runNow('organization-closures');
    expect(run).toMatchObject({ status: 'succeeded', counts: { organizationsDeleted: 1 } });

    expect(await rowsOf(owner.orgId)).toEqual({});
    const { rows: users } = await suite.db.query<{ id: string }>('select id from users where id = any($1)', [
      [owner.userId, member.userId, shared.userId],
    ]);
    expect(users.map((u) => u.id)).toEqual([shared.userId]);
    expect((await call('GET', '/v1/me', owner.token)).statusCode).toBe(401);
    expect((await call('GET', '/v1/me', shared.token)).statusCode).toBe(200);
    expect((await call('GET', '/v1/me', survivor.token)).statusCode).toBe(200);

    const certificate = await call('GET', `/v1/deletion-certificates/${ready.certificateId}`);
    expect(certificate.statusCode).toBe(200);
    const body = certificate.json();
    expect(body.certificate).toMatchObject({
      organization: { id: owner.orgId },
      exportSha256: ready.exportSha256,
      verification: { clean: true, remainingRows: {} },
      recordsDeleted: expect.objectContaining({ contacts: 1, organizations: 1, users: 2 }),
    });
    const key = (await call('GET', '/v1/compliance/signing-key', survivor.token)).json();
    const signed = Buffer.from(canonicalJson(body.certificate));
    expect(verify(null, signed, key.publicKeyPem, Buffer.from(body.signature.value, 'base64'))).toBe(true);
    const forged = Buffer.from(canonicalJson({ ...body.certificate, deletedAt: '2020-01-01T00:00:00.000Z' }));
    expect(verify(null, forged, key.publicKeyPem, Buffer.from(body.signature.value, 'base64'))).toBe(false);
  });

  it('keeps the org until the grace period ends, and can be withdrawn', async () => {
    const { app: patient } = await createTestApp({ env: { ORGANIZATION_CLOSURE_GRACE_DAYS: '30' } });
    try {
      const owner = await signup(patient);
      const name = (await patient.inject({ method: 'GET', url: '/v1/organization', headers: bearer(owner.token) })).json().name;
      const requested = await patient.inject({
        method: 'POST',
        url: '/v1/organization/closure',
        headers: bearer(owner.token),
        payload: { confirmOrganizationName: name },
      });
      expect(requested.statusCode).toBe(202);
      const again = await patient.inject({
        method: 'POST',
        url: '/v1/organization/closure',
        headers: bearer(owner.token),
        payload: { confirmOrganizationName: name },
      });
      expect(again.json()).toMatchObject({ status: 409, code: 'CLOSURE_ALREADY_REQUESTED' });
      await patient.get(Jobs).runNow('organization-closures');
      await patient.get(Jobs).runNow('organization-closures');
      expect((await patient.inject({ method: 'GET', url: '/v1/organization', headers: bearer(owner.token) })).statusCode).toBe(200);

      const cancelled = await patient.inject({ method: 'DELETE', url: '/v1/organization/closure', headers: bearer(owner.token) });
      expect(cancelled.statusCode).toBe(204);
      expect((await patient.inject({ method: 'GET', url: '/v1/organization/closure', headers: bearer(owner.token) })).json()).toMatchObject(
        {
          status: 404,
          code: 'CLOSURE_NOT_FOUND',
        },
      );
      const reopened = await patient.inject({
        method: 'POST',
        url: '/v1/organization/closure',
        headers: bearer(owner.token),
        payload: { confirmOrganizationName: name },
      });
      expect(reopened.statusCode).toBe(202);
    } finally {
      await patient.close();
    }
  });
});

describe('closure and legal holds', () => {
  it('waits while any legal hold is active, and deletes once it is released', async () => {
    const owner = await signup(suite.app);
    const hold = await call('POST', '/v1/legal-holds', owner.token, {
      scope: 'category',
      category: 'activities',
      reason: 'Audit by regulator',
    });
    expect(hold.statusCode).toBe(201);
    expect(
      (await call('POST', '/v1/organization/closure', owner.token, { confirmOrganizationName: await orgName(owner) })).statusCode,
    ).toBe(202);
    await exportReady(owner);

    const held = await suite.app.get(Jobs).runNow('organization-closures');
    expect(held).toMatchObject({ status: 'succeeded', counts: { organizationsDeleted: 0, heldBack: 1 } });
    expect((await call('GET', '/v1/organization', owner.token)).statusCode).toBe(200);

    expect((await call('DELETE', `/v1/legal-holds/${hold.json().id}`, owner.token)).statusCode).toBe(204);
    const released = await suite.app.get(Jobs).runNow('organization-closures');
    expect(released).toMatchObject({ status: 'succeeded', counts: { organizationsDeleted: 1, heldBack: 0 } });
    expect(await rowsOf(owner.orgId)).toEqual({});
  });
});

describe('closure routes', () => {
  it('need the org’s exact name', async () => {
    const owner = await signup(suite.app);
    for (const payload of [
      {},
      { confirmOrganizationName: 'Not it' },
      { confirmOrganizationName: 7 },
      { confirmOrganizationName: 'x', extra: 1 },
    ]) {
      const response = await call('POST', '/v1/organization/closure', owner.token, payload);
      expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await call('GET', '/v1/organization', owner.token)).statusCode).toBe(200);
  });

  it('are for owners in a session only', async () => {
    const owner = await signup(suite.app);
    const name = await orgName(owner);
    expect((await call('POST', '/v1/organization/closure', undefined, { confirmOrganizationName: name })).statusCode).toBe(401);
    for (const role of ['admin', 'member', 'auditor'] as const) {
      const other = await addMember(suite.app, owner, role);
      const response = await call('POST', '/v1/organization/closure', other.token, { confirmOrganizationName: name });
      expect(response.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    const key = await createApiKey(suite.app, owner, ['org:read']);
    expect((await call('GET', '/v1/organization/closure', key.secret)).statusCode).toBe(403);
  });

  it('show nothing of another org’s closure', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    const requested = await call('POST', '/v1/organization/closure', first.token, { confirmOrganizationName: await orgName(first) });
    expect(requested.statusCode).toBe(202);
    expect((await call('GET', '/v1/organization/closure', second.token)).json()).toMatchObject({ code: 'CLOSURE_NOT_FOUND' });
    expect((await call('GET', '/v1/organization/closure/export', second.token)).json()).toMatchObject({ code: 'CLOSURE_NOT_FOUND' });
    expect((await call('DELETE', '/v1/organization/closure', second.token)).statusCode).toBe(404);
    expect((await call('GET', '/v1/organization/closure', first.token)).statusCode).toBe(200);
    await call('DELETE', '/v1/organization/closure', first.token);
  });

  it('answer an unknown or malformed certificate id with problem details', async () => {
    expect((await call('GET', '/v1/deletion-certificates/5b0a8a53-4f7e-4c41-9b9d-2f1f2d1c9e11')).json()).toMatchObject({
      status: 404,
      code: 'DELETION_CERTIFICATE_NOT_FOUND',
    });
    expect((await call('GET', '/v1/deletion-certificates/not-a-uuid')).statusCode).toBe(400);
  });
});
