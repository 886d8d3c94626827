import type { OpenAPIObject, OperationObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ACCESS_EXTENSION } from '../tenancy';
import { isReference, resolveRef } from './schema-examples';

/** What an operation's `x-atrium-access` extension says it needs (written by the access decorators). */
export type DocumentedAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly sessionOnly: boolean; readonly permission?: string; readonly beforeMfa?: boolean }
  | { readonly kind: 'undeclared' };

export function accessOf(operation: OperationObject): DocumentedAccess {
  const raw = (operation as unknown as Record<string, unknown>)[ACCESS_EXTENSION] as
    { public?: unknown; sessionOnly?: unknown; permission?: unknown; beforeMfa?: unknown } | undefined;
  if (!raw || typeof raw !== 'object') return { kind: 'undeclared' };
  if (raw.public === true) return { kind: 'public' };
  return {
    kind: 'authenticated',
    sessionOnly: raw.sessionOnly === true,
    ...(typeof raw.permission === 'string' ? { permission: raw.permission } : {}),
    ...(raw.beforeMfa === true ? { beforeMfa: true } : {}),
  };
}

/** One line for humans, appended to the operation's description. */
export function accessSentence(access: DocumentedAccess): string | undefined {
  if (access.kind === 'undeclared') return undefined;
  if (access.kind === 'public') return '**Access:** public; no credentials needed.';
  const who = access.sessionOnly ? 'a user session token (API keys get 403)' : 'a session token or an API key';
  const what = access.permission
    ? ` with the \`${access.permission}\` permission (a role that has it, or an API key with that scope)`
    : ' of the organization';
  return `**Access:** ${who}${what}.`;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface LocatedOperation {
  readonly path: string;
  readonly method: HttpMethod;
  readonly operation: OperationObject;
}

/** Every operation of the document, in document order. */
export function operationsOf(document: { paths: Record<string, Partial<Record<HttpMethod, OperationObject>>> }): LocatedOperation[] {
  const located: LocatedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) located.push({ path, method, operation });
    }
  }
  return located;
}

/** The last path parameter and the collection it names (`{id}` of `/v1/contacts/{id}` → contacts). */
export function lastPathParam(path: string): PathParam | undefined {
  const segments = path.split('/');
  for (let index = segments.length - 1; index > 0; index--) {
    const match = /^\{(.+)\}$/.exec(segments[index]);
    if (match) return { name: match[1], owner: segments[index - 1] };
  }
  return undefined;
}

export interface PathParam {
  readonly name: string;
  readonly owner: string;
}

/** `contacts` → `contact`, `policies` → `policy`: enough English for resource names. */
export function singular(noun: string): string {
  if (/ies$/.test(noun)) return noun.replace(/ies$/, 'y');
  if (/(ss|x|ch|sh)es$/.test(noun)) return noun.replace(/es$/, '');
  if (/[^s]s$/.test(noun)) return noun.slice(0, -1);
  return noun;
}

/** The 2xx response's JSON schema, if any. */
export function successSchema(operation: OperationObject): SchemaObject | ReferenceObject | undefined {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2\d\d$/.test(status) || !response || isReference(response)) continue;
    const json = Object.entries(response.content ?? {}).find(([type]) => type.includes('json'));
    if (json?.[1].schema) return json[1].schema;
  }
  return undefined;
}

/** `{ data: [...], nextCursor }`: a cursor-paginated list. */
export function isPage(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): boolean {
  const resolved = resolveRef<SchemaObject>(document, schema);
  const data = resolveRef<SchemaObject>(document, resolved?.properties?.data);
  return resolved?.properties?.nextCursor !== undefined && data?.type === 'array';
}

/** What the conventions know of an operation, from its path, parameters, body, headers and access. */
export interface OperationFacts {
  readonly operationId?: string;
  readonly access: DocumentedAccess;
  readonly isV1: boolean;
  readonly hasPathParams: boolean;
  /** The last path parameter and the collection it names. */
  readonly pathParam?: PathParam;
  readonly hasQueryParams: boolean;
  readonly hasBody: boolean;
  readonly idempotent: boolean;
  readonly conditional: boolean;
}
