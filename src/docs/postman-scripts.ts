import type { MediaTypeObject, OpenAPIObject, OperationObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { toJsonSchema } from './postman-json-schema';
import type { PlannedOperation } from './postman-plan';
import { isReference, resolveRef } from './schema-examples';

/**
 * The scripts of one request, in the Postman sandbox's JavaScript (ES5-ish, `pm` API): before it is
 * sent, the variables and the state it needs; after, its status, its body against the documented
 * schema (`pm.response.to.have.jsonSchema`, Ajv in newman and the app), the headers the document
 * says are always there, and the ids it hands to later requests.
 */

/** Slowest poll interval and how many polls before giving up (about 25 s); the request then fails on its own. */
const POLL_MAX_INTERVAL_MS = 1000;
const POLL_ATTEMPTS = 30;

export interface RequestRecipe {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly idempotent: boolean;
  /** The variables its own request sets first (a fresh email). */
  readonly before?: Readonly<Record<string, string>>;
}

export function testScript(document: OpenAPIObject, op: PlannedOperation): string[] {
  const problem = op.scenario.expectProblem;
  const [status, response] = problem ? documentedResponse(document, op.operation, problem.status) : successResponse(document, op.operation);
  const lines = [`pm.test('answers ${status}', function () {`, `  pm.response.to.have.status(${status});`, '});'];
  if (problem) lines.unshift(`// Asserts the documented ${status} ${problem.code}: ${problem.why}.`);
  lines.push(...bodyChecks(document, response, problem?.code), ...headerChecks(document, response));
  const after = [...captureLines(op), ...keepLines(op), ...fillLines(op)];
  if (after.length > 0) lines.push(`if (pm.response.code === ${status}) {`, ...after.map((line) => `  ${line}`), '}');
  return lines;
}

export function prerequestScript(
  op: PlannedOperation,
  recipeOf: (operationId: string) => RequestRecipe | undefined,
  before: readonly string[] = [],
): string[] {
  const lines = [...before, ...beforeLines(op.scenario.before)];
  const wait = op.scenario.waitFor;
  if (wait) lines.push(...waitFunction(wait));
  const startWaiting = wait ? ['waitUntilReady(0);'] : [];
  const fresh = op.scenario.fresh;
  const recipe = fresh && recipeOf(fresh.operationId);
  if (!fresh || !recipe) return [...lines, ...startWaiting];
  const body = recipe.body && fresh.body ? JSON.stringify({ ...(JSON.parse(recipe.body) as object), ...fresh.body }) : recipe.body;
  return [
    ...lines,
    `// Its own {{${fresh.variable}}}, made with ${fresh.operationId} just before.`,
    ...beforeLines(recipe.before),
    'pm.sendRequest({',
    `  url: pm.variables.replaceIn('{{baseUrl}}${recipe.path}'),`,
    `  method: '${recipe.method}',`,
    `  header: ${headerObject({ body, idempotent: recipe.idempotent })},`,
    ...(body ? [`  body: { mode: 'raw', raw: pm.variables.replaceIn(${JSON.stringify(body)}) }`] : []),
    '}, function (error, response) {',
    `  if (!error && response.code >= 200 && response.code < 300) pm.collectionVariables.set('${fresh.variable}', String(response.json().id));`,
    ...startWaiting.map((line) => `  ${line}`),
    '});',
  ];
}

/** Polls with a growing interval; the request is sent either way, and fails its tests if the state never came. */
function waitFunction(wait: NonNullable<PlannedOperation['scenario']['waitFor']>): string[] {
  return [
    `// Handled in the background: waits until ${wait.field} is ${wait.values.join(' or ')}.`,
    'function waitUntilReady(attempt) {',
    `  pm.sendRequest({ url: pm.variables.replaceIn('{{baseUrl}}${wait.path}'), method: 'GET', header: ${headerObject({ idempotent: false })} }, function (error, response) {`,
    `    var value = !error && response.code === 200 ? response.json().${wait.field} : undefined;`,
    `    if (${JSON.stringify(wait.values)}.indexOf(value) >= 0 || attempt >= ${POLL_ATTEMPTS}) return;`,
    `    setTimeout(function () { waitUntilReady(attempt + 1); }, Math.min(${POLL_MAX_INTERVAL_MS}, 50 * Math.pow(2, attempt)));`,
    '  });',
    '}',
  ];
}

/** The first request clears what an earlier run left, so each run starts from its own sign-up. */
export function resetLines(variables: readonly string[]): string[] {
  if (variables.length === 0) return [];
  return [
    '// A run starts from its own sign-up: nothing an earlier run left is used.',
    `${JSON.stringify(variables)}.forEach(function (name) { pm.collectionVariables.set(name, ''); });`,
  ];
}

function beforeLines(before: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(before ?? {}).map(([name, expression]) => `pm.collectionVariables.set('${name}', ${expression});`);
}

function headerObject(recipe: Pick<RequestRecipe, 'body' | 'idempotent'>): string {
  return [
    "{ Authorization: 'Bearer ' + pm.variables.get('token'), Accept: 'application/json'",
    recipe.body ? ", 'Content-Type': 'application/json'" : '',
    recipe.idempotent ? ", 'Idempotency-Key': pm.variables.replaceIn('{{$guid}}')" : '',
    ' }',
  ].join('');
}

function bodyChecks(document: OpenAPIObject, response: ResponseObject | undefined, problemCode: string | undefined): string[] {
  const media = Object.entries(response?.content ?? {}) as [string, MediaTypeObject][];
  if (media.length === 0) return [`pm.test('has no body', function () {`, "  pm.expect(pm.response.text()).to.equal('');", '});'];
  const types = media.map(([type]) => type);
  const lines = [
    `pm.test('is ${types.join(' or ')}', function () {`,
    `  pm.expect(${JSON.stringify(types)}).to.include(String(pm.response.headers.get('Content-Type')).split(';')[0].trim());`,
    '});',
  ];
  const json = media.find(([type]) => /[/+]json$/.test(type));
  if (json?.[1].schema) {
    const schema = JSON.stringify(toJsonSchema(document, json[1].schema));
    const check = [
      `pm.test('matches the documented schema${schemaName(json[1].schema)}', function () {`,
      `  pm.response.to.have.jsonSchema(${schema});`,
      '});',
    ];
    // A download documents several types; the schema is for the JSON one.
    lines.push(
      ...(media.length === 1
        ? check
        : [`if (/json/.test(String(pm.response.headers.get('Content-Type')))) {`, ...check.map((line) => `  ${line}`), '}']),
    );
  }
  if (problemCode)
    lines.push(`pm.test('is ${problemCode}', function () {`, `  pm.expect(pm.response.json().code).to.equal('${problemCode}');`, '});');
  return lines;
}

function headerChecks(document: OpenAPIObject, response: ResponseObject | undefined): string[] {
  const required = Object.entries(response?.headers ?? {})
    .filter(([, header]) => resolveRef<{ required?: boolean }>(document, header)?.required === true)
    .map(([name]) => name);
  if (required.length === 0) return [];
  return [
    `pm.test('sends ${required.join(', ')}', function () {`,
    ...required.map((name) => `  pm.response.to.have.header('${name}');`),
    '});',
  ];
}

function captureLines(op: PlannedOperation): string[] {
  const entries = Object.entries(op.captures);
  if (entries.length === 0) return [];
  return [
    'var body = pm.response.json();',
    ...entries.map(([name, path]) => `pm.collectionVariables.set('${name}', String(${accessor('body', path)}));`),
  ];
}

function keepLines(op: PlannedOperation): string[] {
  const entries = Object.entries(op.scenario.keeps ?? {});
  if (entries.length === 0) return [];
  return [
    'var sent = JSON.parse(pm.variables.replaceIn(pm.request.body.raw));',
    ...entries.map(([name, field]) => `pm.collectionVariables.set('${name}', String(sent.${field}));`),
  ];
}

/** From the first item that is not the caller's own (a list of sessions marks the current one). */
function fillLines(op: PlannedOperation): string[] {
  return op.fills.flatMap(({ variable, field }) => [
    `if (!pm.collectionVariables.get('${variable}')) {`,
    `  var other = (pm.response.json().data || []).filter(function (entry) { return entry.current !== true; })[0];`,
    `  if (other) pm.collectionVariables.set('${variable}', String(other.${field}));`,
    '}',
  ]);
}

/** `data.0.id` → `body.data[0].id`. */
function accessor(root: string, path: string): string {
  return path.split('.').reduce((expression, key) => (/^\d+$/.test(key) ? `${expression}[${key}]` : `${expression}.${key}`), root);
}

export function successResponse(document: OpenAPIObject, operation: OperationObject): [number, ResponseObject | undefined] {
  const entry = Object.entries(operation.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
  if (!entry) return [200, undefined];
  return [Number(entry[0]), resolveRef<ResponseObject>(document, entry[1])];
}

function documentedResponse(document: OpenAPIObject, operation: OperationObject, status: number): [number, ResponseObject | undefined] {
  return [status, resolveRef<ResponseObject>(document, operation.responses?.[String(status)])];
}

function schemaName(schema: SchemaObject | ReferenceObject): string {
  return isReference(schema) ? ` (${schema.$ref.split('/').pop()})` : '';
}
