import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { STRONG_PASSWORD, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { call, createOrganization, expectProblem } from '../../support/client';
import { createTestApp } from '../../support/test-app';

/** POST /v1/auth/signup, /login, /logout, /switch-organization. */
describe('Auth (e2e)', () => {
  const suite = useTestApp();

  function fieldsOf(response: LightMyRequestResponse): string[] {
    return (response.json().errors as { field: string }[]).map((e) => e.field);
  }

  const signupBody = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('signup'),
    password: STRONG_PASSWORD,
    name: 'Ada Lovelace',
    organizationName: 'Analytical Engines',
    ...overrides,
  });

  const post = (url: string, payload: object | undefined, token?: string) => call(suite.app, 'POST', url, { token, body: payload });

  const login = (payload: Record<string, unknown>) => post('/v1/auth/login', payload);

  const currentOrgId = async (token: string) => (await call(suite.app, 'GET', '/v1/organization', { token })).json().id;

  it('declares in the OpenAPI document the access each identity route enforces', async () => {
    const doc = (await call(suite.app, 'GET', '/docs/openapi.json')).json();
    const access = (method: string, path: string) => doc.paths[path]?.[method]?.['x-atrium-access'];
    expect(access('post', '/v1/auth/signup')).toEqual({ public: true });
    expect(access('post', '/v1/auth/login')).toEqual({ public: true });
    // Open to a session an organization requiring MFA holds back (see mfa.e2e-spec.ts).
    expect(access('post', '/v1/auth/logout')).toEqual({ sessionOnly: true, beforeMfa: true });
    expect(access('post', '/v1/auth/switch-organization')).toEqual({ sessionOnly: true, beforeMfa: true });
    for (const [method, path] of [
      ['get', '/v1/auth/sessions'],
      ['delete', '/v1/auth/sessions/{id}'],
      ['post', '/v1/me/password'],
      ['get', '/v1/organizations'],
      ['post', '/v1/organizations'],
    ] as const) {
      expect([method, path, access(method, path)]).toEqual([method, path, { sessionOnly: true }]);
    }
    expect(access('get', '/v1/me')).toEqual({ sessionOnly: false, beforeMfa: true });
    expect(access('get', '/v1/organization')).toEqual({ permission: 'org:read', sessionOnly: false });
    expect(access('patch', '/v1/organization')).toEqual({ permission: 'org:manage', sessionOnly: false });
  });

  describe('POST /v1/auth/signup', () => {
    it('creates the user, the organization and a session; the user owns the org', async () => {
      const body = signupBody();
      const response = await post('/v1/auth/signup', body);
      expect(response.statusCode).toBe(201);
      const created = response.json();
      expect(created).toMatchObject({
        user: { id: expect.any(String), email: body.email, name: 'Ada Lovelace' },
        organization: { id: expect.any(String), name: 'Analytical Engines', plan: 'free' },
      });
      expect(created.user).not.toHaveProperty('passwordHash');
      expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(created.expiresAt)).toBeGreaterThan(Date.now());

      const me = await call(suite.app, 'GET', '/v1/me', { token: created.token });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ role: 'owner', user: { id: created.user.id }, organization: { id: created.organization.id } });
    });

    it.each([
      ['a malformed email', { email: 'not-an-email' }, 'email'],
      ['a short password', { password: 'short pw 1' }, 'password'],
      ['a common password', { password: 'password1234!' }, 'password'],
      ['an empty name', { name: '' }, 'name'],
      ['an empty organization name', { organizationName: '' }, 'organizationName'],
    ])('refuses %s with 400 on that field', async (_label, overrides, field) => {
      const response = await post('/v1/auth/signup', signupBody(overrides));
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(response)).toContain(field);
    });

    it('refuses missing fields and unknown fields with 400', async () => {
      const missing = await post('/v1/auth/signup', { email: uniqueEmail() });
      expectProblem(missing, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(missing)).toEqual(expect.arrayContaining(['password', 'name', 'organizationName']));

      const unknown = await post('/v1/auth/signup', signupBody({ role: 'admin' }));
      expectProblem(unknown, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(unknown)).toContain('role');
    });

    it('answers 409 EMAIL_TAKEN for an existing email, whatever its case', async () => {
      const local = `ada-${randomUUID().slice(0, 8)}`;
      const first = await post('/v1/auth/signup', signupBody({ email: `${local}@x.test` }));
      expect(first.statusCode).toBe(201);

      expectProblem(await post('/v1/auth/signup', signupBody({ email: `${local}@x.test` })), 409, 'EMAIL_TAKEN');
      expectProblem(await post('/v1/auth/signup', signupBody({ email: `${local.toUpperCase()}@X.TEST` })), 409, 'EMAIL_TAKEN');
    });

    it('lets exactly one of concurrent sign-ups with one email through; the others get 409', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all([0, 1, 2].map(() => post('/v1/auth/signup', signupBody({ email }))));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
      for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('EMAIL_TAKEN');
    });

    it('treats emails case-insensitively: Ada@X.test signs in as ada@x.test', async () => {
      const local = `Ada-${randomUUID().slice(0, 8)}`;
      const created = await post('/v1/auth/signup', signupBody({ email: `${local}@X.test` }));
      expect(created.statusCode).toBe(201);
      expect(created.json().user.email).toBe(`${local.toLowerCase()}@x.test`);

      const lower = await login({ email: `${local.toLowerCase()}@x.test`, password: STRONG_PASSWORD });
      expect(lower.statusCode).toBe(200);
      expect(lower.json().organization.id).toBe(created.json().organization.id);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('returns a working session for the first organization', async () => {
      const owner = await signup(suite.app);
      const response = await login({ email: owner.email, password: owner.password });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        token: expect.any(String),
        expiresAt: expect.any(String),
        organization: { id: owner.orgId },
      });
      expect(await currentOrgId(response.json().token)).toBe(owner.orgId);
    });

    it('answers wrong password and unknown email with the same 401', async () => {
      const owner = await signup(suite.app);
      const wrong = await login({ email: owner.email, password: 'not the right password 99' });
      const unknown = await login({ email: uniqueEmail('nobody'), password: 'not the right password 99' });
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
      expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrong.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);
      const shape = (r: LightMyRequestResponse) => {
        const { code, title, detail, status, type } = r.json();
        return { code, title, detail, status, type };
      };
      expect(shape(wrong)).toEqual(shape(unknown));
      expect(Object.keys(wrong.json()).sort()).toEqual(Object.keys(unknown.json()).sort());
    });

    it('binds the session to the requested organization when the user belongs to it', async () => {
      const owner = await signup(suite.app);
      const orgB = await createOrganization(suite.app, owner, 'Second Org');
      const response = await login({ email: owner.email, password: owner.password, organizationId: orgB });
      expect(response.statusCode).toBe(200);
      expect(response.json().organization.id).toBe(orgB);
      expect(await currentOrgId(response.json().token)).toBe(orgB);
    });

    it('answers 404 for an organization the user does not belong to', async () => {
      const owner = await signup(suite.app);
      const stranger = await signup(suite.app);
      expectProblem(
        await login({ email: owner.email, password: owner.password, organizationId: stranger.orgId }),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expectProblem(
        await login({ email: owner.email, password: owner.password, organizationId: randomUUID() }),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
    });

    it('validates its body with 400', async () => {
      const owner = await signup(suite.app);
      const cases: [Record<string, unknown>, string][] = [
        [{ email: 'nope', password: owner.password }, 'email'],
        [{ email: owner.email }, 'password'],
        [{ email: owner.email, password: owner.password, organizationId: 'not-a-uuid' }, 'organizationId'],
        [{ email: owner.email, password: owner.password, remember: true }, 'remember'],
      ];
      for (const [payload, field] of cases) {
        const response = await login(payload);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(response)).toContain(field);
      }
    });
  });

  describe('POST /v1/auth/logout', () => {
    it('ends the session: 204, then the same token is 401 INVALID_CREDENTIALS', async () => {
      const owner = await signup(suite.app);
      const other = await login({ email: owner.email, password: owner.password });
      const response = await post('/v1/auth/logout', undefined, owner.token);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expectProblem(await call(suite.app, 'GET', '/v1/me', { token: owner.token }), 401, 'INVALID_CREDENTIALS');
      // Only the presented session ends.
      expect((await call(suite.app, 'GET', '/v1/me', { token: other.json().token })).statusCode).toBe(200);
    });

    it('refuses API keys with 403 and missing tokens with 401', async () => {
      const owner = await signup(suite.app);
      const key = await createApiKey(suite.app, owner, ['org:read']);
      expectProblem(await post('/v1/auth/logout', undefined, key.secret), 403, 'FORBIDDEN');
      expect((await call(suite.app, 'GET', '/v1/me', { token: key.secret })).statusCode).toBe(200);
      expectProblem(await post('/v1/auth/logout', undefined), 401, 'UNAUTHENTICATED');
      expectProblem(await post('/v1/auth/logout', undefined, 'x'.repeat(43)), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('POST /v1/auth/switch-organization', () => {
    it('issues a token bound to the other org and ends the old session', async () => {
      const owner = await signup(suite.app);
      const orgB = await createOrganization(suite.app, owner, 'Switch Target');
      const response = await post('/v1/auth/switch-organization', { organizationId: orgB }, owner.token);
      expect(response.statusCode).toBe(200);
      const switched = response.json();
      expect(switched).toMatchObject({
        token: expect.any(String),
        expiresAt: expect.any(String),
        organization: { id: orgB, name: 'Switch Target' },
      });
      expect(switched.token).not.toBe(owner.token);
      expect(await currentOrgId(switched.token)).toBe(orgB);
      expectProblem(await call(suite.app, 'GET', '/v1/organization', { token: owner.token }), 401, 'INVALID_CREDENTIALS');
    });

    it('switches many sessions at once on an instance with a pool of two connections', async () => {
      // A switch works for the user and the other org, outside the caller's org transaction: were it
      // held around the handler, each request would wait for a second connection while holding one.
      const { app: small } = await createTestApp({ env: { DATABASE_POOL_MAX: '2', DATABASE_POOL_MIN: '0' } });
      try {
        const owner = await signup(small);
        const created = await call(small, 'POST', '/v1/organizations', { token: owner.token, body: { name: 'Crowded Target' } });
        const orgB = created.json().id;
        const tokens = await Promise.all(
          Array.from({ length: 6 }, async () => {
            const response = await call(small, 'POST', '/v1/auth/login', { body: { email: owner.email, password: owner.password } });
            return response.json().token as string;
          }),
        );
        const statuses = await Promise.all(
          tokens.map(async (token) => {
            const response = await call(small, 'POST', '/v1/auth/switch-organization', { token, body: { organizationId: orgB } });
            return response.statusCode;
          }),
        );
        expect(statuses).toEqual(tokens.map(() => 200));
      } finally {
        await small.close();
      }
    });

    it('answers 404 for an organization the caller does not belong to, and keeps the session', async () => {
      const owner = await signup(suite.app);
      const stranger = await signup(suite.app);
      expectProblem(
        await post('/v1/auth/switch-organization', { organizationId: stranger.orgId }, owner.token),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expectProblem(
        await post('/v1/auth/switch-organization', { organizationId: randomUUID() }, owner.token),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expect(await currentOrgId(owner.token)).toBe(owner.orgId);
    });

    it('validates the body with 400', async () => {
      const owner = await signup(suite.app);
      for (const payload of [{ organizationId: 'not-a-uuid' }, {}, { organizationId: owner.orgId, extra: 1 }]) {
        const response = await post('/v1/auth/switch-organization', payload, owner.token);
        expectProblem(response, 400, 'VALIDATION_FAILED');
      }
      expect(await currentOrgId(owner.token)).toBe(owner.orgId);
    });

    it('refuses API keys with 403 and missing tokens with 401', async () => {
      const owner = await signup(suite.app);
      const orgB = await createOrganization(suite.app, owner, 'Second Org');
      const key = await createApiKey(suite.app, owner, ['org:read']);
      expectProblem(await post('/v1/auth/switch-organization', { organizationId: orgB }, key.secret), 403, 'FORBIDDEN');
      expectProblem(await post('/v1/auth/switch-organization', { organizationId: orgB }), 401, 'UNAUTHENTICATED');
    });
  });
});
