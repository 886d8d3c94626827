import type { MediaTypeObject, OpenAPIObject, ParameterObject, ReferenceObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger';
import { operationsOf } from './operations';
import { isReference, resolveRef } from './schema-examples';

/**
 * Rewrites what the scan produces into what strict validators (Prism, AJV, generated clients)
 * read the way the server behaves:
 *
 * - a nullable reference: OpenAPI 3.0's `nullable` only widens a `type` in the same schema, so
 *   `{ nullable: true, allOf: [{ $ref }] }` still rejects `null` (the referenced object must hold).
 *   It becomes `oneOf: [{ $ref }, <null only>]`, the form the 3.0.3 clarification of `nullable` gives;
 * - request bodies are closed: the server rejects unknown fields (400), so every object schema of a
 *   body says `additionalProperties: false` unless it declares its own;
 * - a nullable field of a response view is always sent (as `null` when empty: the views declare
 *   `field!: T | null`), so it is required; generated clients then type it `T | null`, not `T | null | undefined`;
 * - optional query parameters carry no `example`: the explorer fills "Try it out" with examples, and
 *   a filled-in filter turns the first list call into an empty page. The example moves to the text.
 */
export function tightenSchemas(document: OpenAPIObject): void {
  rewriteNullableReferences(document);
  requireNullableViewFields(document);
  for (const { operation } of operationsOf(document)) {
    const body = resolveRef<RequestBodyObject>(document, operation.requestBody);
    for (const media of Object.values(body?.content ?? {}) as MediaTypeObject[]) closeObjects(document, media.schema, new Set());
    for (const raw of operation.parameters ?? []) {
      if (isReference(raw)) continue;
      if (raw.in === 'query' && !raw.required) moveExampleToDescription(raw);
    }
  }
}

/** Only `null`: the `enum` makes it refuse every object, `nullable` lets `null` through. */
export const NULL_ONLY: SchemaObject = { type: 'object', nullable: true, enum: [null], description: 'null' };

function rewriteNullableReferences(document: OpenAPIObject): void {
  const stack: unknown[] = [document.components?.schemas, document.paths];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    const schema = node as SchemaObject & ReferenceObject;
    const target = nullableTarget(schema);
    if (target) {
      const rest = schema as unknown as Record<string, unknown>;
      for (const key of ['nullable', 'allOf', '$ref', 'type']) delete rest[key];
      schema.oneOf = [target, NULL_ONLY];
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'example' && key !== 'examples') stack.push(child);
  }
}

function requireNullableViewFields(document: OpenAPIObject): void {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (isReference(schema) || !schema.properties || /(Dto|Query)$/.test(name)) continue;
    const nullable = Object.entries(schema.properties)
      .filter(([, property]) => !isReference(property) && (property.nullable === true || property.oneOf?.includes(NULL_ONLY)))
      .map(([property]) => property);
    const required = [...new Set([...(schema.required ?? []), ...nullable])];
    if (required.length > 0) schema.required = required;
  }
}

/** The reference of `{ nullable: true, $ref }` or `{ nullable: true, allOf: [{ $ref }] }`. */
function nullableTarget(schema: SchemaObject & Partial<ReferenceObject>): ReferenceObject | undefined {
  if (schema.nullable !== true) return undefined;
  if (typeof schema.$ref === 'string') return { $ref: schema.$ref };
  if (schema.allOf?.length === 1 && isReference(schema.allOf[0])) return { $ref: schema.allOf[0].$ref };
  return undefined;
}

function closeObjects(document: OpenAPIObject, raw: SchemaObject | ReferenceObject | undefined, seen: Set<object>): void {
  const schema = resolveRef<SchemaObject>(document, raw);
  if (!schema || seen.has(schema)) return;
  seen.add(schema);
  if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  for (const child of Object.values(schema.properties ?? {})) closeObjects(document, child, seen);
  // Not into allOf: closing each part would refuse the other parts' properties.
  for (const part of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) closeObjects(document, part, seen);
  if (schema.items) closeObjects(document, schema.items, seen);
}

function moveExampleToDescription(param: ParameterObject): void {
  const schema = param.schema && !isReference(param.schema) ? param.schema : undefined;
  const example = param.example ?? schema?.example;
  if (example === undefined) return;
  delete param.example;
  if (schema) delete schema.example;
  const text = `For example \`${String(example)}\`.`;
  if (!param.description?.includes(text)) param.description = [param.description, text].filter(Boolean).join(' ');
}
