import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { STRONG_PASSWORD, Signed, bearer, createApiKey, signup } from '../../support/factories';
import { call } from '../../support/client';
import { createTestApp } from '../../support/test-app';
import { Reply, expectProblem, instanceEnv } from './http-helpers';
import { PrivateRedis } from './private-redis';

/**
 * What can be guessed is throttled (findings of the outside security review): bearer tokens that
 * resolve to nothing, counted per client address across two instances sharing one Redis; wrong
 * current passwords per user; and the organizations one user may own.
 */
const FAILURES_PER_IP = 4;
const PASSWORD_ATTEMPTS_PER_USER = 3;
const ORGANIZATIONS_PER_USER = 3;

let redis: PrivateRedis;
let one: NestFastifyApplication;
let two: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const env = instanceEnv(redis.url(0), {
    AUTH_FAILURE_LIMIT_PER_IP: String(FAILURES_PER_IP),
    AUTH_RATE_LIMIT_PER_EMAIL: String(PASSWORD_ATTEMPTS_PER_USER),
    ORGANIZATIONS_PER_USER_LIMIT: String(ORGANIZATIONS_PER_USER),
  });
  ({ app: one } = await createTestApp({ env }));
  ({ app: two } = await createTestApp({ env }));
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await redis?.dispose();
});

const randomAddress = () => `10.${[...randomBytes(3)].join('.')}`;
const bogusKey = () => `atr_${randomBytes(40).toString('base64url')}`;

function getContacts(app: NestFastifyApplication, token: string, remoteAddress: string): Promise<Reply> {
  return app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(token), remoteAddress });
}

describe('Guessing limits (e2e)', () => {
  it('answers 429 to an address past the limit of unknown tokens, on every instance, before any lookup', async () => {
    const address = randomAddress();
    for (let i = 0; i < FAILURES_PER_IP; i++) {
      expectProblem(await getContacts(i % 2 ? one : two, bogusKey(), address), 401, 'INVALID_CREDENTIALS');
    }
    const over = await getContacts(one, bogusKey(), address);
    expectProblem(over, 429, 'RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The instance that saw the limit crossed refuses the address at once, whatever the token.
    expectProblem(await getContacts(one, bogusKey(), address), 429, 'RATE_LIMITED');
  });

  it('lets tokens that resolved lately through a blocked address; expired and revoked keys are not counted', async () => {
    const owner = await signup(one);
    const revoked = await createApiKey(one, owner, ['contacts:read']);
    expect((await call(one, 'DELETE', `/v1/api-keys/${revoked.id}`, { token: owner.token })).statusCode).toBe(204);
    const address = randomAddress();
    expect((await getContacts(one, owner.token, address)).statusCode).toBe(200);
    for (let i = 0; i < FAILURES_PER_IP * 2; i++)
      expectProblem(await getContacts(one, revoked.secret, address), 401, 'INVALID_CREDENTIALS');
    for (let i = 0; i < FAILURES_PER_IP; i++) expectProblem(await getContacts(one, bogusKey(), address), 401, 'INVALID_CREDENTIALS');
    expectProblem(await getContacts(one, bogusKey(), address), 429, 'RATE_LIMITED');
    // The owner's session resolved on this instance a moment ago: the office behind this address keeps working.
    expect((await getContacts(one, owner.token, address)).statusCode).toBe(200);
  });

  it('counts only failures: valid tokens from a busy address are never limited by it', async () => {
    const owner = await signup(one);
    const address = randomAddress();
    for (let i = 0; i < FAILURES_PER_IP * 3; i++) expect((await getContacts(two, owner.token, address)).statusCode).toBe(200);
    expectProblem(await getContacts(two, bogusKey(), address), 401, 'INVALID_CREDENTIALS');
  });

  it('limits wrong current passwords per user, the right one included once over', async () => {
    const owner: Signed = await signup(one);
    const change = (currentPassword: string) =>
      one.inject({
        method: 'POST',
        url: '/v1/me/password',
        headers: bearer(owner.token),
        payload: { currentPassword, newPassword: 'another long passphrase 77' },
        remoteAddress: randomAddress(),
      });
    for (let i = 0; i < PASSWORD_ATTEMPTS_PER_USER; i++) expectProblem(await change(`wrong guess ${i} padded`), 400, 'WRONG_PASSWORD');
    const limited = await change(STRONG_PASSWORD);
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another user's budget is their own.
    const other = await signup(one);
    const response = await one.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: bearer(other.token),
      payload: { currentPassword: STRONG_PASSWORD, newPassword: 'another long passphrase 77' },
      remoteAddress: randomAddress(),
    });
    expect(response.statusCode).toBe(204);
  });

  it('caps the organizations a user owns, the first one included', async () => {
    const owner = await signup(one);
    const create = (name: string) => call(one, 'POST', '/v1/organizations', { token: owner.token, body: { name } });
    for (let i = 1; i < ORGANIZATIONS_PER_USER; i++) expect((await create(`Extra ${i}`)).statusCode).toBe(201);
    const refused = await create('One too many');
    expectProblem(refused, 422, 'ORGANIZATION_LIMIT_REACHED');
    const list = await call(one, 'GET', '/v1/organizations', { token: owner.token });
    expect(list.json().data).toHaveLength(ORGANIZATIONS_PER_USER);
  });

  it('holds the cap when one user creates organizations concurrently on two instances', async () => {
    const owner = await signup(one);
    // Five at a time per instance of four connections: a request no longer holds the caller's org
    // transaction while it creates the new org (which waited for a second connection, and four
    // such requests at once hung the pool).
    const attempts = 10;
    const statuses = await Promise.all(
      Array.from({ length: attempts }, async (_, i) => {
        const response = await (i % 2 === 0 ? one : two).inject({
          method: 'POST',
          url: '/v1/organizations',
          headers: bearer(owner.token),
          payload: { name: `Race ${i}` },
        });
        return response.statusCode;
      }),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(ORGANIZATIONS_PER_USER - 1);
    expect(statuses.filter((status) => status === 422)).toHaveLength(attempts - (ORGANIZATIONS_PER_USER - 1));
    const list = await call(one, 'GET', '/v1/organizations', { token: owner.token });
    expect(list.json().data).toHaveLength(ORGANIZATIONS_PER_USER);
  });
});
