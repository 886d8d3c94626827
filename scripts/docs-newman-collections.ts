/**
 * Prepares the newman runs of scripts/ci-docs-checks.sh from the Postman collection a live server
 * serves: its read-only (GET) requests, split by who may make them.
 *
 * - `newman-api-key.postman.json`: what the demo API key may call (public operations and those
 *   whose permission is among the key's scopes), with the key as `token`;
 * - `newman-session.postman.json`: the rest (session-only operations, permissions the key lacks),
 *   with a session of the demo owner as `token`.
 *
 * Id variables start empty, so a request whose id no list request has filled (no such data in the
 * demo organization) is skipped and reported instead of sent with a made-up id.
 *
 *   node -r @swc-node/register scripts/docs-newman-collections.ts <baseUrl> <demo-credentials.json> <outDir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PostmanCollection, PostmanItem } from '../src/docs';

interface Access {
  readonly public?: boolean;
  readonly sessionOnly?: boolean;
  readonly permission?: string;
}

interface DemoCredentials {
  readonly email: string;
  readonly password: string;
  readonly apiKey: string;
}

const SKIP_WITHOUT_IDS = [
  'var missing = pm.request.url.variables.all().filter(function (variable) { return !pm.variables.replaceIn(String(variable.value)); });',
  'if (missing.length > 0) {',
  "  console.log('skipped ' + pm.info.requestName + ': no ' + missing.map(function (variable) { return variable.key; }).join(', ') + ' filled by a list request');",
  '  pm.execution.skipRequest();',
  '}',
];

/** GETs that answer 404 for the demo organization as it is (it is not being closed): left out, and listed. */
const NEEDS_A_CLOSURE = new Set(['getOrganizationClosure', 'downloadOrganizationExport']);

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

function readOnly(collection: PostmanCollection, baseUrl: string, token: string, keep: (item: PostmanItem) => boolean): PostmanCollection {
  return {
    ...collection,
    info: { ...collection.info, name: `${collection.info.name} (read-only)` },
    variable: collection.variable.map((variable) => ({
      ...variable,
      value: variable.key === 'baseUrl' ? baseUrl : variable.key === 'token' ? token : '',
    })),
    event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: SKIP_WITHOUT_IDS } }],
    item: collection.item
      .map((folder) => ({ ...folder, item: folder.item.filter((item) => item.request.method === 'GET' && keep(item)) }))
      .filter((folder) => folder.item.length > 0),
  };
}

async function main(baseUrl: string, credentialsFile: string, outDir: string): Promise<void> {
  const demo = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
  const collection = await json<PostmanCollection>(`${baseUrl}/docs/postman.json`);
  const document = await json<{ paths: Record<string, Record<string, { operationId?: string; 'x-atrium-access'?: Access }>> }>(
    `${baseUrl}/docs/openapi.json`,
  );
  const access = new Map(
    Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => [op.operationId ?? '', op['x-atrium-access'] ?? {}] as const),
    ),
  );
  const me = await json<{ permissions: string[] }>(`${baseUrl}/v1/me`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
  const session = await json<{ token: string }>(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demo.email, password: demo.password }),
  });

  const keyMay = (item: PostmanItem) => {
    const rule = access.get(item.id) ?? {};
    return rule.public === true || (!rule.sessionOnly && (!rule.permission || me.permissions.includes(rule.permission)));
  };
  const runnable = (item: PostmanItem) => !NEEDS_A_CLOSURE.has(item.id);
  process.stdout.write(`left out (the demo organization is not being closed): ${[...NEEDS_A_CLOSURE].join(', ')}\n`);
  const runs = {
    'api-key': readOnly(collection, baseUrl, demo.apiKey, (item) => runnable(item) && keyMay(item)),
    session: readOnly(collection, baseUrl, session.token, (item) => runnable(item) && !keyMay(item)),
  };
  mkdirSync(outDir, { recursive: true });
  for (const [name, run] of Object.entries(runs)) {
    const file = join(outDir, `newman-${name}.postman.json`);
    writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
    const ids = run.item.flatMap((folder) => folder.item.map((item) => item.id));
    process.stdout.write(`${file}: ${ids.length} GET requests (${ids.join(', ')})\n`);
  }
}

if (require.main === module) {
  const [baseUrl, credentialsFile, outDir] = process.argv.slice(2);
  if (!baseUrl || !credentialsFile || !outDir) {
    process.stderr.write('usage: docs-newman-collections.ts <baseUrl> <demo-credentials.json> <outDir>\n');
    process.exit(2);
  }
  main(baseUrl.replace(/\/$/, ''), credentialsFile, outDir).catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
