import { Schema, flatten } from './openapi-document';
import { CaseTarget, HostileCase, JSON_TYPE, baseUrl, hasBody } from './case-target';
import { fieldVariants, filler, serialize, validObject } from './hostile-values';

/** Cases in the request body: the whole body wrong, or one field of an otherwise valid body. */

/** Whole-body cases a route with a JSON object body must refuse (null, non-objects, malformed or deep text, non-JSON media types). */
const REJECTED_BODIES =
  /^(body:(null|array|array-of-valid|string|number|true|whitespace|malformed|trailing-garbage|single-quotes|deep-.*|proto-key|constructor-prototype|lone-surrogate-key|NUL-key|invalid-utf8-bytes|over-body-limit.*)|content-type:(text\/plain|none|form-urlencoded|multipart|octet-stream|xml|garbage))$/;

/** Field variants no schema of the document accepts: ill-formed or NUL strings, out-of-bounds values, non-RFC 3339 dates, wrong types. */
const REJECTED_VARIANTS =
  /^(type:.*|string:(NUL|lone-.*|over-maxLength.*|emoji-over-maxLength.*|variation-selectors-over-maxLength.*)|enum:unknown|email:(malformed|NUL-domain)|uuid:malformed|date:(sql-injection|x 1|impossible|not-rfc3339|bare-number|year-99999)|number:(min-1|max\+1|overflow-1e999|NaN-string).*|array:(over-maxItems.*|lone-surrogate-item|NUL-item)|object:(lone-surrogate-.*|NUL-.*|proto-key|constructor-prototype))$/;

/** API.md's hardening rules name the status of these: 415 for a non-JSON body; 400 for a non-object body, an unknown field, NUL or a lone surrogate. */
const UNSUPPORTED_MEDIA_TYPES = /^content-type:(text\/plain|none|form-urlencoded|multipart|octet-stream|xml)$/;
const NOT_OBJECTS = /^body:(null|array|array-of-valid|string|number|true)$/;
const ILL_FORMED =
  /^(body:(lone-surrogate-key|NUL-key|every-string-.*)|string:(NUL|lone-.*)|email:NUL-domain|array:(lone-surrogate|NUL)-item|object:(lone-surrogate|NUL)-(key|value))$/;

function namedStatus(name: string): number | undefined {
  if (UNSUPPORTED_MEDIA_TYPES.test(name)) return 415;
  if (NOT_OBJECTS.test(name) || ILL_FORMED.test(name) || name === 'unknown-extra') return 400;
  return undefined;
}

const DEEP_LEVELS = 100_000;

/** Sent to an operation that takes a form too, this case is its media type: refused for its content (a 4xx), not with 415. */
const FORM_CASE = 'content-type:form-urlencoded';

/** Whole-body cases: the wrong JSON value, the wrong media type, malformed or deep text. */
export function bodyCases(op: CaseTarget, base: Record<string, unknown>): HostileCase[] {
  const url = baseUrl(op);
  const json = (name: string, payload: string | Buffer, headers: Record<string, string> = JSON_TYPE): HostileCase => ({
    name,
    method: op.method,
    url,
    headers,
    payload,
    transport: 'inject',
    reject: op.body !== undefined && REJECTED_BODIES.test(name),
    expectStatus:
      op.body !== undefined &&
      !(name.startsWith('body:every-string') && Object.keys(base).length === 0) &&
      !(op.takesForm && name === FORM_CASE)
        ? namedStatus(name)
        : undefined,
  });
  const valid = serialize(base);
  const everyString = (text: string) => serialize(Object.fromEntries(Object.keys(base).map((key) => [key, text])));
  return [
    json('body:null', 'null'),
    json('body:array', '[]'),
    json('body:array-of-valid', `[${valid}]`),
    json('body:string', '"x"'),
    json('body:number', '42'),
    json('body:true', 'true'),
    json('body:empty-with-json-type', ''),
    json('body:whitespace', '   '),
    json('body:malformed', '{"a":'),
    json('body:trailing-garbage', `${valid}x`),
    json('body:single-quotes', "{'a':1}"),
    json(`body:deep-array-unclosed(${DEEP_LEVELS})`, '['.repeat(DEEP_LEVELS)),
    json(`body:deep-array-closed(${DEEP_LEVELS})`, '['.repeat(DEEP_LEVELS) + ']'.repeat(DEEP_LEVELS)),
    json(`body:deep-object(${DEEP_LEVELS / 2})`, '{"a":'.repeat(DEEP_LEVELS / 2) + '1' + '}'.repeat(DEEP_LEVELS / 2)),
    json('body:deep-inside-valid', valid.replace(/^\{/, `{"deep":${'['.repeat(1000)}${']'.repeat(1000)},`).replace(/,}$/, '}')),
    json('body:proto-key', `{"__proto__":{"polluted":true}${valid === '{}' ? '' : `,${valid.slice(1, -1)}`}}`),
    json('body:constructor-prototype', '{"constructor":{"prototype":{"polluted":true}}}'),
    json('body:duplicate-keys', valid === '{}' ? '{"a":1,"a":2}' : `{${valid.slice(1, -1)},${valid.slice(1, -1)}}`),
    json('body:every-string-lone-surrogate', everyString('a\ud800b')),
    json('body:every-string-NUL', everyString('a\u0000b')),
    json('body:lone-surrogate-key', serialize({ ...base, ['k\udfff']: 1 })),
    json('body:NUL-key', serialize({ ...base, ['k\u0000']: 1 })),
    json(
      'body:invalid-utf8-bytes',
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')]),
    ),
    json('body:utf8-bom', `\ufeff${valid}`),
    json('body:over-body-limit(2MB)', serialize({ ...base, padding: filler(2 * 1024 * 1024, 'pad') })),
    json('content-type:text/plain', valid, { 'content-type': 'text/plain' }),
    json('content-type:none', valid, {}),
    json(FORM_CASE, 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' }),
    json('content-type:multipart', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', {
      'content-type': 'multipart/form-data; boundary=x',
    }),
    json('content-type:octet-stream', Buffer.from([0, 1, 2, 3]), { 'content-type': 'application/octet-stream' }),
    json('content-type:xml', '<a>1</a>', { 'content-type': 'application/xml' }),
    json('content-type:json-latin1', valid, { 'content-type': 'application/json; charset=latin1' }),
    json('content-type:json-utf16', Buffer.from(valid, 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }),
    json('content-type:garbage', valid, { 'content-type': ';;;/=' }),
    json('content-encoding:gzip-garbage', valid, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
    json('content-encoding:unknown', valid, { ...JSON_TYPE, 'content-encoding': 'x-fuzz' }),
  ];
}

/**
 * One field at a time: missing, then each hostile variant; plus an unknown field. A nested object
 * (organization settings) has its own fields fuzzed inside an otherwise valid body, one level deep.
 */
export function fieldCases(op: CaseTarget, schema: Schema, base: Record<string, unknown>, prefix = ''): HostileCase[] {
  const url = baseUrl(op);
  const wrap = (inner: Record<string, unknown>): unknown => (prefix ? { ...validObject(op.body ?? {}, op.id), [prefix]: inner } : inner);
  const send = (name: string, body: Record<string, unknown>, reject: boolean, kind = name): HostileCase => ({
    name: `field:${prefix ? `${prefix}.` : ''}${name}`,
    method: op.method,
    url,
    headers: JSON_TYPE,
    payload: serialize(wrap(body)),
    transport: 'inject',
    reject,
    expectStatus: namedStatus(kind),
  });
  const cases = [send('unknown-extra', { ...base, unexpectedField: 1 }, true)];
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const property = flatten(raw);
    if (schema.required?.includes(name)) {
      const rest = { ...base };
      delete rest[name];
      cases.push(send(`${name}:missing`, rest, true));
    }
    for (const variant of fieldVariants(property, `${op.id}.${prefix}${name}`)) {
      const reject =
        REJECTED_VARIANTS.test(variant.name) || (variant.name.startsWith('string:very-long') && property.maxLength !== undefined);
      cases.push(send(`${name}:${variant.name}`, { ...base, [name]: variant.value }, reject, variant.name));
    }
    if (property.properties && !prefix) cases.push(...fieldCases(op, property, validObject(property, `${op.id}.${name}`), name));
  }
  return cases;
}

/** A JSON `null` body on a route that takes none: GETs and DELETEs. */
export function strayBodyCases(op: CaseTarget): HostileCase[] {
  if (hasBody(op)) return [];
  return [
    { name: 'stray-body:null', method: op.method, url: baseUrl(op), headers: JSON_TYPE, payload: 'null', transport: 'inject' },
    {
      name: 'stray-body:deep',
      method: op.method,
      url: baseUrl(op),
      headers: JSON_TYPE,
      payload: '['.repeat(DEEP_LEVELS),
      transport: 'inject',
    },
  ];
}

const BURST = 4;

/** A valid body sent several times at once, with and (when documented) without an Idempotency-Key. */
export function burstCases(op: CaseTarget, base: Record<string, unknown>): HostileCase[] {
  const send = (name: string, headers: Record<string, string>): HostileCase => ({
    name,
    method: op.method,
    url: baseUrl(op),
    headers: { ...JSON_TYPE, ...headers },
    payload: serialize(base),
    transport: 'inject',
    burst: BURST,
  });
  const idempotent = op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  return [
    send(`burst:${BURST}-identical`, {}),
    ...(idempotent ? [send(`burst:${BURST}-identical-same-idempotency-key`, { 'idempotency-key': `fuzz-burst-${op.id}` })] : []),
  ];
}
