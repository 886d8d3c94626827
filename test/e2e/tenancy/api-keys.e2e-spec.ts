import { randomUUID } from 'node:crypto';
import { PERMISSIONS } from '../../../src/tenancy/permissions';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { caller, expectProblem } from '../../support/client';
import { clockPast, pollUntil } from '../../support/waiting';

const suite = useTestApp();
const call = caller(() => suite.app);

async function keysOf(caller: Signed): Promise<Record<string, unknown>[]> {
  const list = await call('GET', '/v1/api-keys?limit=100', caller.token);
  expect(list.statusCode).toBe(200);
  return list.json().data;
}

/** The key with one character of its secret part changed. */
function tamper(secret: string, index: number): string {
  const swapped = secret[index] === 'A' ? 'B' : 'A';
  return `${secret.slice(0, index)}${swapped}${secret.slice(index + 1)}`;
}

describe('API keys (e2e)', () => {
  it('shows the secret once; the list shows its prefix, never the secret or its hash', async () => {
    const owner = await signup(suite.app);
    const created = await call('POST', '/v1/api-keys', owner.token, { name: 'CRM sync', scopes: ['contacts:write', 'contacts:read'] });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.secret).toMatch(/^atr_[A-Za-z0-9_-]{65}$/);
    expect(body).toMatchObject({
      name: 'CRM sync',
      scopes: ['contacts:read', 'contacts:write'],
      createdBy: owner.userId,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(body.prefix).toMatch(/^atr_/);
    expect(body.secret.startsWith(body.prefix.replace(/…$/, ''))).toBe(true);
    expect(body.prefix.replace(/…$/, '').length).toBeLessThan(body.secret.length - 32);
    expect(body).not.toHaveProperty('keyHash');

    const list = await call('GET', '/v1/api-keys', owner.token);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      data: [expect.objectContaining({ id: body.id, name: 'CRM sync', prefix: body.prefix })],
      nextCursor: null,
    });
    expect(list.json().data[0]).not.toHaveProperty('secret');
    expect(list.json().data[0]).not.toHaveProperty('keyHash');
    expect(list.body).not.toContain(body.secret);
    expect(list.body).not.toContain(body.secret.slice(-20));
  });

  it('lets an admin grant any scope, and refuses unknown or empty scopes (400, field scopes)', async () => {
    const owner = await signup(suite.app);
    const admin = await addMember(suite.app, owner, 'admin');
    // Everything an admin holds: all but closing the organization and managing its identity
    // (SSO, verified domains, SCIM), which only owners may do.
    const adminScopes = PERMISSIONS.filter((permission) => permission !== 'org:close' && permission !== 'identity:manage');
    const everything = await call('POST', '/v1/api-keys', admin.token, { name: 'all', scopes: adminScopes });
    expect(everything.statusCode).toBe(201);
    expect(everything.json().scopes).toEqual([...adminScopes].sort());

    for (const scopes of [
      ['contacts:read', 'root:everything'],
      ['members:superpowers'],
      [],
      ['contacts:read', 'contacts:read'],
      'contacts:read',
    ]) {
      const refused = await call('POST', '/v1/api-keys', admin.token, { name: 'bad', scopes });
      expectProblem(refused, 400, 'VALIDATION_FAILED');
      expect(refused.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'scopes' })]));
    }
    expect(await keysOf(owner)).toHaveLength(1);
  });

  it('validates name, expiresAt and unknown fields (400)', async () => {
    const owner = await signup(suite.app);
    const cases: [object, string][] = [
      [{ name: 'past', scopes: ['contacts:read'], expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
      [{ name: 'not a date', scopes: ['contacts:read'], expiresAt: 'tomorrow-ish' }, 'expiresAt'],
      [{ scopes: ['contacts:read'] }, 'name'],
      [{ name: '', scopes: ['contacts:read'] }, 'name'],
      [{ name: 'extra', scopes: ['contacts:read'], orgId: randomUUID() }, 'orgId'],
    ];
    for (const [payload, field] of cases) {
      const response = await call('POST', '/v1/api-keys', owner.token, payload);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect(await keysOf(owner)).toEqual([]);
  });

  it('acts with its scopes only: [contacts:read] gets 403 on /v1/members and 200 on /v1/me', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read']);
    expectProblem(await call('GET', '/v1/members', key.secret), 403, 'FORBIDDEN');
    expectProblem(await call('GET', '/v1/api-keys', key.secret), 403, 'FORBIDDEN');
    const me = await call('GET', '/v1/me', key.secret);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      principal: { type: 'api_key', id: key.id },
      user: null,
      role: null,
      permissions: ['contacts:read'],
      organization: { id: owner.orgId },
    });
  });

  it('refuses POST /v1/api-keys to an API key (session only, 403) but lets it list and revoke with api-keys:manage', async () => {
    const owner = await signup(suite.app);
    const manager = await createApiKey(suite.app, owner, ['api-keys:manage']);
    const victim = await createApiKey(suite.app, owner, ['contacts:read']);
    expectProblem(await call('POST', '/v1/api-keys', manager.secret, { name: 'child', scopes: ['contacts:read'] }), 403, 'FORBIDDEN');
    const list = await call('GET', '/v1/api-keys', manager.secret);
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(2);
    expect((await call('DELETE', `/v1/api-keys/${victim.id}`, manager.secret)).statusCode).toBe(204);
    expectProblem(await call('GET', '/v1/me', victim.secret), 401, 'INVALID_CREDENTIALS');
  });

  it('stops working on the very next request after revocation (401); revoking twice is 404', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read', 'members:read']);
    expect((await call('GET', '/v1/members', key.secret)).statusCode).toBe(200);

    const revoked = await call('DELETE', `/v1/api-keys/${key.id}`, owner.token);
    expect(revoked.statusCode).toBe(204);
    expectProblem(await call('GET', '/v1/members', key.secret), 401, 'INVALID_CREDENTIALS');
    expectProblem(await call('GET', '/v1/me', key.secret), 401, 'INVALID_CREDENTIALS');

    const [row] = await keysOf(owner);
    expect(row).toMatchObject({ id: key.id });
    expect(Date.parse(row.revokedAt as string)).toBeLessThanOrEqual(Date.now());
    expectProblem(await call('DELETE', `/v1/api-keys/${key.id}`, owner.token), 404, 'API_KEY_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/api-keys/${randomUUID()}`, owner.token), 404, 'API_KEY_NOT_FOUND');
    expectProblem(await call('DELETE', '/v1/api-keys/xyz', owner.token), 400, 'VALIDATION_FAILED');
  });

  it('stops working once expiresAt has passed (401)', async () => {
    const owner = await signup(suite.app);
    const expiresAt = new Date(Date.now() + 2_000);
    const created = await call('POST', '/v1/api-keys', owner.token, {
      name: 'short-lived',
      scopes: ['contacts:read'],
      expiresAt: expiresAt.toISOString(),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().expiresAt).toBe(expiresAt.toISOString());
    const secret = created.json().secret as string;
    expect((await call('GET', '/v1/me', secret)).statusCode).toBe(200);

    const expired = await pollUntil(
      () => call('GET', '/v1/me', secret),
      (response) => response.statusCode !== 200,
    );
    expectProblem(expired, 401, 'INVALID_CREDENTIALS');
  });

  it("is capped by its creator's current role: a lowered role takes the permissions away, a restored one gives them back", async () => {
    const owner = await signup(suite.app);
    const admin = await addMember(suite.app, owner, 'admin');
    const member = await addMember(suite.app, owner, 'member');
    const key = await createApiKey(suite.app, admin, ['members:read', 'members:manage', 'contacts:read', 'contacts:write']);
    expect((await call('PATCH', `/v1/members/${member.userId}`, key.secret, { role: 'viewer' })).statusCode).toBe(200);

    expect((await call('PATCH', `/v1/members/${admin.userId}`, owner.token, { role: 'viewer' })).statusCode).toBe(200);

    expectProblem(await call('PATCH', `/v1/members/${member.userId}`, key.secret, { role: 'member' }), 403, 'FORBIDDEN');
    expect((await call('GET', '/v1/members', key.secret)).statusCode).toBe(200);
    const me = await call('GET', '/v1/me', key.secret);
    expect(me.json().permissions).toEqual(['contacts:read', 'members:read']);

    expect((await call('PATCH', `/v1/members/${admin.userId}`, owner.token, { role: 'admin' })).statusCode).toBe(200);
    expect((await call('GET', '/v1/me', key.secret)).json().permissions).toEqual([
      'contacts:read',
      'contacts:write',
      'members:manage',
      'members:read',
    ]);
  });

  it('sets lastUsedAt on first use and does not rewrite it on a second use a moment later', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read']);
    expect((await keysOf(owner))[0].lastUsedAt).toBeNull();

    const before = Date.now();
    expect((await call('GET', '/v1/me', key.secret)).statusCode).toBe(200);
    const after = Date.now();
    const first = (await keysOf(owner))[0].lastUsedAt as string;
    expect(typeof first).toBe('string');
    expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(first)).toBeLessThanOrEqual(after + 5);

    await clockPast(first);
    expect((await call('GET', '/v1/me', key.secret)).statusCode).toBe(200);
    expect((await keysOf(owner))[0].lastUsedAt).toBe(first);
  });

  it('refuses a tampered, truncated or forged key (401 INVALID_CREDENTIALS)', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read']);
    expect((await call('GET', '/v1/me', key.secret)).statusCode).toBe(200);
    const forged = `atr_${key.secret.slice(4, 26)}${'A'.repeat(43)}`;
    for (const bad of [
      tamper(key.secret, key.secret.length - 1),
      tamper(key.secret, 40),
      tamper(key.secret, 6),
      key.secret.slice(0, -1),
      `${key.secret}A`,
      forged,
    ]) {
      expectProblem(await call('GET', '/v1/me', bad), 401, 'INVALID_CREDENTIALS');
    }
    expect((await call('GET', '/v1/me', key.secret)).statusCode).toBe(200);
  });

  it("never lets a key of org A see org B's resources", async () => {
    const orgA = await signup(suite.app);
    const orgB = await signup(suite.app);
    const memberB = await addMember(suite.app, orgB, 'member');
    const keyA = await createApiKey(suite.app, orgA, ['org:read', 'members:read', 'members:manage', 'api-keys:manage']);
    const keyB = await createApiKey(suite.app, orgB, ['contacts:read']);

    const org = await call('GET', '/v1/organization', keyA.secret);
    expect(org.statusCode).toBe(200);
    expect(org.json().id).toBe(orgA.orgId);
    const members = await call('GET', '/v1/members', keyA.secret);
    expect(members.json().data.map((m: { userId: string }) => m.userId)).toEqual([orgA.userId]);
    const keys = await call('GET', '/v1/api-keys', keyA.secret);
    expect(keys.json().data.map((k: { id: string }) => k.id)).toEqual([keyA.id]);

    expectProblem(await call('PATCH', `/v1/members/${memberB.userId}`, keyA.secret, { role: 'viewer' }), 404, 'MEMBER_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/api-keys/${keyB.id}`, keyA.secret), 404, 'API_KEY_NOT_FOUND');
    expectProblem(await call('DELETE', `/v1/api-keys/${keyB.id}`, orgA.token), 404, 'API_KEY_NOT_FOUND');
    expect((await call('GET', '/v1/me', keyB.secret)).json().organization.id).toBe(orgB.orgId);
  });

  it('answers 401 without a token and 403 to member, viewer and auditor on every key route', async () => {
    const owner = await signup(suite.app);
    const key = await createApiKey(suite.app, owner, ['contacts:read']);
    expectProblem(await call('GET', '/v1/api-keys'), 401, 'UNAUTHENTICATED');
    expectProblem(await call('POST', '/v1/api-keys', undefined, { name: 'x', scopes: ['contacts:read'] }), 401, 'UNAUTHENTICATED');
    expectProblem(await call('DELETE', `/v1/api-keys/${key.id}`), 401, 'UNAUTHENTICATED');
    for (const role of ['member', 'viewer', 'auditor'] as const) {
      const caller = await addMember(suite.app, owner, role);
      expectProblem(await call('GET', '/v1/api-keys', caller.token), 403, 'FORBIDDEN');
      expectProblem(await call('POST', '/v1/api-keys', caller.token, { name: 'mine', scopes: ['org:read'] }), 403, 'FORBIDDEN');
      expectProblem(await call('DELETE', `/v1/api-keys/${key.id}`, caller.token), 403, 'FORBIDDEN');
    }
    expect((await call('GET', '/v1/me', key.secret)).statusCode).toBe(200);
  });
});
