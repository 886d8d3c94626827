import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The served OpenAPI document as the hostile-input fuzz reads it: every operation with its
 * parameters and request body, `$ref`s resolved, so cases are generated from what the document
 * promises and a new route is fuzzed the day it ships.
 */

export interface Schema {
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly example?: unknown;
  readonly default?: unknown;
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: Schema;
}

export interface FuzzOperation {
  readonly id: string;
  readonly method: string;
  /** OpenAPI path template, e.g. `/v1/contacts/{id}`. */
  readonly path: string;
  readonly isPublic: boolean;
  readonly parameters: readonly Parameter[];
  /** The JSON request body schema, when the operation documents one. */
  readonly body?: Schema;
  /** The operation also takes an HTML form (`application/x-www-form-urlencoded`: the SAML assertion consumer). */
  readonly takesForm?: boolean;
}

export interface FuzzDocument {
  readonly operations: readonly FuzzOperation[];
  /** Every path template of the document, for methods it does not document. */
  readonly paths: readonly string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Json = unknown;

/** Resolves every local `$ref` (`#/components/...`); a cycle stops at the second visit with `{}`. */
function resolve(document: Json, node: Json, visiting: ReadonlySet<string> = new Set()): Json {
  if (Array.isArray(node)) return node.map((item) => resolve(document, item, visiting));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (visiting.has(ref)) return {};
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json>((at, key) => (at as Record<string, Json> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return resolve(document, target, new Set([...visiting, ref]));
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(document, value, visiting)]));
}

/** `allOf` merged into one object schema; the first `oneOf`/`anyOf` branch stands for the union. */
export function flatten(schema: Schema | undefined): Schema {
  if (!schema) return {};
  let merged: Schema = { ...schema };
  for (const part of schema.allOf ?? []) {
    const flat = flatten(part);
    merged = {
      ...flat,
      ...merged,
      properties: { ...flat.properties, ...merged.properties },
      required: [...(flat.required ?? []), ...(merged.required ?? [])],
    };
  }
  const union = schema.oneOf ?? schema.anyOf;
  if (union && union.length > 0) merged = { ...flatten(union[0]), ...merged, oneOf: undefined, anyOf: undefined };
  return merged;
}

/** GET /docs/openapi.json of the running app, read into operations. */
export async function loadFuzzDocument(app: NestFastifyApplication): Promise<FuzzDocument> {
  const response = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`GET /docs/openapi.json answered ${response.statusCode}`);
  const raw = response.json() as Json;
  const document = resolve(raw, raw) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = (item.parameters as unknown as Parameter[] | undefined) ?? [];
    for (const [key, op] of Object.entries(item)) {
      if (!METHODS.includes(key)) continue;
      const parameters = [...shared, ...((op.parameters as Parameter[] | undefined) ?? [])].map((p) => ({
        ...p,
        required: p.required === true,
        schema: flatten(p.schema),
      }));
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      const access = op['x-atrium-access'] as { public?: boolean } | undefined;
      operations.push({
        id: typeof op.operationId === 'string' ? op.operationId : `${key} ${path}`,
        method: key.toUpperCase(),
        path,
        isPublic: access?.public === true,
        parameters,
        body: content?.['application/json'] ? flatten(content['application/json'].schema) : undefined,
        takesForm: content?.['application/x-www-form-urlencoded'] !== undefined,
      });
    }
  }
  return { operations, paths: Object.keys(document.paths) };
}
