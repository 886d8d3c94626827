import type {
  ComponentsObject,
  MediaTypeObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
  TagObject,
} from '@nestjs/swagger';
import { TAG_DESCRIPTIONS } from './api-description';
import { BEARER_SCHEME, RATE_LIMIT_HEADERS, conventionComponents, ref } from './components';
import { completeDownload, isDownload } from './downloads';
import { completeErrorResponse, missingErrorResponse, requiredErrors } from './error-responses';
import {
  LocatedOperation,
  OperationFacts,
  accessOf,
  accessSentence,
  isPage,
  lastPathParam,
  operationsOf,
  singular,
  successSchema,
} from './operations';
import { exampleOf, isReference, resolveRef } from './schema-examples';
import { tightenSchemas } from './strict-schemas';
import { applyValidatorBounds } from './validator-bounds';
import { splitConditionalBodies } from './conditional-bodies';

/**
 * The one post-processing step between the scan of the controllers and the served document. It
 * adds what follows from facts the document already holds, so controllers stay thin and a new
 * route is documented to the same standard the day it ships:
 *
 * - `x-atrium-access` → the security requirement, 401 (unless public), 403 (permission or
 *   session-only) and a sentence in the description;
 * - path parameters → 400 and 404; query parameters or a body → 400; a body → 413 and 415 and an
 *   example built from the schema's examples; `Idempotency-Key` → 422; `If-Match` → 412;
 *   every `/v1` operation → 429 and the rate-limit headers; `/v1` GETs → `ETag`, `If-None-Match`, 304;
 * - the convention parameters and headers become references to shared components.
 *
 * What a controller declares explicitly is kept; only gaps are filled. Every error response
 * carries the `Problem` schema (`application/problem+json`) with an example.
 */
export function applyApiConventions(document: OpenAPIObject, origin = 'http://127.0.0.1:3000'): OpenAPIObject {
  document.components = mergeComponents(conventionComponents(), document.components ?? {});
  document.security = [{ [BEARER_SCHEME]: [] }];
  document.servers = [{ url: origin, description: 'This server' }];
  // Before the operations: their request examples are built from these schemas.
  applyValidatorBounds(document);
  splitConditionalBodies(document);
  for (const located of operationsOf(document)) applyToOperation(document, located);
  tightenSchemas(document);
  document.tags = documentTags(document);
  dropUnusedResponses(document);
  return document;
}

/** Standard responses no operation references (each was written out with an example of its own). */
function dropUnusedResponses(document: OpenAPIObject): void {
  const responses = document.components?.responses ?? {};
  const used = JSON.stringify(document.paths);
  for (const name of Object.keys(responses)) if (!used.includes(`"#/components/responses/${name}"`)) delete responses[name];
}

const API_PREFIX = '/v1/';
const HEADER_COMPONENTS: Record<string, string> = {
  'idempotency-key': 'IdempotencyKey',
  'if-match': 'IfMatch',
  'if-none-match': 'IfNoneMatch',
};
const PAGE_COMPONENTS: Record<string, string> = { limit: 'PageLimit', cursor: 'PageCursor' };
const STATUS_TEXT: Record<string, string> = {
  '200': 'OK.',
  '201': 'Created.',
  '202': 'Accepted: the work continues in the background.',
  '204': 'Done; no content.',
};

function applyToOperation(document: OpenAPIObject, { path, method, operation }: LocatedOperation): void {
  const access = accessOf(operation);
  const isList = method === 'get' && isPage(document, successSchema(operation));
  if (isList) describeNextCursor(document, successSchema(operation));
  operation.parameters = normalizeParameters(document, operation, path, isList);
  const isIfNoneMatch = (param: ParameterObject | ReferenceObject) => isReference(param) && param.$ref.endsWith('/IfNoneMatch');
  const conditionalGet = sendsEtag(method, path, operation);
  if (!conditionalGet) operation.parameters = operation.parameters.filter((param) => !isIfNoneMatch(param));
  else if (!operation.parameters.some(isIfNoneMatch)) operation.parameters.push(ref.parameter('IfNoneMatch'));
  if (operation.parameters.length === 0) delete operation.parameters;

  const headerNames = new Set(parametersIn(document, operation, 'header').map((param) => param.name.toLowerCase()));
  const facts: OperationFacts = {
    operationId: operation.operationId,
    access,
    isV1: path.startsWith(API_PREFIX),
    hasPathParams: parametersIn(document, operation, 'path').length > 0,
    pathParam: lastPathParam(path),
    hasQueryParams: parametersIn(document, operation, 'query').length > 0,
    hasBody: operation.requestBody !== undefined,
    idempotent: headerNames.has('idempotency-key'),
    conditional: headerNames.has('if-match'),
  };

  if (access.kind === 'public') operation.security = [];
  else if (access.kind === 'authenticated') operation.security = [{ [BEARER_SCHEME]: [] }];
  const sentence = accessSentence(access);
  if (sentence && !operation.description?.includes(sentence)) {
    operation.description = [operation.description, sentence].filter(Boolean).join('\n\n');
  }
  addRequestExamples(document, operation);
  operation.responses = completeResponses(operation, facts, conditionalGet);
}

function normalizeParameters(
  document: OpenAPIObject,
  operation: OperationObject,
  path: string,
  isList: boolean,
): (ParameterObject | ReferenceObject)[] {
  const result: (ParameterObject | ReferenceObject)[] = [];
  const seen = new Set<string>();
  for (const raw of operation.parameters ?? []) {
    const param = resolveRef<ParameterObject>(document, raw);
    if (!param) {
      result.push(raw);
      continue;
    }
    // Header names are case-insensitive: `@Headers('if-match')` and `@ApiHeader({ name: 'If-Match' })` are one parameter.
    const key = `${param.in}:${param.in === 'header' ? param.name.toLowerCase() : param.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const component =
      param.in === 'header'
        ? HEADER_COMPONENTS[param.name.toLowerCase()]
        : param.in === 'query' && isList
          ? PAGE_COMPONENTS[param.name]
          : undefined;
    if (component) result.push(ref.parameter(component));
    else if (param.in === 'path' && !isReference(raw)) result.push(describePathParameter(param, path));
    else result.push(raw);
  }
  return result;
}

/** Ids in paths are UUIDs (a malformed one is 400); say so where the scan could not know. */
function describePathParameter(param: ParameterObject, path: string): ParameterObject {
  if (!/^(id|[a-z][A-Za-z]*Id)$/.test(param.name)) return param;
  const schema = (param.schema && !isReference(param.schema) ? param.schema : { type: 'string' }) as SchemaObject;
  const segments = path.split('/');
  const owner = segments[segments.indexOf(`{${param.name}}`) - 1] ?? 'resource';
  return {
    ...param,
    description: param.description || `Id of the ${singular(owner).replace(/-/g, ' ')}${param.name === 'id' ? '' : ` (${param.name})`}.`,
    schema: { ...schema, type: schema.type ?? 'string', format: schema.format ?? 'uuid' },
  };
}

function parametersIn(document: OpenAPIObject, operation: OperationObject, location: ParameterObject['in']): ParameterObject[] {
  return (operation.parameters ?? [])
    .map((raw) => resolveRef<ParameterObject>(document, raw))
    .filter((param): param is ParameterObject => param?.in === location);
}

function addRequestExamples(document: OpenAPIObject, operation: OperationObject): void {
  const body = resolveRef<RequestBodyObject>(document, operation.requestBody);
  for (const media of Object.values(body?.content ?? {}) as MediaTypeObject[]) {
    if (media.example !== undefined || media.examples !== undefined || !media.schema) continue;
    const example = exampleOf(document, media.schema, { onlyExemplifiedOptionals: true });
    if (example !== undefined) media.example = example;
  }
}

function describeNextCursor(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): void {
  const nextCursor = resolveRef<SchemaObject>(document, schema)?.properties?.nextCursor;
  if (!nextCursor || isReference(nextCursor)) return;
  nextCursor.nullable ??= true;
  nextCursor.description ||= 'Pass it as `cursor` to get the next page; `null` on the last page.';
}

function completeResponses(operation: OperationObject, facts: OperationFacts, conditionalGet: boolean): OperationObject['responses'] {
  const responses: Record<string, ResponseObject | ReferenceObject> = {};
  for (const [status, response] of Object.entries(operation.responses ?? {})) if (response) responses[status] = response;

  for (const [status, response] of Object.entries(responses)) {
    if (isReference(response)) continue;
    if (!response.description) response.description = STATUS_TEXT[status] ?? 'Success.';
    if (/^2\d\d$/.test(status)) {
      response.headers = { ...successHeaders(facts, conditionalGet), ...response.headers };
      completeDownload(operation, response);
    } else if (/^[45]\d\d$/.test(status)) completeErrorResponse(Number(status), response, facts);
  }
  for (const status of requiredErrors(facts)) responses[status] ??= missingErrorResponse(status, facts);
  if (conditionalGet) responses['304'] ??= ref.response('NotModified');
  else delete responses['304'];
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** The ETag hook hashes every JSON 200 of a `/v1` GET; files (downloads) are sent as they are, without one. */
function sendsEtag(method: string, path: string, operation: OperationObject): boolean {
  return method === 'get' && path.startsWith(API_PREFIX) && !isDownload(operation);
}

function successHeaders(facts: OperationFacts, conditionalGet: boolean): Record<string, ReferenceObject> {
  return {
    'X-Request-Id': ref.header('X-Request-Id'),
    ...(conditionalGet ? { ETag: ref.header('ETag') } : {}),
    ...(facts.idempotent ? { 'Idempotent-Replayed': ref.header('Idempotent-Replayed') } : {}),
    ...(facts.isV1 ? Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, ref.header(name)])) : {}),
  };
}

function documentTags(document: OpenAPIObject): TagObject[] {
  const used: string[] = [];
  for (const { operation } of operationsOf(document)) for (const tag of operation.tags ?? []) if (!used.includes(tag)) used.push(tag);
  const declared = new Map((document.tags ?? []).map((tag) => [tag.name, tag]));
  const known = new Map(TAG_DESCRIPTIONS);
  const ordered = [
    ...TAG_DESCRIPTIONS.map(([name]) => name).filter((name) => used.includes(name)),
    ...used.filter((name) => !known.has(name)),
  ];
  return ordered.map((name) => declared.get(name) ?? { name, ...(known.has(name) ? { description: known.get(name) } : {}) });
}

/** Section by section; what the scan produced wins over the conventions' component of the same name. */
function mergeComponents(conventions: ComponentsObject, scanned: ComponentsObject): ComponentsObject {
  const merged: Record<string, unknown> = { ...scanned };
  for (const [section, entries] of Object.entries(conventions)) {
    merged[section] = { ...(entries as object), ...((scanned as Record<string, object | undefined>)[section] ?? {}) };
  }
  return merged as ComponentsObject;
}
