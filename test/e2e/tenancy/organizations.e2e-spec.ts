import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../../src/tenancy';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { call, createOrganization, expectProblem } from '../../support/client';

/** GET/POST /v1/organizations, GET/PATCH /v1/organization. */
describe('Organizations (e2e)', () => {
  const suite = useTestApp();

  const fieldsOf = (response: LightMyRequestResponse): string[] => (response.json().errors as { field: string }[]).map((e) => e.field);

  const get = (url: string, token?: string) => call(suite.app, 'GET', url, { token });
  const send = (method: 'POST' | 'PATCH', url: string, payload: object, token?: string) =>
    call(suite.app, method, url, { token, body: payload });
  const patchOrg = (payload: Record<string, unknown>, token?: string) => send('PATCH', '/v1/organization', payload, token);

  /** Invites an existing user into `inviter`'s org with `role`; they accept with their password. */
  async function join(inviter: Signed, user: Signed, role: Role): Promise<void> {
    const invited = await send('POST', '/v1/invitations', { email: user.email, role }, inviter.token);
    expect(invited.statusCode).toBe(201);
    const accepted = await send('POST', '/v1/invitations/accept', { token: invited.json().token, password: user.password });
    expect(accepted.statusCode).toBe(200);
  }

  const listOrgs = async (token: string) =>
    (await get('/v1/organizations', token)).json().data as { organization: { id: string; name: string }; role: string }[];

  describe('GET /v1/organizations', () => {
    it('lists every org the user belongs to, across tenants, with the role in each', async () => {
      const owner = await signup(suite.app);
      const other = await signup(suite.app);
      const third = await signup(suite.app);
      const viewer = await addMember(suite.app, owner, 'viewer');
      const own = await createOrganization(suite.app, viewer, 'Viewer Own Org');
      await join(third, viewer, 'auditor');
      const response = await get('/v1/organizations', viewer.token);
      expect(response.statusCode).toBe(200);
      expect(response.json().nextCursor).toBeNull();
      const rows = response.json().data as { organization: { id: string }; role: string }[];
      expect(rows.map((r) => [r.organization.id, r.role]).sort()).toEqual(
        [
          [owner.orgId, 'viewer'],
          [own, 'owner'],
          [third.orgId, 'auditor'],
        ].sort(),
      );
      expect(rows.map((r) => r.organization.id)).not.toContain(other.orgId);
    });

    it('never shows another user’s organizations', async () => {
      const alice = await signup(suite.app);
      const bob = await signup(suite.app);
      const bobSecond = await createOrganization(suite.app, bob, 'Bob Second');
      const aliceOrgs = (await listOrgs(alice.token)).map((r) => r.organization.id);
      expect(aliceOrgs).toEqual([alice.orgId]);
      expect(aliceOrgs).not.toContain(bob.orgId);
      expect(aliceOrgs).not.toContain(bobSecond);
    });

    it('pages with limit=1', async () => {
      const owner = await signup(suite.app);
      const second = await createOrganization(suite.app, owner, 'Second');
      const page1 = await get('/v1/organizations?limit=1', owner.token);
      expect(page1.statusCode).toBe(200);
      expect(page1.json().data.map((r: { organization: { id: string } }) => r.organization.id)).toEqual([owner.orgId]);
      expect(page1.json().nextCursor).toEqual(expect.any(String));
      const page2 = await get(`/v1/organizations?limit=1&cursor=${page1.json().nextCursor}`, owner.token);
      expect(page2.json().data.map((r: { organization: { id: string } }) => r.organization.id)).toEqual([second]);
      expect(page2.json().nextCursor).toBeNull();
      expectProblem(await get('/v1/organizations?limit=0', owner.token), 400, 'VALIDATION_FAILED');
      expectProblem(await get('/v1/organizations?cursor=not*a*cursor', owner.token), 400, 'VALIDATION_FAILED');
    });

    it('answers 400, never 500, to a forged cursor whose id is not a UUID', async () => {
      const owner = await signup(suite.app);
      const forged = Buffer.from(JSON.stringify({ id: '-'.repeat(36) })).toString('base64url');
      expectProblem(await get(`/v1/organizations?cursor=${forged}`, owner.token), 400, 'VALIDATION_FAILED');
    });

    it('answers 401 without a token and 403 to an API key', async () => {
      const owner = await signup(suite.app);
      const key = await createApiKey(suite.app, owner, ['org:read']);
      expectProblem(await get('/v1/organizations'), 401, 'UNAUTHENTICATED');
      expectProblem(await get('/v1/organizations', key.secret), 403, 'FORBIDDEN');
    });
  });

  describe('POST /v1/organizations', () => {
    it('creates an org owned by the caller; the current session stays on its org', async () => {
      const member = await addMember(suite.app, await signup(suite.app), 'member');
      const response = await send('POST', '/v1/organizations', { name: 'Fresh Start' }, member.token);
      expect(response.statusCode).toBe(201);
      const created = response.json();
      expect(created).toMatchObject({
        id: expect.any(String),
        name: 'Fresh Start',
        plan: 'free',
        slug: expect.stringMatching(/^fresh-start-/),
      });
      expect((await listOrgs(member.token)).find((r) => r.organization.id === created.id)?.role).toBe('owner');
      expect((await get('/v1/organization', member.token)).json().id).toBe(member.orgId);

      const switched = await send('POST', '/v1/auth/switch-organization', { organizationId: created.id }, member.token);
      expect(switched.statusCode).toBe(200);
      expect((await get('/v1/me', switched.json().token)).json()).toMatchObject({ role: 'owner', organization: { id: created.id } });
    });

    it('validates the body with 400', async () => {
      const owner = await signup(suite.app);
      const cases: [Record<string, unknown>, string][] = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(201) }, 'name'],
        [{ name: 42 }, 'name'],
        [{ name: 'Ok', plan: 'enterprise' }, 'plan'],
      ];
      for (const [payload, field] of cases) {
        const response = await send('POST', '/v1/organizations', payload, owner.token);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(response)).toContain(field);
      }
      expect(await listOrgs(owner.token)).toHaveLength(1);
    });

    it('answers 401 without a token and 403 to an API key', async () => {
      const owner = await signup(suite.app);
      const key = await createApiKey(suite.app, owner, ['org:manage']);
      expectProblem(await send('POST', '/v1/organizations', { name: 'Nope' }), 401, 'UNAUTHENTICATED');
      expectProblem(await send('POST', '/v1/organizations', { name: 'Nope' }, key.secret), 403, 'FORBIDDEN');
      expect(await listOrgs(owner.token)).toHaveLength(1);
    });
  });

  describe('GET /v1/organization', () => {
    it.each(['admin', 'member', 'viewer', 'auditor'] as const)('answers 200 to a %s with the current org', async (role) => {
      const owner = await signup(suite.app, { organizationName: 'Readable Org' });
      const user = await addMember(suite.app, owner, role);
      const response = await get('/v1/organization', user.token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: owner.orgId, name: 'Readable Org', plan: 'free', settings: {} });
    });

    it('serves an API key with org:read its own org and refuses one without it', async () => {
      const owner = await signup(suite.app);
      const reader = await createApiKey(suite.app, owner, ['org:read']);
      const other = await createApiKey(suite.app, owner, ['contacts:read']);
      const response = await get('/v1/organization', reader.secret);
      expect(response.statusCode).toBe(200);
      expect(response.json().id).toBe(owner.orgId);
      expectProblem(await get('/v1/organization', other.secret), 403, 'FORBIDDEN');
      expectProblem(await get('/v1/organization'), 401, 'UNAUTHENTICATED');
    });

    it('shows each tenant only its own org', async () => {
      const a = await signup(suite.app);
      const b = await signup(suite.app);
      expect((await get('/v1/organization', a.token)).json().id).toBe(a.orgId);
      expect((await get('/v1/organization', b.token)).json().id).toBe(b.orgId);
    });
  });

  describe('PATCH /v1/organization', () => {
    it.each(['owner', 'admin'] as const)('lets an %s rename it and set the display time zone', async (role) => {
      const owner = await signup(suite.app);
      const actor = role === 'owner' ? owner : await addMember(suite.app, owner, role);
      const response = await patchOrg({ name: 'Renamed', settings: { displayTimezone: 'Europe/Berlin' } }, actor.token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: owner.orgId,
        name: 'Renamed',
        settings: { displayTimezone: 'Europe/Berlin' },
        plan: 'free',
      });
      expect((await get('/v1/organization', owner.token)).json()).toMatchObject({
        name: 'Renamed',
        settings: { displayTimezone: 'Europe/Berlin' },
      });
    });

    it('keeps settings when only the name changes', async () => {
      const owner = await signup(suite.app);
      expect((await patchOrg({ settings: { displayTimezone: 'America/New_York' } }, owner.token)).statusCode).toBe(200);
      const renamed = await patchOrg({ name: 'Only The Name' }, owner.token);
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ name: 'Only The Name', settings: { displayTimezone: 'America/New_York' } });
    });

    it.each(['member', 'viewer', 'auditor'] as const)('refuses a %s with 403 and changes nothing', async (role) => {
      const owner = await signup(suite.app, { organizationName: 'Untouched' });
      const user = await addMember(suite.app, owner, role);
      expectProblem(await patchOrg({ name: 'Hijacked' }, user.token), 403, 'FORBIDDEN');
      expect((await get('/v1/organization', owner.token)).json().name).toBe('Untouched');
    });

    it.each([
      ['an invalid time zone', { settings: { displayTimezone: 'Mars/Olympus' } }, 'settings.displayTimezone'],
      ['a non-string time zone', { settings: { displayTimezone: 5 } }, 'settings.displayTimezone'],
      ['a null time zone', { settings: { displayTimezone: null } }, 'settings.displayTimezone'],
      ['settings given as an array', { settings: [{ displayTimezone: 'UTC' }] }, 'settings'],
      ['a null name', { name: null }, 'name'],
      ['an unknown setting', { settings: { theme: 'dark' } }, 'settings.theme'],
      ['the plan', { plan: 'enterprise' }, 'plan'],
      ['an empty name', { name: '' }, 'name'],
      ['a too long name', { name: 'x'.repeat(201) }, 'name'],
    ])('refuses %s with 400 and changes nothing', async (_label, payload, field) => {
      const owner = await signup(suite.app, { organizationName: 'Stable Name' });
      const response = await patchOrg(payload, owner.token);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(response)).toContain(field);
      const after = (await get('/v1/organization', owner.token)).json();
      expect(after).toMatchObject({ name: 'Stable Name', plan: 'free' });
      expect(after.settings).toEqual({});
    });

    it('lets an API key with org:manage patch, refuses one with only org:read, and 401 without a token', async () => {
      const owner = await signup(suite.app);
      const manager = await createApiKey(suite.app, owner, ['org:manage']);
      const reader = await createApiKey(suite.app, owner, ['org:read']);
      const viaKey = await patchOrg({ name: 'Via Key' }, manager.secret);
      expect(viaKey.statusCode).toBe(200);
      expect(viaKey.json()).toMatchObject({ id: owner.orgId, name: 'Via Key' });
      expectProblem(await patchOrg({ name: 'Nope' }, reader.secret), 403, 'FORBIDDEN');
      expectProblem(await patchOrg({ name: 'Nope' }), 401, 'UNAUTHENTICATED');
      expect((await get('/v1/organization', owner.token)).json().name).toBe('Via Key');
    });

    it('cross-tenant: org B’s token only ever changes org B', async () => {
      const a = await signup(suite.app, { organizationName: 'Tenant A' });
      const b = await signup(suite.app, { organizationName: 'Tenant B' });
      const response = await patchOrg({ name: 'B Renamed', settings: { displayTimezone: 'Asia/Tokyo' } }, b.token);
      expect(response.statusCode).toBe(200);
      expect(response.json().id).toBe(b.orgId);
      const orgA = (await get('/v1/organization', a.token)).json();
      expect(orgA).toMatchObject({ id: a.orgId, name: 'Tenant A' });
      expect(orgA.settings).toEqual({});
      // A body naming org A is not a way to reach it.
      expectProblem(await patchOrg({ id: a.orgId, name: 'Hijack' }, b.token), 400, 'VALIDATION_FAILED');
      expect((await get('/v1/organization', a.token)).json().name).toBe('Tenant A');
    });

    it('cross-tenant: the role counts per org; an owner elsewhere is only a viewer here', async () => {
      const host = await signup(suite.app, { organizationName: 'Host Org' });
      const guest = await signup(suite.app);
      await join(host, guest, 'viewer');
      const login = await send('POST', '/v1/auth/login', { email: guest.email, password: guest.password, organizationId: host.orgId });
      expect(login.statusCode).toBe(200);
      expectProblem(await patchOrg({ name: 'Guest Was Here' }, login.json().token), 403, 'FORBIDDEN');
      expect((await get('/v1/organization', login.json().token)).json()).toMatchObject({ id: host.orgId, name: 'Host Org' });
      expect((await patchOrg({ name: 'Guest Own' }, guest.token)).json()).toMatchObject({ id: guest.orgId, name: 'Guest Own' });
      expect((await get('/v1/organization', host.token)).json().name).toBe('Host Org');
    });

    it('cross-tenant: a user in two orgs changes only the org their session is bound to', async () => {
      const owner = await signup(suite.app, { organizationName: 'First Org' });
      const second = await createOrganization(suite.app, owner, 'Second Org');
      const login = await send('POST', '/v1/auth/login', { email: owner.email, password: owner.password, organizationId: second });
      expect(login.statusCode).toBe(200);
      expect((await patchOrg({ name: 'Second Renamed' }, login.json().token)).json()).toMatchObject({ id: second, name: 'Second Renamed' });
      const names = Object.fromEntries((await listOrgs(owner.token)).map((r) => [r.organization.id, r.organization.name]));
      expect(names).toEqual({ [owner.orgId]: 'First Org', [second]: 'Second Renamed' });
    });
  });
});
