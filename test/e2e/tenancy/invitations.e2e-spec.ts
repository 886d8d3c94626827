import { randomBytes, randomUUID } from 'node:crypto';
import { STRONG_PASSWORD, Signed, addMember, signup, uniqueEmail } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Reply, caller, expectProblem } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

interface Invited {
  readonly id: string;
  readonly token: string;
  readonly email: string;
}

async function invite(inviter: Signed, role: string, email = uniqueEmail('invitee')): Promise<Invited> {
  const response = await call('POST', '/v1/invitations', inviter.token, { email, role });
  expect(response.statusCode).toBe(201);
  return { id: response.json().id, token: response.json().token, email };
}

function accept(payload: object) {
  return call('POST', '/v1/invitations/accept', undefined, payload);
}

async function invitationsOf(caller: Signed): Promise<Record<string, unknown>[]> {
  const list = await call('GET', '/v1/invitations?limit=100', caller.token);
  expect(list.statusCode).toBe(200);
  return list.json().data;
}

describe('Invitations (e2e)', () => {
  it('shows the token once, in the 201, and never in the list', async () => {
    const owner = await signup(suite.app);
    const email = uniqueEmail('invitee');
    const created = await call('POST', '/v1/invitations', owner.token, { email, role: 'member' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ email, role: 'member', status: 'pending', invitedBy: owner.userId });
    expect(body.token).toMatch(/^inv_[A-Za-z0-9_-]{65}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect(body).not.toHaveProperty('tokenHash');

    const list = await call('GET', '/v1/invitations', owner.token);
    expect(list.statusCode).toBe(200);
    expect(list.json().nextCursor).toBeNull();
    expect(list.json().data).toEqual([expect.objectContaining({ id: body.id, email, role: 'member', status: 'pending' })]);
    expect(list.json().data[0]).not.toHaveProperty('token');
    expect(list.json().data[0]).not.toHaveProperty('tokenHash');
    expect(list.body).not.toContain(body.token);
    expect(list.body).not.toContain(body.token.slice(4, 30));
  });

  it('lists pending, accepted and revoked invitations with their status', async () => {
    const owner = await signup(suite.app);
    const pending = await invite(owner, 'viewer');
    const accepted = await invite(owner, 'member');
    const revoked = await invite(owner, 'admin');
    expect((await accept({ token: accepted.token, name: 'Joiner', password: STRONG_PASSWORD })).statusCode).toBe(200);
    const revoke = await call('DELETE', `/v1/invitations/${revoked.id}`, owner.token);
    expect(revoke.statusCode).toBe(204);

    const data = await invitationsOf(owner);
    expect(data).toHaveLength(3);
    expect(data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: pending.id, status: 'pending', role: 'viewer' }),
        expect.objectContaining({ id: accepted.id, status: 'accepted', role: 'member' }),
        expect.objectContaining({ id: revoked.id, status: 'revoked', role: 'admin' }),
      ]),
    );

    const page = await call('GET', '/v1/invitations?limit=2', owner.token);
    expect(page.json().data).toHaveLength(2);
    const rest = await call('GET', `/v1/invitations?limit=2&cursor=${page.json().nextCursor}`, owner.token);
    expect(rest.json()).toEqual({ data: [expect.any(Object)], nextCursor: null });
  });

  it('creates the account of a new email (name and strong password required) and signs it in with the invited role', async () => {
    const owner = await signup(suite.app);
    const invited = await invite(owner, 'viewer');

    const bare = await accept({ token: invited.token });
    expectProblem(bare, 400, 'VALIDATION_FAILED');
    expect(
      bare
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['name', 'password']);

    const weak = await accept({ token: invited.token, name: 'New Person', password: 'short' });
    expectProblem(weak, 400, 'VALIDATION_FAILED');
    expect(weak.json().errors).toEqual([expect.objectContaining({ field: 'password' })]);
    const common = await accept({ token: invited.token, name: 'New Person', password: 'password1234' });
    expectProblem(common, 400, 'VALIDATION_FAILED');

    const unknownField = await accept({ token: invited.token, name: 'New Person', password: STRONG_PASSWORD, role: 'owner' });
    expectProblem(unknownField, 400, 'VALIDATION_FAILED');

    const joined = await accept({ token: invited.token, name: 'New Person', password: STRONG_PASSWORD });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({
      role: 'viewer',
      user: { email: invited.email, name: 'New Person' },
      organization: { id: owner.orgId },
    });
    expect(joined.json().token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await call('GET', '/v1/me', joined.json().token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ role: 'viewer', organization: { id: owner.orgId }, user: { id: joined.json().user.id } });
    const login = await call('POST', '/v1/auth/login', undefined, { email: invited.email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
    expect(login.json().organization.id).toBe(owner.orgId);
  });

  it('asks an existing account for its current password (401 when wrong) and adds it with the invited role', async () => {
    const owner = await signup(suite.app);
    const existing = await signup(suite.app);
    const invited = await invite(owner, 'member', existing.email);

    expectProblem(await accept({ token: invited.token }), 401, 'INVALID_CREDENTIALS');
    expectProblem(await accept({ token: invited.token, password: 'not the password at all 99' }), 401, 'INVALID_CREDENTIALS');
    expectProblem(
      await accept({ token: invited.token, name: 'Hijacker', password: 'a brand new strong password 7' }),
      401,
      'INVALID_CREDENTIALS',
    );

    const joined = await accept({ token: invited.token, password: existing.password });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({
      role: 'member',
      user: { id: existing.userId, email: existing.email, name: 'Test Owner' },
      organization: { id: owner.orgId },
    });
    const me = await call('GET', '/v1/me', joined.json().token);
    expect(me.json()).toMatchObject({ role: 'member', organization: { id: owner.orgId }, user: { id: existing.userId } });
    const ownOrg = await call('GET', '/v1/me', existing.token);
    expect(ownOrg.json()).toMatchObject({ role: 'owner', organization: { id: existing.orgId } });
  });

  it('accepts a token once: the second accept is 404 INVITATION_NOT_FOUND', async () => {
    const owner = await signup(suite.app);
    const invited = await invite(owner, 'member');
    expect((await accept({ token: invited.token, name: 'Once', password: STRONG_PASSWORD })).statusCode).toBe(200);
    expectProblem(await accept({ token: invited.token, name: 'Twice', password: STRONG_PASSWORD }), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await accept({ token: invited.token, password: STRONG_PASSWORD }), 404, 'INVITATION_NOT_FOUND');
  });

  it('lets exactly one of two concurrent accepts of one token win', async () => {
    const owner = await signup(suite.app);
    const invited = await invite(owner, 'member');
    const results = await Promise.all([
      accept({ token: invited.token, name: 'Racer One', password: STRONG_PASSWORD }),
      accept({ token: invited.token, name: 'Racer Two', password: STRONG_PASSWORD }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 404]);
    expectProblem(results.find((r) => r.statusCode === 404) as Reply, 404, 'INVITATION_NOT_FOUND');
    const members = await call('GET', '/v1/members', owner.token);
    expect(members.json().data.filter((m: { email: string }) => m.email === invited.email)).toHaveLength(1);
  });

  it('answers 404 INVITATION_NOT_FOUND for a revoked, tampered or garbage token', async () => {
    const owner = await signup(suite.app);
    const revoked = await invite(owner, 'member');
    expect((await call('DELETE', `/v1/invitations/${revoked.id}`, owner.token)).statusCode).toBe(204);
    expectProblem(await accept({ token: revoked.token, name: 'Late', password: STRONG_PASSWORD }), 404, 'INVITATION_NOT_FOUND');

    const live = await invite(owner, 'member');
    const last = live.token.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `${live.token.slice(0, -1)}${last}`;
    const forged = `inv_${randomBytes(16).toString('base64url')}${randomBytes(32).toString('base64url')}`;
    for (const token of [tampered, forged, 'inv_garbage', 'garbage', live.token.slice(0, -1)]) {
      expectProblem(await accept({ token, name: 'Nobody', password: STRONG_PASSWORD }), 404, 'INVITATION_NOT_FOUND');
    }
    expect((await invitationsOf(owner)).find((i) => i.id === live.id)).toMatchObject({ status: 'pending' });
  });

  it('refuses to invite a current member (409 ALREADY_MEMBER), whatever the case of the email', async () => {
    const owner = await signup(suite.app);
    const member = await addMember(suite.app, owner, 'viewer');
    expectProblem(await call('POST', '/v1/invitations', owner.token, { email: member.email, role: 'admin' }), 409, 'ALREADY_MEMBER');
    expectProblem(
      await call('POST', '/v1/invitations', owner.token, { email: owner.email.toUpperCase(), role: 'member' }),
      409,
      'ALREADY_MEMBER',
    );
    expect(await invitationsOf(owner)).toEqual([expect.objectContaining({ email: member.email, status: 'accepted' })]);
  });

  it('lets only owners invite owners (an admin gets 403)', async () => {
    const owner = await signup(suite.app);
    const admin = await addMember(suite.app, owner, 'admin');
    expectProblem(await call('POST', '/v1/invitations', admin.token, { email: uniqueEmail(), role: 'owner' }), 403, 'FORBIDDEN');
    const asAdmin = await invite(admin, 'admin');
    expect((await accept({ token: asAdmin.token, name: 'New Admin', password: STRONG_PASSWORD })).json().role).toBe('admin');

    const asOwner = await invite(owner, 'owner');
    const joined = await accept({ token: asOwner.token, name: 'New Owner', password: STRONG_PASSWORD });
    expect(joined.json().role).toBe('owner');
    expect(await invitationsOf(owner)).toHaveLength(3); // with the admin's own invitation
  });

  it('re-inviting an email revokes its earlier pending invitation in this organization only', async () => {
    const owner = await signup(suite.app);
    const elsewhere = await signup(suite.app);
    const email = uniqueEmail('twice');
    const otherOrg = await invite(elsewhere, 'viewer', email);
    const first = await invite(owner, 'viewer', email);
    const second = await invite(owner, 'member', email);

    const data = await invitationsOf(owner);
    expect(data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: first.id, status: 'revoked' }),
        expect.objectContaining({ id: second.id, status: 'pending', role: 'member' }),
      ]),
    );
    expect(data).toHaveLength(2);
    expect(await invitationsOf(elsewhere)).toEqual([expect.objectContaining({ id: otherOrg.id, status: 'pending' })]);

    expectProblem(await accept({ token: first.token, name: 'Twice', password: STRONG_PASSWORD }), 404, 'INVITATION_NOT_FOUND');
    const joined = await accept({ token: second.token, name: 'Twice', password: STRONG_PASSWORD });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({ role: 'member', organization: { id: owner.orgId } });
    const joinedElsewhere = await accept({ token: otherOrg.token, password: STRONG_PASSWORD });
    expect(joinedElsewhere.statusCode).toBe(200);
    expect(joinedElsewhere.json()).toMatchObject({ role: 'viewer', organization: { id: elsewhere.orgId } });
  });

  it('leaves one pending invitation when the same email is invited several times at once', async () => {
    const owner = await signup(suite.app);
    const email = uniqueEmail('race');
    const roles = Array.from({ length: 10 }, (_, i) => (i % 2 ? 'member' : 'viewer'));
    const created = await Promise.all(roles.map((role) => call('POST', '/v1/invitations', owner.token, { email, role })));
    expect(created.map((r) => r.statusCode)).toEqual(roles.map(() => 201));
    const pending = (await invitationsOf(owner)).filter((i) => i.email === email && i.status === 'pending');
    expect(pending).toHaveLength(1);
  });

  it("cannot revoke another organization's invitation (404) and revokes only pending ones", async () => {
    const orgA = await signup(suite.app);
    const orgB = await signup(suite.app);
    const ofB = await invite(orgB, 'member');
    expectProblem(await call('DELETE', `/v1/invitations/${ofB.id}`, orgA.token), 404, 'INVITATION_NOT_FOUND');
    expect(await invitationsOf(orgA)).toEqual([]);
    expect(await invitationsOf(orgB)).toEqual([expect.objectContaining({ id: ofB.id, status: 'pending' })]);

    expectProblem(await call('DELETE', `/v1/invitations/${randomUUID()}`, orgB.token), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await call('DELETE', '/v1/invitations/nope', orgB.token), 400, 'VALIDATION_FAILED');
    expect((await accept({ token: ofB.token, name: 'Joined', password: STRONG_PASSWORD })).statusCode).toBe(200);
    expectProblem(await call('DELETE', `/v1/invitations/${ofB.id}`, orgB.token), 404, 'INVITATION_NOT_FOUND');
  });

  it('validates the invitation body (400)', async () => {
    const owner = await signup(suite.app);
    const cases: [object, string][] = [
      [{ email: 'not-an-email', role: 'member' }, 'email'],
      [{ email: uniqueEmail(), role: 'superuser' }, 'role'],
      [{ role: 'member' }, 'email'],
      [{ email: uniqueEmail(), role: 'member', orgId: randomUUID() }, 'orgId'],
    ];
    for (const [payload, field] of cases) {
      const response = await call('POST', '/v1/invitations', owner.token, payload);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expectProblem(await accept({}), 400, 'VALIDATION_FAILED');
    expect(await invitationsOf(owner)).toEqual([]);
  });

  it('answers 401 without a token and 403 to member, viewer and auditor on the manage routes', async () => {
    const owner = await signup(suite.app);
    const pending = await invite(owner, 'member');
    expectProblem(await call('POST', '/v1/invitations', undefined, { email: uniqueEmail(), role: 'member' }), 401, 'UNAUTHENTICATED');
    expectProblem(await call('GET', '/v1/invitations'), 401, 'UNAUTHENTICATED');
    expectProblem(await call('DELETE', `/v1/invitations/${pending.id}`), 401, 'UNAUTHENTICATED');
    for (const role of ['member', 'viewer', 'auditor'] as const) {
      const caller = await addMember(suite.app, owner, role);
      expectProblem(await call('POST', '/v1/invitations', caller.token, { email: uniqueEmail(), role: 'viewer' }), 403, 'FORBIDDEN');
      expectProblem(await call('GET', '/v1/invitations', caller.token), 403, 'FORBIDDEN');
      expectProblem(await call('DELETE', `/v1/invitations/${pending.id}`, caller.token), 403, 'FORBIDDEN');
    }
    expect((await invitationsOf(owner)).find((i) => i.id === pending.id)).toMatchObject({ status: 'pending' });
  });
});
