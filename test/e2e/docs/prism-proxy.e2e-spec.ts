import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { STRONG_PASSWORD, uniqueEmail } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { OpenApiDocument } from './documentation-rules';
import { PrismProxy, ProxyClient, startPrismProxy } from './prism-proxy';
import { runErrorCases } from './prism-error-cases';
import { runClientSession } from './prism-session';

/**
 * The contract as an outside validator reads it: a whole client session (and a set of deliberate
 * mistakes) through Stoplight Prism's validation proxy, pointed at the document this server
 * serves. Prism finds no violation in any request or response.
 */
describe('OpenAPI document under a validating proxy (e2e)', () => {
  let app: NestFastifyApplication;
  let dir: string;
  let strict: PrismProxy;
  let lenient: PrismProxy;
  let document: OpenApiDocument;

  beforeAll(async () => {
    // Four logins per email and window: the fifth answers 429 for the error cases.
    ({ app } = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_EMAIL: '4' } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const upstream = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const served = await fetch(`${upstream}/docs/openapi.json`);
    expect(served.status).toBe(200);
    dir = mkdtempSync(join(tmpdir(), 'atrium-prism-'));
    const file = join(dir, 'openapi.json');
    const text = await served.text();
    document = JSON.parse(text) as OpenApiDocument;
    writeFileSync(file, text);
    [strict, lenient] = await Promise.all([
      startPrismProxy(file, upstream, { validateRequests: true }),
      startPrismProxy(file, upstream, { validateRequests: false }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([strict?.stop(), lenient?.stop()]);
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validates every request and response of a full client session', async () => {
    const client = new ProxyClient(strict.baseUrl, document);

    await runClientSession(client, {
      email: uniqueEmail('prism'),
      password: STRONG_PASSWORD,
      organization: `Prism ${randomUUID().slice(0, 6)}`,
    });

    expect(client.findings).toEqual([]);
    expect(strict.violationLines).toEqual([]);
    expect(client.seen.length).toBeGreaterThan(80);
  }, 120_000);

  it('validates the error answers: 400, 401, 403, 404, 409, 412, 413, 415, 422 and 429', async () => {
    const client = new ProxyClient(lenient.baseUrl, document);

    const statuses = await runErrorCases(client, { email: uniqueEmail('prism-errors'), password: STRONG_PASSWORD });

    expect(client.findings).toEqual([]);
    expect(lenient.violationLines).toEqual([]);
    expect([...new Set(statuses)].sort()).toEqual([400, 401, 403, 404, 409, 412, 413, 415, 422, 429]);
  }, 120_000);
});
