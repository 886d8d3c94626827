import { Writable } from 'node:stream';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../../src/app.factory';
import { loadConfig, withDatabaseUrl } from '../../../src/config';
import { createRootLogger } from '../../../src/monitoring/logging/root-logger';
import { ProbeModule } from '../../support/probe.module';
import { Signed, bearer, signup } from '../../support/factories';
import { GENEROUS_RATE_LIMITS } from '../../support/test-app';
import { expectProblem, rawRequest } from '../../support/problems';

/**
 * Regression tests for the hostile-input findings of the outside security review: no input gets a
 * 5xx, every error Fastify or Node's HTTP parser raises is problem+json, bodies are JSON objects of
 * well-formed strings, dates are RFC 3339, and error logs carry no personal data.
 */
describe('Hostile input (e2e)', () => {
  let app: NestFastifyApplication;
  let port: number;
  let owner: Signed;
  const logLines: string[] = [];

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...GENEROUS_RATE_LIMITS };
    const config = withDatabaseUrl(loadConfig(env), env.DATABASE_URL as string);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await createApp(config, { extraImports: [ProbeModule], logger: createRootLogger('warn', destination) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.getHttpServer().address() as { port: number }).port;
    owner = await signup(app);
  });

  afterAll(async () => {
    await app.close();
  });

  const json = (method: 'POST' | 'PATCH', url: string, payload: string, token?: string) =>
    app.inject({ method, url, payload, headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) } });

  describe('ill-formed strings and NUL', () => {
    it.each([
      [
        'signup',
        '/v1/auth/signup',
        '{"email":"a\\ud800@x.io","password":"plenty of entropy in here 42","name":"A","organizationName":"O"}',
      ],
      ['login', '/v1/auth/login', '{"email":"a\\ud800@x.io","password":"x"}'],
      ['login, NUL', '/v1/auth/login', '{"email":"a\\u0000@x.io","password":"x"}'],
    ])('%s: a lone surrogate in an email is 400, not 500', async (_name, url, payload) => {
      const body = expectProblem(await json('POST', url, payload), 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual([{ field: 'email', message: 'email must be well-formed Unicode without NUL characters' }]);
    });

    it('a lone surrogate in an invitation or privacy request email is 400', async () => {
      expectProblem(
        await json('POST', '/v1/invitations', '{"email":"b\\udfff@x.io","role":"member"}', owner.token),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await json('POST', '/v1/privacy/requests', '{"type":"access","subjectEmail":"c\\ud83d@x.io"}', owner.token),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('a lone surrogate in a custom field value or key is 400 and stores nothing', async () => {
      const value = await json('POST', '/v1/contacts', '{"firstName":"A","lastName":"B","customFields":{"tier":"x\\ud800"}}', owner.token);
      expect(expectProblem(value, 400, 'VALIDATION_FAILED').errors).toEqual([
        { field: 'customFields.tier', message: expect.stringContaining('well-formed Unicode') },
      ]);
      const key = await json('POST', '/v1/contacts', '{"firstName":"A","lastName":"B","customFields":{"t\\ud800":"x"}}', owner.token);
      expectProblem(key, 400, 'VALIDATION_FAILED');
      const list = await app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(owner.token) });
      expect(list.json().data).toEqual([]);
    });

    it('a number too large for a double (read as Infinity, stored as null) is 400', async () => {
      const response = await json('POST', '/v1/contacts', '{"firstName":"A","lastName":"B","customFields":{"k":1e999}}', owner.token);
      expect(expectProblem(response, 400, 'VALIDATION_FAILED').errors).toEqual([
        { field: 'customFields.k', message: 'customFields.k must be a finite number' },
      ]);
    });

    it('a surrogate pair (an emoji) is fine', async () => {
      const created = await json('POST', '/v1/contacts', '{"firstName":"\\ud83d\\ude00","lastName":"B"}', owner.token);
      expect(created.statusCode).toBe(201);
      expect(created.json().firstName).toBe('😀');
    });
  });

  describe('body shape', () => {
    it('a body of 100,000 nested arrays is 400 BODY_TOO_DEEP on the public login route', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      expectProblem(await json('POST', '/v1/auth/login', deep), 400, 'BODY_TOO_DEEP');
      expectProblem(await json('POST', '/v1/auth/login', `{"email":${deep}}`), 400, 'BODY_TOO_DEEP');
    });

    it('nesting up to 32 levels is parsed (and then validated as usual)', async () => {
      const nested = `{"email":${'['.repeat(31)}${']'.repeat(31)},"password":"x"}`;
      expectProblem(await json('POST', '/v1/auth/login', nested), 400, 'VALIDATION_FAILED');
    });

    it.each(['null', '[]', '[{"reason":"x"}]', '"text"', '42'])('a %s body where an object is expected is 400', async (payload) => {
      const response = await json('POST', '/v1/compliance/evidence/collections', payload, owner.token);
      expect(expectProblem(response, 400, 'VALIDATION_FAILED').errors).toEqual([
        { field: 'body', message: 'the request body must be a JSON object' },
      ]);
    });

    it.each([
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'email=a%40b.c'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/xml', '<a/>'],
    ])('a %s body on a JSON route is 415', async (contentType, payload) => {
      const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload, headers: { 'content-type': contentType } });
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('dates are RFC 3339 only', () => {
    it.each(["' OR '1'='1", 'x 1', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', '1735689600000', 'Mon, 01 Jan 2026'])(
      'updatedSince=%s is 400',
      async (value) => {
        const response = await app.inject({
          method: 'GET',
          url: `/v1/contacts?updatedSince=${encodeURIComponent(value)}`,
          headers: bearer(owner.token),
        });
        expect(expectProblem(response, 400, 'VALIDATION_FAILED').errors).toEqual([
          { field: 'updatedSince', message: 'updatedSince must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z' },
        ]);
      },
    );

    it.each(['2026-01-01T00:00:00Z', '2026-01-01t00:00:00.123456z', '2026-01-01T01:00:00+01:00'])(
      'updatedSince=%s is read',
      async (value) => {
        const response = await app.inject({
          method: 'GET',
          url: `/v1/contacts?updatedSince=${encodeURIComponent(value)}`,
          headers: bearer(owner.token),
        });
        expect(response.statusCode).toBe(200);
      },
    );

    it('occurredAt "x 1" is 400', async () => {
      const contact = await json('POST', '/v1/contacts', '{"firstName":"A","lastName":"B"}', owner.token);
      const response = await json(
        'POST',
        `/v1/contacts/${contact.json().id}/activities`,
        '{"type":"note","subject":"s","occurredAt":"x 1"}',
        owner.token,
      );
      expectProblem(response, 400, 'VALIDATION_FAILED');
    });
  });

  describe('errors raised before any route runs, over a real socket', () => {
    it('an unknown method (TRACK) is problem+json, with the headers every response carries', async () => {
      const response = await rawRequest(port, 'TRACK /v1/contacts HTTP/1.1\r\nHost: x\r\n\r\n');
      expectProblem(response, 400, 'UNSUPPORTED_METHOD');
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    });

    it('malformed percent-encoding in the path is problem+json, with the headers every response carries', async () => {
      const response = await rawRequest(port, 'GET /v1/contacts/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n');
      expectProblem(response, 400, 'MALFORMED_URL');
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    });

    it('an over-long path parameter is 414 problem+json', async () => {
      const response = await rawRequest(port, `GET /v1/contacts/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expectProblem(response, 414, 'URI_TOO_LONG');
    });

    it('headers over the size limit are 431 problem+json', async () => {
      const response = await rawRequest(port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expectProblem(response, 431, 'HEADERS_TOO_LARGE');
    });

    it('a request line that is not HTTP is problem+json', async () => {
      const response = await rawRequest(port, 'HELLO\r\n\r\n');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
    });
  });

  describe('response headers', () => {
    it('tenant data carries nosniff, no-store and a referrer policy', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(owner.token) });
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
    });

    it('so do errors', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/contacts' });
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    });
  });

  describe('logs', () => {
    it('a failed statement is logged without the values in it', async () => {
      logLines.length = 0;
      const response = await app.inject({ method: 'GET', url: '/test-probe/db-error' });
      expectProblem(response, 500, 'INTERNAL_ERROR');
      const logged = logLines.join('');
      expect(logged).toContain('Unhandled error');
      expect(logged).toContain('select ?::uuid');
      expect(logged).not.toContain('ada.lovelace');
      expect(logged).not.toContain('Ada Lovelace');
    });
  });
});
