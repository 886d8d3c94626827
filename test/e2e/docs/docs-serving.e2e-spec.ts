import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { load } from 'js-yaml';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { createTestApp } from '../../support/test-app';

/**
 * /docs serves the explorer and its assets from our own origin (clients may have no internet),
 * and the three documents, all without credentials.
 */
describe('Documentation routes (e2e)', () => {
  let app: NestFastifyApplication;

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    ({ app } = await createTestApp());
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the explorer page, which loads only same-origin assets under a restrictive CSP', async () => {
    const response = await get('/docs');

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const urls = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/docs/assets/swagger-ui.css',
        '/docs/assets/swagger-ui-bundle.js',
        '/docs/explorer.js',
        '/docs/openapi.json',
      ]),
    );
    expect(urls.filter((url) => !url.startsWith('/docs/'))).toEqual([]);
    expect(response.body).not.toMatch(/https?:\/\//);
    expect((await get('/docs/')).body).toBe(response.body);
  });

  it('configures Swagger UI with our document and without the online validator', async () => {
    const response = await get('/docs/explorer.js');

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.body).toContain("url: '/docs/openapi.json'");
    expect(response.body).toContain('validatorUrl: null');
    expect(response.body).toContain('request.url = window.location.origin + target.pathname + target.search');
    expect(response.body).not.toMatch(/https?:\/\//);
  });

  it.each([
    ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ['swagger-ui.css', 'text/css; charset=utf-8'],
    ['favicon-32x32.png', 'image/png'],
  ])('serves %s from the installed swagger-ui-dist, cacheable and gzipped on request', async (file, type) => {
    const original = readFileSync(join(getAbsoluteFSPath(), file));

    const plain = await app.inject({ method: 'GET', url: `/docs/assets/${file}` });
    const gzipped = await get(`/docs/assets/${file}`, { 'accept-encoding': 'gzip, deflate' });

    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe(type);
    expect(plain.headers['cache-control']).toBe('public, max-age=86400');
    expect(plain.rawPayload.equals(original)).toBe(true);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).equals(original)).toBe(true);
  });

  it('answers an asset it does not serve with the usual 404 problem', async () => {
    const response = await get('/docs/assets/swagger-ui-bundle.js.map');

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('ROUTE_NOT_FOUND');
  });

  it('serves the OpenAPI document as JSON and as the same document in YAML', async () => {
    const json = await get('/docs/openapi.json');
    const yaml = await get('/docs/openapi.yaml');

    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json().openapi).toMatch(/^3\.0\./);
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(load(yaml.body)).toEqual(json.json());
  });

  it('serves the Postman collection built from the same document', async () => {
    const document = (await get('/docs/openapi.json')).json();
    const response = await get('/docs/postman.json');

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const collection = response.json();
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(collection.info.version).toBe(document.info.version);
  });

  it.each(['/docs', '/docs/openapi.json', '/docs/openapi.yaml', '/docs/postman.json'])(
    'serves %s without credentials, and ignores invalid ones',
    async (url) => {
      expect((await get(url)).statusCode).toBe(200);
      expect((await get(url, { authorization: 'Bearer not-a-valid-token-at-all' })).statusCode).toBe(200);
    },
  );

  it('tags documents with an ETag and answers a matching If-None-Match with 304', async () => {
    const first = await get('/docs/openapi.json');
    const etag = String(first.headers.etag);

    const again = await get('/docs/openapi.json', { 'if-none-match': etag });

    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(first.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('does not list the documentation routes as API operations', async () => {
    const document = (await get('/docs/openapi.json')).json();

    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
  });
});

/** `servers` and the quick start name where clients reach the API: PUBLIC_URL, else the origin the server listens on. */
describe('The document’s server URL (e2e)', () => {
  it('is PUBLIC_URL when set, without a trailing slash', async () => {
    const { app } = await createTestApp({ env: { PUBLIC_URL: 'https://api.example.com/atrium/' } });
    try {
      const document = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();

      expect(document.servers).toEqual([{ url: 'https://api.example.com/atrium', description: 'This server' }]);
      expect(document.info.description).toContain('curl -X POST https://api.example.com/atrium/v1/auth/signup');
    } finally {
      await app.close();
    }
  });

  it('is the listening origin otherwise, with the real port', async () => {
    const { app } = await createTestApp({ env: { PUBLIC_URL: '' } });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.getHttpServer().address() as { port: number };
      const document = (await (await fetch(`http://127.0.0.1:${port}/docs/openapi.json`)).json()) as {
        servers: { url: string }[];
        info: { description: string };
      };

      expect(document.servers[0].url).toBe(`http://127.0.0.1:${port}`);
      expect(document.info.description).toContain(`http://127.0.0.1:${port}/v1/contacts`);
    } finally {
      await app.close();
    }
  });
});
