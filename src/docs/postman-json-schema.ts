import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * An OpenAPI schema as the JSON Schema (draft-07) that Postman's `pm.response.to.have.jsonSchema`
 * checks with (Ajv 6 in newman 6 and the Postman app), read as strictly as Prism reads it:
 *
 * - the component schemas it reaches go into `definitions`, references point there;
 * - `nullable: true` adds `null` to the `type` (and `enum`) beside it, and does nothing without a
 *   `type`: OpenAPI 3.0.3 says so, and a strict validator of the document rejects `null` there too;
 * - formats Ajv 6 does not know (`binary`, `int64`, `password`, …) are dropped: it refuses to compile
 *   a schema that names one, instead of ignoring it;
 * - annotations (`example`, `description`, `x-…`) are left out; they validate nothing.
 */

/** What Ajv 6 checks; any other format makes it throw "unknown format". */
const AJV6_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'relative-json-pointer',
]);

const ANNOTATIONS = new Set([
  'example',
  'examples',
  'description',
  'title',
  'deprecated',
  'readOnly',
  'writeOnly',
  'xml',
  'externalDocs',
  'discriminator',
  'nullable',
]);

const COMPONENT_PREFIX = '#/components/schemas/';

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(document: OpenAPIObject, schema: SchemaObject | ReferenceObject): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const pending: string[] = [];
  const reach = (name: string) => {
    if (!(name in definitions) && !pending.includes(name)) pending.push(name);
  };
  const root = convert(schema, reach);
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    const component = document.components?.schemas?.[name];
    definitions[name] = component ? convert(component, reach) : {};
  }
  return Object.keys(definitions).length > 0 ? { ...root, definitions } : root;
}

/** Iterative over the schema tree: a deep document cannot overflow the stack. */
function convert(schema: SchemaObject | ReferenceObject, reach: (component: string) => void): JsonSchema {
  const holder: { root?: JsonSchema } = {};
  const stack: { source: unknown; assign: (value: unknown) => void }[] = [
    { source: schema, assign: (value) => (holder.root = value as JsonSchema) },
  ];
  while (stack.length > 0) {
    const { source, assign } = stack.pop() as (typeof stack)[number];
    if (Array.isArray(source)) {
      const list: unknown[] = [];
      assign(list);
      source.forEach((entry, index) => stack.push({ source: entry, assign: (value) => (list[index] = value) }));
      continue;
    }
    if (typeof source !== 'object' || source === null) {
      assign(source);
      continue;
    }
    const node = source as Record<string, unknown>;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.startsWith(COMPONENT_PREFIX) ? node.$ref.slice(COMPONENT_PREFIX.length) : undefined;
      if (name) reach(name);
      assign({ $ref: name ? `#/definitions/${name}` : node.$ref });
      continue;
    }
    const out: JsonSchema = {};
    assign(out);
    for (const [key, value] of Object.entries(node)) {
      if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
      if (key === 'format' && !AJV6_FORMATS.has(String(value))) continue;
      if (key === 'properties' || key === 'definitions' || key === 'patternProperties') {
        const map: JsonSchema = {};
        out[key] = map;
        for (const [name, child] of Object.entries(value as Record<string, unknown>))
          stack.push({ source: child, assign: (converted) => (map[name] = converted) });
      } else if (['items', 'additionalProperties', 'not', 'allOf', 'oneOf', 'anyOf'].includes(key) && typeof value === 'object') {
        stack.push({ source: value, assign: (converted) => (out[key] = converted) });
      } else {
        out[key] = value;
      }
    }
    exclusiveBoundsAsNumbers(out);
    if (node.nullable === true && out.type !== undefined) allowNull(out);
  }
  return holder.root ?? {};
}

function allowNull(schema: JsonSchema): void {
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  if (!types.includes('null')) schema.type = [...types, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
}

/** OpenAPI 3.0 writes `exclusiveMinimum: true` beside `minimum`; draft-07 wants the bound itself. */
function exclusiveBoundsAsNumbers(schema: JsonSchema): void {
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (schema[flag] === true && typeof schema[bound] === 'number') {
      schema[flag] = schema[bound];
      delete schema[bound];
    } else if (schema[flag] === false) {
      delete schema[flag];
    }
  }
}
