import type { EventEmitter } from 'node:events';
import { AddressInfo } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PostmanCollection, PostmanFolder, PostmanItem, postmanItems } from '../../../src/docs';
import { TxtDnsServer } from '../../support/oidc-domain-dns';
import { createTestApp } from '../../support/test-app';

/**
 * The Postman collection at /docs/postman.json, run by the real newman against this server over
 * HTTP with nothing but `baseUrl` set, under the default rate limits: every request is sent and
 * every test of every request (status, body against the documented schema, documented headers)
 * passes. The structural tests say what the run relies on.
 */

interface NewmanFailure {
  readonly error: { readonly name: string; readonly message: string; readonly test?: string };
  readonly source?: { readonly name?: string; readonly id?: string };
}

interface NewmanSummary {
  readonly run: {
    readonly stats: Record<'requests' | 'assertions' | 'testScripts' | 'prerequestScripts', { total: number; failed: number }>;
    readonly failures: NewmanFailure[];
  };
}

interface NewmanRequestEvent {
  readonly item: { readonly id: string };
  readonly response?: { readonly code: number };
}

interface Newman {
  run(
    options: { collection: object; envVar: { key: string; value: string }[]; reporters: string[] },
    callback: (error: Error | null, summary: NewmanSummary) => void,
  ): EventEmitter;
}

// No type declarations ship with newman.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const newman = require('newman') as Newman;

/**
 * README's defaults, not the generous limits other suites run with: the collection must fit in them.
 * Except per IP on the auth routes: with REDIS_URL (CI) that counter is shared by every suite signing
 * up from 127.0.0.1 in the same minute; the collection's own share is checked against the default.
 */
const DEFAULT_AUTH_PER_IP = 20;
const DEFAULT_RATE_LIMITS = {
  RATE_LIMIT_FREE: '120',
  RATE_LIMIT_PRO: '600',
  RATE_LIMIT_ENTERPRISE: '3000',
  RATE_LIMIT_ORG_MULTIPLIER: '5',
  AUTH_RATE_LIMIT_PER_EMAIL: '5',
};

const END_FOLDER = 'End the session';

interface Document {
  tags: { name: string }[];
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        requestBody?: { content: Record<string, { example?: unknown }> };
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
}

describe('Postman collection (e2e)', () => {
  let app: NestFastifyApplication;
  let dns: TxtDnsServer;
  let baseUrl: string;
  let collection: PostmanCollection;
  let document: Document;

  const items = () => postmanItems(collection);
  const item = (id: string) => items().find((candidate) => candidate.id === id) as PostmanItem;
  const script = (entry: PostmanItem, listen: 'test' | 'prerequest') =>
    entry.event.find((event) => event.listen === listen)?.script.exec.join('\n') ?? '';

  beforeAll(async () => {
    // Domain verification asks this DNS server, which knows no record (not whatever resolver the machine has).
    dns = await TxtDnsServer.start();
    ({ app } = await createTestApp({ env: { ...DEFAULT_RATE_LIMITS, SSO_DNS_RESOLVER: dns.address } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    collection = (await (await fetch(`${baseUrl}/docs/postman.json`)).json()) as PostmanCollection;
    document = (await (await fetch(`${baseUrl}/docs/openapi.json`)).json()) as Document;
  });

  afterAll(async () => {
    await app?.close();
    await dns?.stop();
  });

  it('holds each operation once, in folders named after the tags, signing up first and ending the session last', () => {
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path).map((op) => op.operationId));
    const folderNames = (folders: PostmanFolder[]): string[] =>
      folders.flatMap((folder) => [
        folder.name,
        ...folderNames(folder.item.filter((entry): entry is PostmanFolder => !('request' in entry))),
      ]);

    expect(
      items()
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...operations].sort());
    expect(new Set(folderNames(collection.item as PostmanFolder[]))).toEqual(
      new Set([...document.tags.map((tag) => tag.name), END_FOLDER]),
    );
    expect(items()[0].id).toBe('signup');
    expect(items().at(-1)?.id).toBe('logout');
    expect(item('listContacts').name).toBe('List contacts');
  });

  it('runs on the session it signs up for: bearer {{token}}, no auth on public operations, only baseUrl to set', () => {
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] });
    expect(item('signup').request.auth).toEqual({ type: 'noauth' });
    expect(item('login').request.auth).toEqual({ type: 'noauth' });
    expect(item('listContacts').request.auth).toBeUndefined();
    expect(script(item('signup'), 'prerequest')).toContain("pm.collectionVariables.set('email', ");
    expect(script(item('signup'), 'test')).toContain("pm.collectionVariables.set('token', ");
    expect(collection.variable.find((variable) => variable.key === 'baseUrl')?.value).toMatch(/^https?:\/\//);
    // Every other variable either starts empty and is set by the run, or is an example path value (a category).
    const setByTheRun = collection.variable.filter((variable) => variable.key !== 'baseUrl' && variable.value === '');
    expect(setByTheRun.map((variable) => variable.key)).toEqual(
      expect.arrayContaining(['token', 'contactId', 'memberUserId', 'sessionId']),
    );
  });

  it('orders each folder Create → Get → List → Update → Delete and keeps the ids its creates return', () => {
    // Nothing reads or changes a resource after the request that deletes it.
    const run = items();
    run.forEach((entry, at) => {
      if (entry.request.method !== 'DELETE') return;
      const later = run.slice(at + 1).filter((other) => other.request.url.raw === entry.request.url.raw);
      expect([entry.id, later.map((other) => other.id)]).toEqual([entry.id, []]);
    });
    const position = (id: string) => run.findIndex((entry) => entry.id === id);
    expect(['createCompany', 'getCompany', 'listCompanies', 'updateCompany', 'deleteCompany'].map(position)).toEqual(
      [...['createCompany', 'getCompany', 'listCompanies', 'updateCompany', 'deleteCompany'].map(position)].sort((a, b) => a - b),
    );
    expect(position('createActivity')).toBeGreaterThan(position('createContact'));
    expect(position('deleteActivity')).toBeLessThan(position('deleteContact'));
    expect(item('getContact').request.url.variable).toEqual([expect.objectContaining({ key: 'id', value: '{{contactId}}' })]);
    expect(script(item('createContact'), 'test')).toContain("pm.collectionVariables.set('contactId'");
    expect(script(item('createApiKey'), 'test')).toContain("pm.collectionVariables.set('apiKeyId'");
    expect(item('revokeApiKey').request.url.variable).toEqual([expect.objectContaining({ value: '{{apiKeyId}}' })]);
    expect(item('createContact').request.header).toEqual(
      expect.arrayContaining([{ key: 'Idempotency-Key', value: '{{$guid}}', description: expect.any(String) }]),
    );
  });

  it('sends the documented examples as bodies, with only the fields the run fills in as variables', () => {
    const examples = new Map(
      Object.values(document.paths).flatMap((path) =>
        Object.values(path).map((op) => [op.operationId, op.requestBody?.content['application/json']?.example] as const),
      ),
    );
    for (const entry of items().filter((candidate) => candidate.request.body)) {
      const sent = JSON.parse(entry.request.body?.raw ?? 'null') as Record<string, unknown>;
      const example = examples.get(entry.id) as Record<string, unknown>;
      const changed = Object.keys(sent).filter((field) => JSON.stringify(sent[field]) !== JSON.stringify(example[field]));

      expect([entry.id, changed.filter((field) => !/^\{\{\w+\}\}$/.test(String(sent[field])))]).toEqual([entry.id, []]);
    }
  });

  it('checks the status, the body against the documented schema and the documented headers of every request', () => {
    const answersJson = new Set(
      Object.values(document.paths).flatMap((path) =>
        Object.values(path)
          .filter((op) =>
            Object.entries(op.responses).some(([status, response]) => /^2/.test(status) && response.content?.['application/json']),
          )
          .map((op) => op.operationId),
      ),
    );
    for (const entry of items()) {
      const tests = script(entry, 'test');

      expect([entry.id, /pm\.response\.to\.have\.status\(\d{3}\)/.test(tests)]).toEqual([entry.id, true]);
      if (answersJson.has(entry.id)) expect([entry.id, tests.includes('pm.response.to.have.jsonSchema(')]).toEqual([entry.id, true]);
    }
    expect(script(item('downloadReport'), 'test')).toContain("pm.response.to.have.header('X-Content-SHA256')");
    expect(script(item('getDeletionCertificate'), 'test')).toContain("'DELETION_CERTIFICATE_NOT_FOUND'");
  });

  it('runs in newman with only baseUrl set: every request sent, no failed request or assertion', async () => {
    const ids = new Set(items().map((entry) => entry.id));
    const sent = new Map<string, number[]>();
    const summary = await new Promise<NewmanSummary>((resolve, reject) => {
      newman
        .run({ collection, envVar: [{ key: 'baseUrl', value: baseUrl }], reporters: [] }, (error, result) =>
          error ? reject(error) : resolve(result),
        )
        .on('request', (error: Error | null, event: NewmanRequestEvent) => {
          // pm.sendRequest (polls, a fresh invitation) runs as an item of its own, with a random id.
          if (!ids.has(event.item.id)) return;
          const codes = sent.get(event.item.id) ?? [];
          sent.set(event.item.id, [...codes, error ? 0 : (event.response?.code ?? 0)]);
        });
    });

    expect(summary.run.failures.map((failure) => `${failure.source?.id ?? failure.source?.name}: ${failure.error.message}`)).toEqual([]);
    expect(summary.run.stats.requests.failed).toBe(0);
    expect(summary.run.stats.assertions.failed).toBe(0);
    expect(summary.run.stats.testScripts.failed + summary.run.stats.prerequestScripts.failed).toBe(0);
    expect([...sent.keys()].sort()).toEqual([...ids].sort());
    expect([...sent].filter(([, codes]) => codes.includes(0) || codes.some((code) => code === 429))).toEqual([]);
    // Sign-up, sign-in and invitation acceptance: the public POSTs are the auth-limited routes.
    const authLimited = items().filter((entry) => entry.request.auth?.type === 'noauth' && entry.request.method === 'POST');
    expect(authLimited.reduce((total, entry) => total + (sent.get(entry.id)?.length ?? 0), 0)).toBeLessThanOrEqual(DEFAULT_AUTH_PER_IP);
  }, 120_000);
});
