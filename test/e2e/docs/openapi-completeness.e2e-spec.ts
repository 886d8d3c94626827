import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { version } from '../../../package.json';
import { createTestApp } from '../../support/test-app';
import { OpenApiDocument, documentProblems, operationProblems } from './documentation-rules';

/**
 * Every operation of the served document carries everything a client needs (operationId,
 * summary, tag, security, request schema and example, success schema, the applicable errors as
 * problem+json, the convention headers and parameters), and Spectral finds no error in it.
 * A route added without any of these fails here.
 */
describe('OpenAPI document completeness (e2e)', () => {
  let app: NestFastifyApplication;
  let served: string;

  const documentCopy = () => JSON.parse(served) as OpenApiDocument;

  beforeAll(async () => {
    ({ app } = await createTestApp());
    const response = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    served = response.body;
  });

  afterAll(async () => {
    await app.close();
  });

  it('documents every operation completely', () => {
    const document = documentCopy();

    expect(Object.keys(document.paths).length).toBeGreaterThan(10);
    expect(operationProblems(document)).toEqual([]);
  });

  it('carries the version, the auth quick start and the shared components', () => {
    const document = documentCopy();

    expect(document.info.version).toBe(version);
    expect(documentProblems(document, version)).toEqual([]);
  });

  it('reports an operation that lacks an item of its documentation', () => {
    const document = documentCopy();
    const create = document.paths['/v1/contacts'].post as Record<string, unknown>;
    delete create.summary;
    delete (create.requestBody as { content: Record<string, Record<string, unknown>> }).content['application/json'].example;
    delete (create.responses as Record<string, unknown>)['429'];
    const get = document.paths['/v1/contacts/{id}'].get as { operationId: string; responses: Record<string, unknown> };
    delete get.responses['404'];
    get.operationId = 'listContacts';
    const remove = document.paths['/v1/contacts/{id}'].delete as { responses: Record<string, unknown> };
    remove.responses['412'] = { description: 'Stale.', content: { 'application/json': { schema: { type: 'object' } } } };

    expect(operationProblems(document)).toEqual(
      expect.arrayContaining([
        'createContact (POST /v1/contacts): no summary',
        'createContact (POST /v1/contacts): request body without an example',
        'createContact (POST /v1/contacts): no 429 response',
        'listContacts (GET /v1/contacts/{id}): no 404 response',
        'listContacts: operationId used by 2 operations',
        'deleteContact (DELETE /v1/contacts/{id}): 412 response is not application/problem+json with the Problem schema',
      ]),
    );
  });

  it('reports a public operation that asks for credentials and a /v1 GET without ETag or pagination components', () => {
    const document = documentCopy();
    const login = document.paths['/v1/auth/login'].post as Record<string, unknown>;
    login.security = [{ bearer: [] }];
    const list = document.paths['/v1/companies'].get as {
      parameters: unknown[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    list.parameters = list.parameters.filter((param) => (param as { $ref?: string }).$ref !== '#/components/parameters/PageCursor');
    list.parameters.push({ name: 'cursor', in: 'query', schema: { type: 'string' } });
    delete list.responses['200'].headers?.ETag;

    expect(operationProblems(document)).toEqual(
      expect.arrayContaining([
        'login (POST /v1/auth/login): public, but security requires credentials',
        'listCompanies (GET /v1/companies): list without the PageCursor parameter component',
        'listCompanies (GET /v1/companies): GET success without the ETag header component',
      ]),
    );
  });

  // A code missing from every enum is one a generated client cannot name, and a strict validator rejects.
  it('lists every problem code the code base raises in the code enum of an operation', () => {
    const enumerated = new Set<string>();
    for (const [, item] of Object.entries(documentCopy().paths))
      for (const operation of Object.values(item))
        for (const response of Object.values((operation.responses ?? {}) as Record<string, Record<string, unknown>>))
          for (const match of JSON.stringify(response).matchAll(/"enum":\[([^\]]*)\]/g))
            for (const code of match[1].matchAll(/"([A-Z][A-Z0-9_]+)"/g)) enumerated.add(code[1]);
    for (const name of Object.keys(documentCopy().components.responses ?? {}))
      for (const match of JSON.stringify(documentCopy().components.responses[name]).matchAll(/"([A-Z][A-Z0-9_]+)"/g))
        enumerated.add(match[1]);

    const raised = sourceFiles(resolvePath(__dirname, '../../../src'))
      .concat(sourceFiles(resolvePath(__dirname, '../../../libs/http/src')))
      // Fastify and Node answer these before any route is chosen: no operation can list them. The SCIM
      // protocol's errors are SCIM error bodies on /scim/v2, which the document leaves to RFC 7644.
      .filter((file) => !file.endsWith('framework-errors.ts') && !file.endsWith('scim-protocol-errors.ts'))
      .flatMap((file) => [
        ...readFileSync(file, 'utf8').matchAll(
          /new (?:NotFoundError|ConflictError|UnauthenticatedError|AppError)\(\s*(?:'[a-z_]+',\s*)?'([A-Z][A-Z0-9_]+)'/g,
        ),
      ])
      .map((match) => match[1]);

    expect(raised.length).toBeGreaterThan(30);
    expect([...new Set(raised)].filter((code) => !enumerated.has(code)).sort()).toEqual([]);
  });

  it('passes Spectral (the OpenAPI ruleset and .spectral.yaml) without an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-spectral-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, served);
      const root = resolvePath(__dirname, '../../..');
      const result = await promisify(execFile)(
        process.execPath,
        [
          join(root, 'node_modules/@stoplight/spectral-cli/dist/index.js'),
          'lint',
          file,
          '--ruleset',
          join(root, '.spectral.yaml'),
          '--format',
          'json',
          '--quiet',
        ],
        { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '[]' }));
      const errors = (JSON.parse(result.stdout || '[]') as { code: string; severity: number; path: string[] }[])
        .filter((finding) => finding.severity === 0)
        .map((finding) => `${finding.code} at ${finding.path.join('.')}`);

      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}
