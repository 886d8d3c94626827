import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { PostmanCollection, PostmanItem } from '../../../src/docs';
import { bearer, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';

/**
 * The Postman collection at /docs/postman.json: folders per tag, `baseUrl` and `token` variables,
 * bearer auth, the schema examples as bodies, and requests that work as written. The last tests
 * run its requests in-process the way Postman (and newman in CI) would, test scripts included.
 */

type Variables = Map<string, string>;

const resolveVariables = (text: string, variables: Variables) =>
  text.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => (name === '$guid' ? randomUUID() : (variables.get(name) ?? '')));

/** Sends `item` as Postman would and runs its test script against a minimal `pm`; returns the failed tests. */
async function runItem(app: NestFastifyApplication, item: PostmanItem, variables: Variables, token: string): Promise<string[]> {
  const { request } = item;
  const pathVariables = new Map(
    (request.url.variable ?? []).map((variable) => [variable.key, resolveVariables(variable.value, variables)]),
  );
  const path = request.url.path.map((segment) =>
    segment.startsWith(':') ? encodeURIComponent(pathVariables.get(segment.slice(1)) ?? '') : segment,
  );
  const query = Object.fromEntries((request.url.query ?? []).filter((param) => !param.disabled).map((param) => [param.key, param.value]));
  const headers = Object.fromEntries(
    request.header
      .filter((header) => !header.disabled)
      .map((header) => [header.key.toLowerCase(), resolveVariables(header.value, variables)]),
  );
  const response = await app.inject({
    method: request.method as 'GET' | 'POST',
    url: `/${path.join('/')}`,
    query,
    headers: { ...headers, ...(request.auth?.type === 'noauth' ? {} : bearer(token)) },
    ...(request.body ? { payload: resolveVariables(request.body.raw, variables) } : {}),
  });
  return runTestScript(item, response, variables);
}

function runTestScript(item: PostmanItem, response: LightMyRequestResponse, variables: Variables): string[] {
  const failures: string[] = [];
  const pm = {
    test: (name: string, check: () => void) => {
      try {
        check();
      } catch (error) {
        failures.push(`${item.id} ${name}: ${(error as Error).message}`);
      }
    },
    response: {
      code: response.statusCode,
      json: () => response.json() as unknown,
      to: {
        have: {
          status: (code: number) => {
            if (response.statusCode !== code) throw new Error(`got ${response.statusCode} ${response.body.slice(0, 300)}`);
          },
        },
      },
    },
    collectionVariables: { get: (key: string) => variables.get(key), set: (key: string, value: string) => variables.set(key, value) },
  };
  const script = item.event.find((event) => event.listen === 'test')?.script.exec.join('\n') ?? '';
  new Function('pm', script)(pm);
  return failures;
}

/**
 * GETs whose success needs a state this run cannot also hold while the others succeed: each
 * list request fills its id variable from the newest item, and one org is both being read and
 * not yet deleted.
 */
const NEEDS_OTHER_STATE: Readonly<Record<string, string>> = {
  getErasureCertificate: 'the newest privacy request is an access request (its export is downloaded), not an erasure',
  getDeletionCertificate: 'exists only once an organization has been deleted',
};

describe('Postman collection (e2e)', () => {
  let app: NestFastifyApplication;
  let collection: PostmanCollection;
  let document: { tags: { name: string }[]; paths: Record<string, Record<string, Record<string, unknown>>> };

  const items = () => collection.item.flatMap((folder) => folder.item);
  const item = (id: string) => items().find((candidate) => candidate.id === id) as PostmanItem;
  const initialVariables = (): Variables => new Map(collection.variable.map((variable) => [variable.key, variable.value]));

  beforeAll(async () => {
    ({ app } = await createTestApp());
    collection = (await app.inject({ method: 'GET', url: '/docs/postman.json' })).json();
    document = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
  });

  afterAll(async () => {
    await app.close();
  });

  /** A completed access request, collected evidence, a report and a closure with its export built, for the GETs by id. */
  async function seedComplianceState(token: string): Promise<void> {
    const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: bearer(token), payload });
    const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(token) });
    const request = await post('/v1/privacy/requests', { type: 'access', subjectEmail: 'pat@postman.example' });
    const evidence = await post('/v1/compliance/evidence/collections', {});
    const report = await post('/v1/compliance/reports', { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    const closure = await post('/v1/organization/closure', { confirmOrganizationName: (await get('/v1/organization')).json().name });
    expect([request.statusCode, evidence.statusCode, report.statusCode, closure.statusCode]).toEqual([202, 201, 201, 202]);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const [privacy, export_] = await Promise.all([get(`/v1/privacy/requests/${request.json().id}`), get('/v1/organization/closure')]);
      if (privacy.json().status === 'completed' && export_.json().status === 'export_ready') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the access request or the closure export was never ready');
  }

  it('has one folder per tag, in the order of the document, holding each operation once', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId as string));

    expect(collection.item.map((folder) => folder.name)).toEqual(document.tags.map((tag) => tag.name));
    expect(
      items()
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...operations].sort());
    expect(item('listContacts').name).toBe('List contacts');
  });

  it('uses {{baseUrl}} and {{token}} variables, bearer auth, and no auth on public operations', () => {
    expect(collection.variable).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'baseUrl', value: 'http://127.0.0.1:3000' }),
        expect.objectContaining({ key: 'token', value: '' }),
      ]),
    );
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] });
    expect(item('login').request.auth).toEqual({ type: 'noauth' });
    expect(item('listContacts').request.auth).toBeUndefined();
    expect(item('getContact').request.url.raw).toBe('{{baseUrl}}/v1/contacts/:id');
  });

  it('sends the documented request examples as bodies', () => {
    for (const entry of items().filter((candidate) => candidate.request.body)) {
      const [path, method] = Object.entries(document.paths)
        .flatMap(([candidatePath, operations]) => Object.entries(operations).map(([verb, op]) => [candidatePath, verb, op] as const))
        .find(([, , op]) => op.operationId === entry.id) as unknown as [string, string];
      const media = (document.paths[path][method].requestBody as { content: Record<string, { example: unknown }> }).content[
        'application/json'
      ];

      expect([entry.id, JSON.parse(entry.request.body?.raw ?? 'null')]).toEqual([entry.id, media.example]);
    }
  });

  it('names path ids as variables that the list requests fill from their first item', () => {
    expect(item('getContact').request.url.variable).toEqual([expect.objectContaining({ key: 'id', value: '{{contactId}}' })]);
    expect(item('updateMember').request.url.variable).toEqual([expect.objectContaining({ key: 'userId', value: '{{memberUserId}}' })]);
    expect(collection.variable.map((variable) => variable.key)).toEqual(
      expect.arrayContaining(['contactId', 'companyId', 'activityId', 'memberUserId']),
    );
    expect(item('listContacts').event[0].script.exec.join('\n')).toContain(
      "pm.collectionVariables.set('contactId', String(page.data[0].id))",
    );
    expect(item('createContact').request.header).toEqual(
      expect.arrayContaining([{ key: 'Idempotency-Key', value: '{{$guid}}', description: expect.any(String) }]),
    );
  });

  it('answers every read-only request with its documented status, as written', async () => {
    const owner = await signup(app);
    const company = await app.inject({
      method: 'POST',
      url: '/v1/companies',
      headers: bearer(owner.token),
      payload: { name: 'Postman Co' },
    });
    const contact = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(owner.token),
      payload: { firstName: 'Pat', lastName: 'Postman', companyId: company.json().id },
    });
    const activity = await app.inject({
      method: 'POST',
      url: `/v1/contacts/${contact.json().id}/activities`,
      headers: bearer(owner.token),
      payload: { type: 'note', subject: 'Collection run', occurredAt: new Date().toISOString() },
    });
    expect([company.statusCode, contact.statusCode, activity.statusCode]).toEqual([201, 201, 201]);
    await seedComplianceState(owner.token);
    const variables = initialVariables();

    const failures: string[] = [];
    for (const entry of items().filter((candidate) => candidate.request.method === 'GET' && !NEEDS_OTHER_STATE[candidate.id]))
      failures.push(...(await runItem(app, entry, variables, owner.token)));

    expect(failures).toEqual([]);
    expect([variables.get('contactId'), variables.get('activityId')]).toEqual([contact.json().id, activity.json().id]);
  });

  it('creates a company, a contact and an activity with its example bodies', async () => {
    const owner = await signup(app);
    const variables = initialVariables();

    const failures: string[] = [];
    for (const id of ['createCompany', 'createContact', 'listContacts', 'createActivity'])
      failures.push(...(await runItem(app, item(id), variables, owner.token)));

    expect(failures).toEqual([]);
  });
});
