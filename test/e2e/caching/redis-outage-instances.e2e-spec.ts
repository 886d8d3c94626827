import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { call, instanceEnv } from './http-helpers';
import { PrivateRedis, eventually } from './private-redis';

/**
 * Two instances on one Redis that goes away and comes back with the data it held (a network
 * outage, or persistence on). A write made on instance 1 during the outage could not bump its
 * version stamps; once Redis is back, no instance may serve the entry cached before that write.
 */
let redis: PrivateRedis;
let one: NestFastifyApplication;
let two: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app: one } = await createTestApp({ env: instanceEnv(redis.url()) }));
  ({ app: two } = await createTestApp({ env: instanceEnv(redis.url()) }));
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await redis?.dispose();
});

async function connected(app: NestFastifyApplication): Promise<boolean> {
  const response = await app.inject({ method: 'GET', url: '/health/ready' });
  return response.json().details?.cache?.state === 'connected';
}

describe('Redis outage with two instances (e2e)', () => {
  it('does not let instance 2 serve a pre-outage entry after a write made on instance 1 during the outage', async () => {
    const owner = await signup(one);
    const key = (await createApiKey(one, owner, ['contacts:read', 'contacts:write'])).secret;
    const contact = (await call(one, 'POST', '/v1/contacts', key, { firstName: 'Before', lastName: 'Outage' })).json();
    for (const app of [one, two, two]) {
      expect((await call(app, 'GET', `/v1/contacts/${contact.id}`, key)).json().firstName).toBe('Before');
      expect((await call(app, 'GET', '/v1/contacts', key)).json().data[0].firstName).toBe('Before');
    }

    await redis.stop({ keepData: true });
    expect(await eventually(async () => !(await connected(one)), 5_000)).toBe(true);
    const patched = await call(one, 'PATCH', `/v1/contacts/${contact.id}`, key, { firstName: 'During' });
    expect(patched.statusCode).toBe(200);

    await redis.resume();
    expect(await eventually(async () => (await connected(one)) && (await connected(two)), 10_000)).toBe(true);
    expect(await redis.keys(`*q:${owner.orgId}:contact:*`)).toHaveLength(1);

    // Instance 2 reads first, before instance 1 has made any cached read since Redis returned.
    expect((await call(two, 'GET', `/v1/contacts/${contact.id}`, key)).json()).toMatchObject({ firstName: 'During', version: 2 });
    expect((await call(two, 'GET', '/v1/contacts', key)).json().data[0]).toMatchObject({ firstName: 'During', version: 2 });
  });
});
