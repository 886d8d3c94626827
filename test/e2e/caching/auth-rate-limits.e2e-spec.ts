import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { STRONG_PASSWORD, Signed, addMember, signup, uniqueEmail } from '../../support/factories';
import { call } from '../../support/client';
import { createTestApp } from '../../support/test-app';
import { Reply, expectProblem, instanceEnv, rateHeaders } from './http-helpers';
import { PrivateRedis } from './private-redis';

/**
 * Brute force on the auth routes (login, sign-up, invitation acceptance), slowed per client IP
 * and per email (or invitation token) by two limited instances counting in one Redis. Users and
 * invitations are made beforehand on a third, unlimited instance whose counters live in another
 * Redis database, so the setup never eats into the limits under test.
 */
const PER_IP = 5;
const PER_EMAIL = 3;

let redis: PrivateRedis;
let setup: NestFastifyApplication;
let one: NestFastifyApplication;
let two: NestFastifyApplication;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ({ app: setup } = await createTestApp({ env: instanceEnv(redis.url(1)) }));
  const env = instanceEnv(redis.url(0), { AUTH_RATE_LIMIT_PER_IP: String(PER_IP), AUTH_RATE_LIMIT_PER_EMAIL: String(PER_EMAIL) });
  ({ app: one } = await createTestApp({ env }));
  ({ app: two } = await createTestApp({ env }));
});

afterAll(async () => {
  await setup?.close();
  await one?.close();
  await two?.close();
  await redis?.dispose();
});

/** Requests alternate between the two limited instances. */
let turn = 0;
function post(url: string, payload: object, remoteAddress: string): Promise<Reply> {
  turn += 1;
  return (turn % 2 === 0 ? one : two).inject({ method: 'POST', url, payload, remoteAddress });
}
const login = (email: string, password: string, ip: string) => post('/v1/auth/login', { email, password }, ip);

function expectLimited(response: Reply, limit: number): void {
  expectProblem(response, 429, 'RATE_LIMITED');
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  expect(rateHeaders(response)).toMatchObject({ limit, remaining: 0 });
}

/** A user whose email has never been used on an auth-limited route (they joined by invitation). */
async function freshUser(): Promise<Signed> {
  return addMember(setup, await signup(setup), 'member');
}

async function invite(owner: Signed): Promise<string> {
  const response = await call(setup, 'POST', '/v1/invitations', {
    token: owner.token,
    body: { email: uniqueEmail('inv'), role: 'viewer' },
  });
  expect(response.statusCode).toBe(201);
  return response.json().token;
}

describe('Auth rate limits (e2e)', () => {
  it('refuses logins for one email after the per-email limit, the right password included, from any address', async () => {
    const user = await freshUser();
    const attempts: Reply[] = [];
    for (let n = 0; n < PER_EMAIL; n++) attempts.push(await login(user.email, 'not the password at all', '10.1.0.1'));
    expect(attempts.map((r) => [r.statusCode, r.json().code])).toEqual(Array(PER_EMAIL).fill([401, 'INVALID_CREDENTIALS']));
    expect(attempts.map((r) => rateHeaders(r))).toEqual(
      [2, 1, 0].map((remaining) => ({ limit: PER_EMAIL, remaining, reset: expect.any(Number) })),
    );

    expectLimited(await login(user.email, 'not the password at all', '10.1.0.1'), PER_EMAIL);
    expectLimited(await login(user.email, user.password, '10.1.0.2'), PER_EMAIL);
    expectLimited(await login(user.email, user.password, '10.1.0.3'), PER_EMAIL);
    // Another user from the first address (its 5th attempt) is not affected by this email's limit.
    const other = await freshUser();
    expect((await login(other.email, other.password, '10.1.0.1')).statusCode).toBe(200);
  });

  it('refuses logins from one address after the per-IP limit, whatever the email', async () => {
    const user = await freshUser();
    const attempts: Reply[] = [];
    for (let n = 0; n < PER_IP; n++) attempts.push(await login(uniqueEmail('guess'), 'not the password at all', '10.2.0.1'));
    expect(attempts.map((r) => r.statusCode)).toEqual(Array(PER_IP).fill(401));
    expect(attempts.map((r) => rateHeaders(r).remaining)).toEqual([2, 2, 2, 1, 0]);

    expectLimited(await login(uniqueEmail('guess'), 'not the password at all', '10.2.0.1'), PER_IP);
    expectLimited(await login(user.email, user.password, '10.2.0.1'), PER_IP);
    // The same user from another address signs in.
    expect((await login(user.email, user.password, '10.2.0.2')).statusCode).toBe(200);
  });

  it('limits sign-up per address and per email', async () => {
    const signupFrom = (email: string, ip: string) =>
      post('/v1/auth/signup', { email, password: STRONG_PASSWORD, name: 'Spam', organizationName: 'Spam Org' }, ip);
    const perIp: number[] = [];
    for (let n = 0; n < PER_IP; n++) perIp.push((await signupFrom(uniqueEmail('spam'), '10.3.0.1')).statusCode);
    expect(perIp).toEqual(Array(PER_IP).fill(201));
    expectLimited(await signupFrom(uniqueEmail('spam'), '10.3.0.1'), PER_IP);

    const email = uniqueEmail('taken');
    const perEmail: number[] = [];
    for (let n = 0; n < PER_EMAIL; n++) perEmail.push((await signupFrom(email, `10.3.1.${n + 1}`)).statusCode);
    expect(perEmail).toEqual([201, 409, 409]);
    expectLimited(await signupFrom(email, '10.3.1.9'), PER_EMAIL);
  });

  it('limits invitation acceptance per address and per invitation token', async () => {
    const owner = await signup(setup);
    const accept = (token: string, password: string, ip: string) =>
      post('/v1/invitations/accept', { token, name: 'Invitee', password }, ip);

    const guesses: number[] = [];
    for (let n = 0; n < PER_IP; n++)
      guesses.push((await accept(`inv_${randomBytes(49).toString('base64url').slice(0, 65)}`, STRONG_PASSWORD, '10.4.0.1')).statusCode);
    expect(guesses).toEqual(Array(PER_IP).fill(404));
    expectLimited(await accept(await invite(owner), STRONG_PASSWORD, '10.4.0.1'), PER_IP);

    const token = await invite(owner);
    const weak: number[] = [];
    for (let n = 0; n < PER_EMAIL; n++) weak.push((await accept(token, 'short', `10.4.1.${n + 1}`)).statusCode);
    expect(weak).toEqual(Array(PER_EMAIL).fill(400));
    expectLimited(await accept(token, STRONG_PASSWORD, '10.4.1.9'), PER_EMAIL);
    // Another invitation from a fresh address is accepted.
    expect((await accept(await invite(owner), STRONG_PASSWORD, '10.4.2.1')).statusCode).toBe(200);
  });
});
