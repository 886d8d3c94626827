import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * Example values built from the schemas' own `example`s, for request bodies (the explorer's
 * "try it out" and the Postman bodies) and for the Postman saved responses. A property without an
 * example gets a plausible value from its format or type, so an example is never missing a field.
 */

const MAX_DEPTH = 8;

const SAMPLE_BY_FORMAT: Record<string, string> = {
  uuid: '0193a3c2-7b1e-7cc0-8f00-123456789abc',
  'date-time': '2026-11-27T09:30:00.000Z',
  date: '2026-11-27',
  email: 'ada@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  hostname: 'example.com',
};

export function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}

/** Follows a local `#/components/...` reference; undefined when it points nowhere. */
export function resolveRef<T>(document: OpenAPIObject, value: T | ReferenceObject | undefined): T | undefined {
  let current: unknown = value;
  for (let hops = 0; isReference(current) && hops < MAX_DEPTH; hops++) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    current = path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      document,
    );
  }
  return isReference(current) ? undefined : (current as T | undefined);
}

export interface ExampleOptions {
  /**
   * Leave out optional properties that have no example of their own. For request bodies: a made-up
   * value in an optional field (an organization id, a company id) would make the example fail.
   */
  readonly onlyExemplifiedOptionals?: boolean;
}

/** An example of `schema`: its own example, else one assembled from its parts. */
export function exampleOf(
  document: OpenAPIObject,
  schema: SchemaObject | ReferenceObject | undefined,
  options: ExampleOptions = {},
  depth = 0,
): unknown {
  const resolved = resolveRef<SchemaObject>(document, schema);
  if (!resolved || depth > MAX_DEPTH) return undefined;
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.enum && resolved.enum.length > 0) return resolved.enum[0];
  if (resolved.allOf) {
    const parts = resolved.allOf.map((part) => exampleOf(document, part, options, depth + 1));
    if (parts.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part)))
      return Object.assign({}, ...parts) as object;
    return parts.find((part) => part !== undefined);
  }
  const alternative = resolved.oneOf?.[0] ?? resolved.anyOf?.[0];
  if (alternative) return exampleOf(document, alternative, options, depth + 1);
  if (resolved.type === 'object' || resolved.properties) return objectExample(document, resolved, options, depth);
  if (resolved.type === 'array') {
    const item = exampleOf(document, resolved.items, options, depth + 1);
    return item === undefined ? [] : [item];
  }
  return scalarExample(resolved);
}

function objectExample(document: OpenAPIObject, schema: SchemaObject, options: ExampleOptions, depth: number): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (options.onlyExemplifiedOptionals && !schema.required?.includes(name) && !hasOwnExample(document, property)) continue;
    const value = exampleOf(document, property, options, depth + 1);
    if (value !== undefined) example[name] = value;
  }
  return example;
}

function hasOwnExample(document: OpenAPIObject, schema: SchemaObject | ReferenceObject): boolean {
  const resolved = resolveRef<SchemaObject>(document, schema);
  if (!resolved) return false;
  if (resolved.example !== undefined || resolved.default !== undefined) return true;
  if (resolved.allOf?.some((part) => hasOwnExample(document, part))) return true;
  return Object.values(resolved.properties ?? {}).some((property) => hasOwnExample(document, property));
}

function scalarExample(schema: SchemaObject): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string': {
      const sample = schema.format ? SAMPLE_BY_FORMAT[schema.format] : undefined;
      if (sample) return sample;
      const length = Math.max(schema.minLength ?? 0, 6);
      return 'string'.padEnd(length, 'x').slice(0, schema.maxLength ?? length);
    }
    default:
      return undefined;
  }
}
