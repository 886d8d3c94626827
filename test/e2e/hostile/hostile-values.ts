import { Schema } from './openapi-document';

/**
 * Values for the fuzz, derived from a schema: one plausible valid value (so that a single mutated
 * field is what the server judges) and the hostile variants of each type. Everything here is
 * deterministic; a run sends the same bytes every time.
 */

/** JSON text spliced into a body verbatim: what `JSON.stringify` cannot produce (`1e999`, `-0`, a `__proto__` key). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Ids that exist nowhere: destructive operations given them change nothing. */
export const ABSENT_UUID_V4 = '6f1c2b9e-3d4a-4e8f-9b7c-5a0d1e2f3a4b';
export const ABSENT_UUID_V7 = '01938f4e-7a2b-7c3d-8e4f-5a6b7c8d9e0f';

export const LONE_HIGH = '\ud800';
export const LONE_LOW = '\udc00';
export const NUL = '\u0000';
export const UNICODE = 'Zoë Łódź 東京 مرحبا 🚀 \u202e';
export const VERY_LONG = 100_000;

/**
 * A letter chosen by `salt`, so that two fields given the same kind of value rarely hold the same
 * text (an organization renamed to exactly what a closure request then confirms would close it).
 */
export function filler(length: number, salt: string): string {
  let hash = 0;
  for (const char of salt) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return String.fromCharCode(0x61 + (hash % 26)).repeat(length);
}

const DEEP_VALUE_LEVELS = 40;

export function deepArray(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

export function deepObject(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** A value the schema accepts, as far as the schema alone can say. */
export function validValue(schema: Schema, salt: string): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return validString(schema, salt);
    case 'integer':
    case 'number':
      return schema.minimum !== undefined ? Math.ceil(schema.minimum) : Math.min(1, schema.maximum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, (_, i) =>
        validValue(schema.items ?? { type: 'string' }, `${salt}${i}`),
      );
    default:
      if (schema.properties) return validObject(schema, salt);
      return schema.example ?? {};
  }
}

function validString(schema: Schema, salt: string): string {
  switch (schema.format) {
    case 'email':
      return `fuzz-${filler(6, salt)}@example.test`;
    case 'uuid':
      return ABSENT_UUID_V4;
    case 'date-time':
      return '2026-11-01T00:00:00Z';
    case 'date':
      return '2026-11-01';
  }
  if (typeof schema.example === 'string') return schema.example;
  return filler(Math.max(schema.minLength ?? 1, 12), salt);
}

/** The required properties with valid values: the base every per-field case mutates one field of. */
export function validObject(schema: Schema, salt: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    result[name] = validValue(schema.properties?.[name] ?? {}, `${salt}.${name}`);
  }
  return result;
}

export interface Variant {
  readonly name: string;
  readonly value: unknown;
}

const v = (name: string, value: unknown): Variant => ({ name, value });

/** Values of the wrong JSON type for `schema`. */
function wrongTypes(schema: Schema): Variant[] {
  const all = [
    v('type:number', 12345),
    v('type:boolean', true),
    v('type:string', 'not-the-right-type'),
    v('type:object', { a: 1 }),
    v('type:array', ['x']),
  ];
  const own = schema.type === 'integer' ? 'number' : schema.type;
  return all.filter((variant) => variant.name !== `type:${own}`);
}

function stringVariants(schema: Schema, salt: string): Variant[] {
  const max = schema.maxLength;
  const variants = [
    v('string:empty', ''),
    v('string:blank', '   '),
    v(`string:very-long(${VERY_LONG})`, filler(VERY_LONG, salt)),
    v('string:NUL', `a${NUL}b`),
    v('string:lone-high-surrogate', schema.format === 'email' ? `a${LONE_HIGH}@x.io` : `a${LONE_HIGH}b`),
    v('string:lone-low-surrogate', `${LONE_LOW}z`),
    v('string:unicode', `${UNICODE} ${filler(1, salt)}`),
  ];
  if (max !== undefined) {
    variants.push(v(`string:at-maxLength(${max})`, filler(max, salt)), v(`string:over-maxLength(${max + 1})`, filler(max + 1, salt)));
    // Lengths in code points (JSON Schema, PostgreSQL) and in UTF-16 units (JavaScript) differ, and
    // validator.js does not count variation selectors at all.
    variants.push(
      v(`string:emoji-at-maxLength(${max})`, filler(1, salt) + '😀'.repeat(max - 1)),
      v(`string:emoji-over-maxLength(${max + 1})`, filler(1, salt) + '😀'.repeat(max)),
      v(`string:variation-selectors-over-maxLength(${2 * max})`, `${filler(1, salt)}\ufe0f`.repeat(max)),
    );
  }
  if (schema.enum) variants.push(v('enum:unknown', 'definitely-not-a-member'), v('enum:upper-case', String(schema.enum[0]).toUpperCase()));
  switch (schema.format) {
    case 'email':
      variants.push(v('email:malformed', 'not-an-email'), v('email:NUL-domain', `a@x${NUL}.io`), v('email:unicode', 'zoë@exämple.test'));
      break;
    case 'uuid':
      variants.push(v('uuid:malformed', 'not-a-uuid'), v('uuid:nil', '00000000-0000-0000-0000-000000000000'), v('uuid:v7', ABSENT_UUID_V7));
      break;
    case 'date-time':
    case 'date':
      variants.push(
        v('date:sql-injection', "' OR '1'='1"),
        v('date:x 1', 'x 1'),
        v('date:impossible', '2026-02-30T25:61:00Z'),
        v('date:not-rfc3339', 'Tue, 01 Dec 2026 00:00:00 GMT'),
        v('date:bare-number', '1'),
        v('date:year-99999', '+099999-01-01T00:00:00Z'),
        v('date:far-past', '0001-01-01T00:00:00Z'),
        v('date:earliest-storable', '1900-01-01T00:00:00Z'),
        v('date:latest-storable', '9999-12-31T23:59:59Z'),
        v('date:offset-past-year-9999', '9999-12-31T23:59:59-12:00'),
        v('date:nanoseconds', '2026-11-01T00:00:00.123456789Z'),
        v('date:leap-second', '2016-12-31T23:59:60Z'),
        v('date:lower-case', '2026-11-01t00:00:00z'),
      );
      break;
  }
  return variants;
}

function numberVariants(schema: Schema): Variant[] {
  const variants = [
    v('number:negative', -1),
    v('number:zero', 0),
    v('number:huge', 1e308),
    v('number:unsafe-integer', new RawJson('9007199254740993')),
    v('number:overflow-1e999', new RawJson('1e999')),
    v('number:negative-zero', new RawJson('-0')),
    v('number:NaN-string', 'NaN'),
    v('number:numeric-string', '12'),
  ];
  if (schema.type === 'integer' || schema.minimum !== undefined) variants.push(v('number:float', 1.5));
  if (schema.minimum !== undefined) variants.push(v(`number:min-1(${schema.minimum - 1})`, schema.minimum - 1));
  if (schema.maximum !== undefined) variants.push(v(`number:max+1(${schema.maximum + 1})`, schema.maximum + 1));
  return variants;
}

function arrayVariants(schema: Schema, salt: string): Variant[] {
  const item = schema.items ?? { type: 'string' };
  const good = validValue(item, salt);
  const variants = [
    v('array:empty', []),
    v('array:null-item', [null]),
    v('array:number-items', [1, 2]),
    v('array:object-item', [{ a: 1 }]),
    v('array:nested-array', [[good]]),
    v('array:duplicates', [good, good]),
    v(
      'array:10000-items',
      Array.from({ length: 10_000 }, (_, i) => `${i}`),
    ),
    v('array:lone-surrogate-item', [`a${LONE_HIGH}`]),
    v('array:NUL-item', [`a${NUL}`]),
    v('array:huge-item', [filler(VERY_LONG, salt)]),
  ];
  if (schema.maxItems !== undefined) {
    const over = Array.from({ length: schema.maxItems + 1 }, (_, i) => (item.type === 'string' && !item.enum ? `item-${i}` : good));
    variants.push(v(`array:over-maxItems(${schema.maxItems + 1})`, over));
  }
  return variants;
}

function objectVariants(): Variant[] {
  const manyKeys = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
  return [
    v('object:empty', {}),
    v(`object:deep(${DEEP_VALUE_LEVELS})`, deepObject(DEEP_VALUE_LEVELS)),
    v('object:deep-array-value', { a: deepArray(DEEP_VALUE_LEVELS) }),
    v('object:1000-keys', manyKeys),
    v('object:lone-surrogate-key', { [`k${LONE_HIGH}`]: 'v' }),
    v('object:lone-surrogate-value', { k: `v${LONE_HIGH}` }),
    v('object:NUL-key', { [`k${NUL}`]: 'v' }),
    v('object:NUL-value', { k: `v${NUL}` }),
    v('object:proto-key', new RawJson('{"__proto__":{"polluted":true}}')),
    v('object:constructor-prototype', new RawJson('{"constructor":{"prototype":{"polluted":true}}}')),
    v('object:overflow-number', new RawJson('{"k":1e999}')),
    v('object:huge-value', { k: filler(VERY_LONG, 'object') }),
  ];
}

/** Every hostile variant of one field: null, wrong types, then what its type invites. */
export function fieldVariants(schema: Schema, salt: string): Variant[] {
  const base = [v('null', null), ...wrongTypes(schema)];
  switch (schema.type) {
    case 'string':
      return [...base, ...stringVariants(schema, salt)];
    case 'integer':
    case 'number':
      return [...base, ...numberVariants(schema)];
    case 'boolean':
      return [...base, v('boolean:string', 'true'), v('boolean:number', 1)];
    case 'array':
      return [...base, ...arrayVariants(schema, salt)];
    default:
      return [...base, ...objectVariants()];
  }
}

/** JSON text of `value` with every RawJson spliced in verbatim. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof RawJson) {
      raws.push(inner.text);
      return `__raw_json_${raws.length - 1}__`;
    }
    return inner;
  });
  return text.replace(/"__raw_json_(\d+)__"/g, (_, index: string) => raws[Number(index)]);
}
