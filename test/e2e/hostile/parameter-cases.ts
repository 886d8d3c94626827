import { Parameter } from './openapi-document';
import { CaseTarget, HostileCase, JSON_TYPE, baseUrl, fillPath, hasBody, queryString } from './case-target';
import { ABSENT_UUID_V4, filler, serialize, validObject } from './hostile-values';

/** Cases in the URL and headers: malformed path and query values, garbage headers and credentials. */

const RAW_PATH_VALUES: ReadonlyArray<[string, string]> = [
  ['malformed', 'not-a-uuid'],
  ['integer', '1'],
  ['negative', '-1'],
  ['sql', encodeURIComponent("' OR '1'='1")],
  ['upper-case-uuid', ABSENT_UUID_V4.toUpperCase()],
  ['nil-uuid', '00000000-0000-0000-0000-000000000000'],
  ['braced-uuid', `%7B${ABSENT_UUID_V4}%7D`],
  ['long(1200)', filler(1200, 'path')],
  ['very-long(20000)', filler(20_000, 'path')],
  ['NUL', '%00'],
  ['NUL-inside', `${ABSENT_UUID_V4.slice(0, 8)}%00${ABSENT_UUID_V4.slice(8)}`],
  ['bad-percent-truncated', '%E0%A4%A'],
  ['bad-percent-lone', '%'],
  ['bad-percent-hex', '%ZZ'],
  ['lone-surrogate-encoded', '%ED%A0%80'],
  ['overlong-utf8', '%C0%AF'],
  ['encoded-slash', '..%2F..%2Fetc%2Fpasswd'],
  ['unicode', '%C3%BC%F0%9F%9A%80'],
];

export function pathCases(op: CaseTarget): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const param of op.parameters.filter((p) => p.in === 'path')) {
    for (const [label, raw] of RAW_PATH_VALUES) {
      const url = fillPath(op, { name: param.name, raw }) + queryString(op);
      const onSocketToo = raw.includes('%') || raw.length > 100;
      const base = { method: op.method, url, headers: hasBody(op) ? JSON_TYPE : {}, payload: hasBody(op) ? '{}' : undefined };
      cases.push({ ...base, name: `path:${param.name}:${label}`, transport: 'inject' });
      if (onSocketToo) cases.push({ ...base, name: `path:${param.name}:${label} (socket)`, transport: 'socket' });
    }
  }
  return cases;
}

function queryValues(param: Parameter): Array<[string, string]> {
  const values: Array<[string, string]> = [
    ['empty', ''],
    ['wrong-type', 'abc'],
    ['float', '1.5'],
    ['negative', '-1'],
    ['zero', '0'],
    ['huge', '99999999999999999999999'],
    ['exponent', '1e999'],
    ['long(5000)', filler(5000, param.name)],
    ['NUL', '%00'],
    ['NUL-inside', 'a%00b'],
    ['bad-percent-truncated', '%E0%A4%A'],
    ['bad-percent-lone', '%'],
    ['lone-surrogate-encoded', '%ED%A0%80'],
    ['sql', encodeURIComponent("' OR '1'='1")],
    ['x 1', 'x%201'],
    ['unicode', '%C3%BC%F0%9F%9A%80'],
    ['like-wildcards', '%25_%5C'],
    ['trailing-backslash', 'a%5C'],
    ['regex-meta', '%5B(%2A%3F'],
    ['tsquery-meta', 'a%20%26%20%7C%20!%3A*'],
  ];
  if (param.schema.format === 'date-time' || param.schema.format === 'date') {
    values.push(['impossible-date', '2026-02-30T25%3A61%3A00Z'], ['http-date', encodeURIComponent('Tue, 01 Dec 2026 00:00:00 GMT')]);
  }
  if (param.name === 'cursor') {
    values.push(
      ['garbage-base64', '!!!!'],
      ['base64-null', Buffer.from('null').toString('base64url')],
      ['base64-array', Buffer.from('[1,2]').toString('base64url')],
      ['base64-wrong-types', Buffer.from('{"id":1e999,"createdAt":"x 1","sortKey":{"a":1}}').toString('base64url')],
      ['base64-deep', Buffer.from('['.repeat(5000)).toString('base64url')],
      ['charset-at-limit(400)', filler(400, 'cursor')],
      ['absent-id', Buffer.from(JSON.stringify({ id: ABSENT_UUID_V4 })).toString('base64url')],
      ['NUL-id', Buffer.from(JSON.stringify({ id: `${ABSENT_UUID_V4}\u0000` })).toString('base64url')],
      ['lone-surrogate-id', Buffer.from(`{"id":"${ABSENT_UUID_V4}\\ud800"}`).toString('base64url')],
    );
  }
  return values;
}

/** Values of a typed query parameter (date-time, uuid, bounded number, enum) that are not of its type. */
function queryRejects(param: Parameter, label: string): boolean {
  const { format, type, enum: members, minimum, maximum } = param.schema;
  if (['empty', 'no-value', 'repeated', 'bracket-array', 'bracket-object'].includes(label)) return false;
  if (format === 'date-time' || format === 'uuid' || members) return true;
  if (type !== 'integer' && type !== 'number') return false;
  if (label === 'float') return type === 'integer';
  if (label === 'negative') return minimum !== undefined && minimum > -1;
  if (label === 'zero') return minimum !== undefined && minimum > 0;
  if (label === 'huge') return maximum !== undefined;
  return true;
}

export function queryCases(op: CaseTarget): HostileCase[] {
  const cases: HostileCase[] = [];
  const headers = hasBody(op) ? JSON_TYPE : {};
  const payload = hasBody(op) ? '{}' : undefined;
  for (const param of op.parameters.filter((p) => p.in === 'query')) {
    const name = encodeURIComponent(param.name);
    const push = (label: string, raw: string) => {
      const url = fillPath(op) + queryString(op, { name: param.name, raw });
      const onSocketToo = raw.includes('%') || raw.length > 1000;
      const reject = queryRejects(param, label);
      cases.push({ name: `query:${param.name}:${label}`, method: op.method, url, headers, payload, transport: 'inject', reject });
      if (onSocketToo)
        cases.push({ name: `query:${param.name}:${label} (socket)`, method: op.method, url, headers, payload, transport: 'socket' });
    };
    for (const [label, value] of queryValues(param)) push(label, `${name}=${value}`);
    push('repeated', `${name}=1&${name}=2`);
    push('bracket-array', `${name}[]=1`);
    push('bracket-object', `${name}[a]=1`);
    push('no-value', name);
  }
  return cases;
}

const HEADER_GARBAGE: ReadonlyArray<[string, string]> = [
  ['empty', ''],
  ['long(8000)', filler(8000, 'header')],
  ['latin1', 'caf\u00e9'],
  ['quotes', '"unterminated'],
  ['script', '<script>alert(1)</script>'],
];

export function headerCases(op: CaseTarget): HostileCase[] {
  const url = baseUrl(op);
  const body = hasBody(op) ? { payload: serialize(validObject(op.body ?? {}, op.id)) } : {};
  const cases: HostileCase[] = [];
  const push = (name: string, headers: Record<string, string>, extra: Partial<HostileCase> = {}) =>
    cases.push({
      name,
      method: op.method,
      url,
      headers: { ...(hasBody(op) ? JSON_TYPE : {}), ...headers },
      ...body,
      transport: 'inject',
      ...extra,
    });
  const documented = new Set(op.parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
  for (const [label, value] of HEADER_GARBAGE) push(`header:x-request-id:${label}`, { 'x-request-id': value });
  if (documented.has('idempotency-key')) {
    for (const [label, value] of [...HEADER_GARBAGE, ['over-maxLength(256)', filler(256, 'idem')]])
      push(`header:idempotency-key:${label}`, { 'idempotency-key': value });
  }
  for (const header of ['if-match', 'if-none-match'].filter((h) => documented.has(h))) {
    for (const [label, value] of [
      ...HEADER_GARBAGE,
      ['weak-prefix-only', 'W/'],
      ['star', '*'],
      ['long-list', '"a", '.repeat(1000) + '"b"'],
    ]) {
      push(`header:${header}:${label}`, { [header]: value });
    }
  }
  push('header:accept-xml', { accept: 'application/xml' });
  push('header:accept-garbage', { accept: ';;q=foo, */*;q=2' });
  const tokens: Array<[string, string]> = [
    ['bearer-empty', 'Bearer '],
    ['bearer-garbage', 'Bearer garbage'],
    ['bearer-unknown-api-key', `Bearer atr_${filler(43, 'atr')}`],
    ['bearer-api-key-long', `Bearer atr_${filler(4000, 'atr')}`],
    ['bearer-invitation-shape', `Bearer inv_${filler(43, 'inv')}`],
    ['bearer-latin1', 'Bearer caf\u00e9'],
    ['basic', 'Basic Zm9vOmJhcg=='],
    ['no-scheme', filler(64, 'tok')],
  ];
  for (const [label, value] of tokens) push(`header:authorization:${label}`, { authorization: value }, { ownAuthorization: true });
  return cases;
}
