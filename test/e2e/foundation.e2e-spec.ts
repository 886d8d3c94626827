import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp } from '../support/test-app';
import { ProbeModule } from '../support/probe.module';

describe('Foundation (e2e)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    ({ app } = await createTestApp({ imports: [ProbeModule], env: { BODY_LIMIT_BYTES: '2048' } }));
  });

  afterAll(async () => {
    await app.close();
  });

  const expectProblem = (
    response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
    code: string,
  ) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json() as Record<string, unknown>;
    expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:atrium:problem:/), title: expect.any(String) });
    expect(body.requestId).toBe(response.headers['x-request-id']);
    return body;
  };

  describe('problem+json errors', () => {
    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/test-probe/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"name": "Ada",',
      });
      expectProblem(response, 400, 'MALFORMED_JSON');
    });

    it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
      const body = expectProblem(response, 404, 'ROUTE_NOT_FOUND');
      expect(body.detail).toBe('No route matches GET /v1/nothing-here.');
    });

    it('rejects an unknown body field with 400 and field errors', async () => {
      const response = await app.inject({ method: 'POST', url: '/test-probe/echo', payload: { name: 'Ada', role: 'admin' } });
      const body = expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual([{ field: 'role', message: 'is not an allowed field' }]);
    });

    it('lists every invalid field', async () => {
      const response = await app.inject({ method: 'POST', url: '/test-probe/echo', payload: { name: 'x'.repeat(51) } });
      const body = expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual([{ field: 'name', message: expect.stringContaining('50') }]);
    });

    it('answers a body over the configured limit with 413', async () => {
      const response = await app.inject({ method: 'POST', url: '/test-probe/echo', payload: { name: 'x'.repeat(4096) } });
      expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers an unsupported content type with 415', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/test-probe/echo',
        headers: { 'content-type': 'text/xml' },
        payload: '<name>Ada</name>',
      });
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers an unhandled error with a 500 that reveals nothing internal', async () => {
      const response = await app.inject({ method: 'GET', url: '/test-probe/boom' });
      const body = expectProblem(response, 500, 'INTERNAL_ERROR');
      expect(response.body).not.toMatch(/SELECT|secret|hunter2|stack|at \w+ \(/);
      expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a sane client request id', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'client-abc.123' } });
      expect(response.headers['x-request-id']).toBe('client-abc.123');
    });

    it('generates one when none is sent', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/live' });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([['x'.repeat(200)], ['has spaces'], ['<script>'], ['-leading-dash']])('replaces an insane one (%s)', async (sent) => {
      const response = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': sent } });
      expect(response.headers['x-request-id']).not.toBe(sent);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('is on error responses too', async () => {
      const response = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'trace-me' } });
      expect(response.headers['x-request-id']).toBe('trace-me');
      expect(response.json()).toMatchObject({ requestId: 'trace-me' });
    });
  });

  describe('health', () => {
    it('answers liveness without checking dependencies', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/live' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });

    it('answers readiness with each dependency and its latency', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.status).toBe('ok');
      expect(body.details.database).toEqual({ status: 'up', latencyMs: expect.any(Number) });
      expect(body.details.migrations).toEqual({ status: 'up', pending: 0 });
      expect(body.details.cache.status).toBe('up');
      expect(body.details.lifecycle).toEqual({ status: 'up', state: 'serving' });
    });
  });

  it('serves the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/health/ready']).toBeDefined();
  });
});
