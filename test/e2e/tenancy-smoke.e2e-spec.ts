import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { addMember, bearer, createApiKey, signup } from '../support/factories';
import { createTestApp } from '../support/test-app';

describe('Tenancy smoke (e2e)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    ({ app } = await createTestApp());
  });

  afterAll(async () => {
    await app.close();
  });

  it('signs up, reads /me, invites, uses an API key', async () => {
    const owner = await signup(app);
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(owner.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ role: 'owner', organization: { id: owner.orgId }, user: { id: owner.userId } });

    const viewer = await addMember(app, owner, 'viewer');
    const members = await app.inject({ method: 'GET', url: '/v1/members', headers: bearer(viewer.token) });
    expect(members.statusCode).toBe(200);
    expect(members.json().data).toHaveLength(2);

    const key = await createApiKey(app, owner, ['contacts:read', 'members:read']);
    const viaKey = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key.secret) });
    expect(viaKey.statusCode).toBe(200);
    expect(viaKey.json()).toMatchObject({ principal: { type: 'api_key', id: key.id }, permissions: ['contacts:read', 'members:read'] });

    const forbidden = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) });
    expect(forbidden.statusCode).toBe(403);
  });
});
