import { createHash } from 'node:crypto';
import type { MediaTypeObject, OpenAPIObject, OperationObject, ParameterObject, RequestBodyObject, ResponseObject } from '@nestjs/swagger';
import { accessOf, isPage, operationsOf, singular, successSchema } from './operations';
import { exampleOf, isReference, resolveRef } from './schema-examples';

/**
 * A Postman v2.1 collection generated from the OpenAPI document: one folder per tag, `{{baseUrl}}`
 * and `{{token}}` variables, bearer auth (none on public operations), the schema examples as
 * bodies, and a test per request that checks the documented success status. Path ids are
 * variables (`{{contactId}}`) that the matching list request fills from the first item of its
 * page, so "List contacts" then "Get a contact" works against real data.
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
  item: PostmanItem[];
}

export interface PostmanCollection {
  info: { _postman_id: string; name: string; version: string; description: string; schema: string };
  auth: { type: 'bearer'; bearer: PostmanKeyValue[] };
  variable: PostmanKeyValue[];
  item: PostmanFolder[];
  event?: PostmanItem['event'];
}

const REASON: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

export function toPostmanCollection(document: OpenAPIObject): PostmanCollection {
  const idVariables = new Map<string, string>();
  const folders = new Map<string, PostmanFolder>(
    (document.tags ?? []).map((tag) => [tag.name, { name: tag.name, description: tag.description, item: [] }]),
  );
  for (const { path, method, operation } of operationsOf(document)) {
    const tag = operation.tags?.[0] ?? 'Other';
    if (!folders.has(tag)) folders.set(tag, { name: tag, item: [] });
    folders.get(tag)?.item.push(toItem(document, path, method, operation, idVariables));
  }
  for (const folder of folders.values()) {
    for (const item of folder.item) item.event[0].script.exec.push(...fillIdVariables(document, item, idVariables));
  }
  return {
    info: {
      _postman_id: stableUuid(document.info.title),
      name: document.info.title,
      version: document.info.version,
      description: document.info.description ?? '',
      schema: POSTMAN_SCHEMA,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: DEFAULT_BASE_URL, type: 'string', description: 'Where Atrium runs, without a trailing slash.' },
      { key: 'token', value: '', type: 'string', description: 'A session token (Auth > Sign in) or an `atr_` API key.' },
      ...[...idVariables].map(([key, value]) => ({
        key,
        value,
        type: 'string' as const,
        description: 'Filled by the matching list request.',
      })),
    ],
    item: [...folders.values()].filter((folder) => folder.item.length > 0),
  };
}

function toItem(
  document: OpenAPIObject,
  path: string,
  method: string,
  operation: OperationObject,
  idVariables: Map<string, string>,
): PostmanItem {
  const parameters = (operation.parameters ?? [])
    .map((raw) => resolveRef<ParameterObject>(document, raw))
    .filter((param): param is ParameterObject => !!param);
  const segments = path.split('/').filter(Boolean);
  const pathVariables = parameters
    .filter((param) => param.in === 'path')
    .map((param) => {
      const name = idVariableName(segments, param.name);
      if (!idVariables.has(name)) idVariables.set(name, String(param.example ?? exampleOf(document, param.schema) ?? ''));
      return { key: param.name, value: `{{${name}}}`, description: param.description };
    });
  const query = parameters
    .filter((param) => param.in === 'query')
    .map((param) => ({
      key: param.name,
      value: String(param.example ?? exampleOf(document, param.schema) ?? ''),
      description: param.description,
      disabled: !param.required,
    }));
  const body = jsonMedia(resolveRef<RequestBodyObject>(document, operation.requestBody)?.content);
  const header: PostmanKeyValue[] = [
    { key: 'Accept', value: 'application/json' },
    ...(body ? [{ key: 'Content-Type', value: 'application/json' }] : []),
    ...parameters
      .filter((param) => param.in === 'header')
      .map((param) =>
        param.name.toLowerCase() === 'idempotency-key'
          ? { key: param.name, value: '{{$guid}}', description: param.description }
          : { key: param.name, value: String(param.example ?? ''), description: param.description, disabled: true },
      ),
  ];
  const enabledQuery = query.filter((param) => !param.disabled).map((param) => `${param.key}=${encodeURIComponent(param.value)}`);
  const request: PostmanRequest = {
    method: method.toUpperCase(),
    header,
    url: {
      raw: `{{baseUrl}}/${segments.map(toPostmanSegment).join('/')}${enabledQuery.length ? `?${enabledQuery.join('&')}` : ''}`,
      host: ['{{baseUrl}}'],
      path: segments.map(toPostmanSegment),
      ...(query.length ? { query } : {}),
      ...(pathVariables.length ? { variable: pathVariables } : {}),
    },
    description: operation.description,
    ...(body
      ? {
          body: {
            mode: 'raw' as const,
            raw: JSON.stringify(body.example ?? exampleOf(document, body.schema, { onlyExemplifiedOptionals: true }) ?? {}, null, 2),
            options: { raw: { language: 'json' as const } },
          },
        }
      : {}),
    ...(accessOf(operation).kind === 'public' ? { auth: { type: 'noauth' as const } } : {}),
  };
  const [status, success] = successResponse(document, operation);
  const successMedia = jsonMedia(success?.content);
  return {
    id: operation.operationId ?? `${method} ${path}`,
    name: operation.summary ?? `${method.toUpperCase()} ${path}`,
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
      {
        listen: 'test',
        script: {
          type: 'text/javascript',
          exec: [`pm.test('answers ${status}', function () {`, `  pm.response.to.have.status(${status});`, '});'],
        },
      },
    ],
  };
}

/** `{id}` after `contacts` → `contactId`; `{userId}` after `members` → `memberUserId`. */
function idVariableName(segments: readonly string[], param: string): string {
  const owner = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  return `${camel(singular(owner))}${param.charAt(0).toUpperCase()}${param.slice(1)}`;
}

/** A list request stores the fields of its first item that id variables of its resource name (`contactId` ← `data[0].id`). */
function fillIdVariables(document: OpenAPIObject, item: PostmanItem, idVariables: Map<string, string>): string[] {
  const operation = operationsOf(document).find(({ operation: candidate }) => candidate.operationId === item.id)?.operation;
  if (!operation || item.request.method !== 'GET' || !isPage(document, successSchema(operation))) return [];
  const staticSegments = item.request.url.path.filter((segment) => !segment.startsWith(':'));
  const prefix = camel(singular(staticSegments[staticSegments.length - 1] ?? ''));
  const fields = [...idVariables.keys()]
    .filter((name) => name.startsWith(prefix) && /^[A-Z]/.test(name.slice(prefix.length)))
    .map((name) => [name, `${name.charAt(prefix.length).toLowerCase()}${name.slice(prefix.length + 1)}`] as const);
  if (fields.length === 0) return [];
  return [
    'var page = pm.response.code === 200 ? pm.response.json() : undefined;',
    'if (page && Array.isArray(page.data) && page.data.length > 0) {',
    ...fields.map(
      ([name, field]) => `  if (page.data[0].${field} !== undefined) pm.collectionVariables.set('${name}', String(page.data[0].${field}));`,
    ),
    '}',
  ];
}

function successResponse(document: OpenAPIObject, operation: OperationObject): [number, ResponseObject | undefined] {
  const entry = Object.entries(operation.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
  if (!entry) return [200, undefined];
  return [Number(entry[0]), resolveRef<ResponseObject>(document, entry[1])];
}

function jsonMedia(content: Record<string, MediaTypeObject> | undefined): MediaTypeObject | undefined {
  const entry = Object.entries(content ?? {}).find(([type]) => type.includes('json'));
  return entry && !isReference(entry[1]) ? entry[1] : undefined;
}

function toPostmanSegment(segment: string): string {
  return segment.replace(/^\{(.+)\}$/, ':$1');
}

function camel(kebab: string): string {
  return kebab.replace(/[-_ ]+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The same collection id for every version, so importing a newer export replaces the older one. */
function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
