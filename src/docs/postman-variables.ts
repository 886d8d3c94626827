import type { OpenAPIObject, OperationObject, ParameterObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger';
import { singular, successSchema } from './operations';
import { exampleOf, isReference, resolveRef } from './schema-examples';

/** How the Postman collection names the ids it passes between requests, and what it reads of the document to find them. */

/** An id a detail path takes (`contactId` for `{id}` of `/v1/contacts/{id}`), and where its collection lives. */
export interface IdVariable {
  readonly name: string;
  readonly param: string;
  readonly collectionPath: string;
  readonly example: string;
}

export function pathParams(document: OpenAPIObject, operation: OperationObject): ParameterObject[] {
  return (operation.parameters ?? [])
    .map((raw) => resolveRef<ParameterObject>(document, raw))
    .filter((param): param is ParameterObject => !!param && param.in === 'path');
}

export function register(idVariables: Map<string, IdVariable>, path: string, param: ParameterObject): void {
  const segments = path.split('/').filter(Boolean);
  const name = idVariableName(segments, param.name);
  if (idVariables.has(name)) return;
  const at = segments.indexOf(`{${param.name}}`);
  const schema = param.schema as SchemaObject | undefined;
  const example = param.example ?? schema?.example ?? schema?.enum?.[0] ?? '';
  idVariables.set(name, { name, param: param.name, collectionPath: `/${segments.slice(0, at).join('/')}`, example: String(example) });
}

/** `{id}` after `contacts` → `contactId`; `{userId}` after `members` → `memberUserId`. */
export function idVariableName(segments: readonly string[], param: string): string {
  const owner = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  return `${camel(singular(owner))}${param.charAt(0).toUpperCase()}${param.slice(1)}`;
}

/** The id a create on this path returns, by its last static segment: `/v1/contacts/{id}/activities` → `activityId`. */
export function resourceIdName(path: string): string {
  const statics = path.split('/').filter((segment) => segment && !segment.startsWith('{'));
  return `${camel(singular(statics[statics.length - 1] ?? ''))}Id`;
}

export function topLevelFields(document: OpenAPIObject, operation: OperationObject): string[] {
  return Object.keys(resolveRef<SchemaObject>(document, successSchema(operation))?.properties ?? {});
}

/** The fields of the items of a `{ data: [...] }` response. */
export function listedFields(document: OpenAPIObject, operation: OperationObject): string[] {
  const data = resolveRef<SchemaObject>(document, resolveRef<SchemaObject>(document, successSchema(operation))?.properties?.data);
  const items = data?.type === 'array' ? resolveRef<SchemaObject>(document, data.items) : undefined;
  return Object.keys(items?.properties ?? {});
}

/** The body's own example, else one assembled from its schema's examples (required fields and exemplified optionals). */
export function bodyExampleOf(document: OpenAPIObject, operation: OperationObject): unknown {
  const body = resolveRef<RequestBodyObject>(document, operation.requestBody);
  const media = Object.entries(body?.content ?? {}).find(([type]) => type.includes('json'))?.[1];
  if (!media || isReference(media)) return undefined;
  return media.example ?? exampleOf(document, media.schema, { onlyExemplifiedOptionals: true }) ?? {};
}

export function camel(kebab: string): string {
  return kebab.replace(/[-_ ]+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
