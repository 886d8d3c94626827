import { createHash } from 'node:crypto';
import type { MediaTypeObject, OpenAPIObject, ParameterObject } from '@nestjs/swagger';
import { accessOf } from './operations';
import { CollectionPlan, PlannedFolder, PlannedOperation, isFolder, planCollection } from './postman-plan';
import { RequestRecipe, prerequestScript, resetLines, successResponse, testScript } from './postman-scripts';
import { exampleOf, isReference, resolveRef } from './schema-examples';

/**
 * A Postman v2.1 collection generated from the OpenAPI document that runs top to bottom with only
 * `{{baseUrl}}` set (Collection Runner, or `newman run <collection> --env-var baseUrl=…`): it signs
 * up an organization of its own and runs on that session (`{{token}}`, bearer auth; none on public
 * operations), keeps every id a create returns for the requests that use it, and ends the session
 * last. Folders follow the tags, each Create → Get → List → Update → Delete (src/docs/postman-plan.ts);
 * bodies are the schema examples; every request's tests check the status, the body against the
 * documented schema and the documented headers (src/docs/postman-scripts.ts).
 */

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

export interface PostmanKeyValue {
  key: string;
  value: string;
  description?: string;
  disabled?: boolean;
  type?: 'string';
}

export interface PostmanRequest {
  method: string;
  header: PostmanKeyValue[];
  url: { raw: string; host: string[]; path: string[]; query?: PostmanKeyValue[]; variable?: PostmanKeyValue[] };
  description?: string;
  body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } };
  auth?: { type: 'noauth' };
}

export interface PostmanItem {
  /** The operationId. */
  id: string;
  name: string;
  request: PostmanRequest;
  response: {
    name: string;
    originalRequest: PostmanRequest;
    status: string;
    code: number;
    _postman_previewlanguage: 'json';
    header: PostmanKeyValue[];
    body: string;
  }[];
  event: { listen: 'test' | 'prerequest'; script: { type: 'text/javascript'; exec: string[] } }[];
}

export interface PostmanFolder {
  name: string;
  description?: string;
  item: (PostmanItem | PostmanFolder)[];
}

export interface PostmanCollection {
  info: { _postman_id: string; name: string; version: string; description: string; schema: string };
  auth: { type: 'bearer'; bearer: PostmanKeyValue[] };
  variable: PostmanKeyValue[];
  item: PostmanFolder[];
}

const REASON: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

export function toPostmanCollection(document: OpenAPIObject): PostmanCollection {
  const plan = planCollection(document);
  const operations = flatten(plan.folders);
  const recipes = new Map(operations.map((op) => [op.id, recipeOf(document, op)]));
  const first = operations[0]?.id;
  const toFolder = (folder: PlannedFolder): PostmanFolder => ({
    name: folder.name,
    ...(folder.description ? { description: folder.description } : {}),
    item: folder.entries.map((entry) =>
      isFolder(entry)
        ? toFolder(entry)
        : toItem(document, entry, recipes, entry.id === first ? resetLines(['token', ...plan.dynamic.keys()]) : []),
    ),
  });
  return {
    info: {
      _postman_id: stableUuid(document.info.title),
      name: document.info.title,
      version: document.info.version,
      description: [document.info.description ?? '', RUN_NOTE].filter(Boolean).join('\n\n'),
      schema: POSTMAN_SCHEMA,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: variablesOf(document, plan),
    item: plan.folders.map(toFolder),
  };
}

const RUN_NOTE =
  '**Running this collection**: set `baseUrl` and run it top to bottom (Collection Runner, or ' +
  '`newman run postman.json --env-var baseUrl=http://127.0.0.1:3000`). It signs up an organization of its own, ' +
  'keeps the session token and every id it creates in collection variables, and ends the session last.';

function variablesOf(document: OpenAPIObject, plan: CollectionPlan): PostmanKeyValue[] {
  return [
    { key: 'baseUrl', value: defaultBaseUrl(document), type: 'string', description: 'Where Atrium runs, without a trailing slash.' },
    {
      key: 'token',
      value: '',
      type: 'string',
      description: 'The bearer token requests send: the session Sign-up starts, or your own session token or `atr_` API key.',
    },
    ...[...plan.dynamic].map(([key, description]) => ({ key, value: '', type: 'string' as const, description })),
    ...[...plan.fixed].map(([key, value]) => ({ key, value, type: 'string' as const, description: 'An example; set the one you need.' })),
  ];
}

/** The document's server when it names an absolute one, else where the server listens by default. */
function defaultBaseUrl(document: OpenAPIObject): string {
  const url = document.servers?.[0]?.url ?? '';
  return /^https?:\/\//.test(url) ? url.replace(/\/$/, '') : DEFAULT_BASE_URL;
}

/** Every request of the collection, in run order (folders may hold folders). */
export function postmanItems(collection: { item: (PostmanItem | PostmanFolder)[] }): PostmanItem[] {
  return collection.item.flatMap((entry) => ('request' in entry ? [entry] : postmanItems(entry)));
}

function flatten(folders: readonly PlannedFolder[]): PlannedOperation[] {
  return folders.flatMap((folder) => folder.entries.flatMap((entry) => (isFolder(entry) ? flatten([entry]) : [entry])));
}

function recipeOf(document: OpenAPIObject, op: PlannedOperation): RequestRecipe {
  const body = requestBodyOf(op);
  return {
    method: op.method.toUpperCase(),
    path: op.path.replace(/\{([^}]+)\}/g, (_, param: string) => `{{${op.pathVariables.get(param) ?? param}}}`),
    ...(body !== undefined ? { body } : {}),
    idempotent: parametersOf(document, op).some((param) => param.in === 'header' && param.name.toLowerCase() === 'idempotency-key'),
    ...(op.scenario.before ? { before: op.scenario.before } : {}),
  };
}

/** The example body, with the fields the run fills in (ids it made, its own credentials) as templates. */
function requestBodyOf(op: PlannedOperation): string | undefined {
  const example = op.bodyExample;
  if (example === undefined) return undefined;
  const templated =
    typeof example === 'object' && example !== null && !Array.isArray(example)
      ? { ...(example as Record<string, unknown>), ...op.bodyTemplates }
      : example;
  return JSON.stringify(templated, null, 2);
}

function parametersOf(document: OpenAPIObject, op: PlannedOperation): ParameterObject[] {
  return (op.operation.parameters ?? [])
    .map((raw) => resolveRef<ParameterObject>(document, raw))
    .filter((param): param is ParameterObject => !!param);
}

function toItem(
  document: OpenAPIObject,
  op: PlannedOperation,
  recipes: ReadonlyMap<string, RequestRecipe>,
  reset: readonly string[],
): PostmanItem {
  const { operation } = op;
  const parameters = parametersOf(document, op);
  const segments = op.path.split('/').filter(Boolean);
  const pathVariables = parameters
    .filter((param) => param.in === 'path')
    .map((param) => ({ key: param.name, value: `{{${op.pathVariables.get(param.name) ?? param.name}}}`, description: param.description }));
  const query = parameters
    .filter((param) => param.in === 'query')
    .map((param) => ({
      key: param.name,
      value: String(param.example ?? exampleOf(document, param.schema) ?? ''),
      description: param.description,
      disabled: !param.required,
    }));
  const body = recipes.get(op.id)?.body;
  const header: PostmanKeyValue[] = [
    { key: 'Accept', value: 'application/json' },
    ...(body !== undefined ? [{ key: 'Content-Type', value: 'application/json' }] : []),
    ...parameters
      .filter((param) => param.in === 'header')
      .map((param) =>
        param.name.toLowerCase() === 'idempotency-key'
          ? { key: param.name, value: '{{$guid}}', description: param.description }
          : { key: param.name, value: String(param.example ?? ''), description: param.description, disabled: true },
      ),
  ];
  const enabledQuery = query.filter((param) => !param.disabled).map((param) => `${param.key}=${encodeURIComponent(param.value)}`);
  const problem = op.scenario.expectProblem;
  const request: PostmanRequest = {
    method: op.method.toUpperCase(),
    header,
    url: {
      raw: `{{baseUrl}}/${segments.map(toPostmanSegment).join('/')}${enabledQuery.length ? `?${enabledQuery.join('&')}` : ''}`,
      host: ['{{baseUrl}}'],
      path: segments.map(toPostmanSegment),
      ...(query.length ? { query } : {}),
      ...(pathVariables.length ? { variable: pathVariables } : {}),
    },
    description: [
      operation.description,
      problem && `**In a run of this collection** it answers the documented ${problem.status} \`${problem.code}\`: ${problem.why}.`,
    ]
      .filter(Boolean)
      .join('\n\n'),
    ...(body !== undefined ? { body: { mode: 'raw' as const, raw: body, options: { raw: { language: 'json' as const } } } } : {}),
    ...(accessOf(operation).kind === 'public' ? { auth: { type: 'noauth' as const } } : {}),
  };
  const [status, success] = successResponse(document, operation);
  const successMedia = jsonMedia(success?.content);
  const prerequest = prerequestScript(op, (id) => recipes.get(id), reset);
  return {
    id: op.id,
    name: operation.summary ?? `${op.method.toUpperCase()} ${op.path}`,
    request,
    response: successMedia
      ? [
          {
            name: `${status} ${REASON[status] ?? 'Success'}`,
            originalRequest: request,
            status: REASON[status] ?? 'Success',
            code: status,
            _postman_previewlanguage: 'json',
            header: [{ key: 'Content-Type', value: 'application/json; charset=utf-8' }],
            body: JSON.stringify(successMedia.example ?? exampleOf(document, successMedia.schema) ?? {}, null, 2),
          },
        ]
      : [],
    event: [
      ...(prerequest.length > 0 ? [{ listen: 'prerequest' as const, script: { type: 'text/javascript' as const, exec: prerequest } }] : []),
      { listen: 'test', script: { type: 'text/javascript', exec: testScript(document, op) } },
    ],
  };
}

function jsonMedia(content: Record<string, MediaTypeObject> | undefined): MediaTypeObject | undefined {
  const entry = Object.entries(content ?? {}).find(([type]) => type.includes('json'));
  return entry && !isReference(entry[1]) ? entry[1] : undefined;
}

function toPostmanSegment(segment: string): string {
  return segment.replace(/^\{(.+)\}$/, ':$1');
}

/** The same collection id for every version, so importing a newer export replaces the older one. */
function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
