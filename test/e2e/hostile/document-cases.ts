import { HostileCase } from './hostile-cases';
import { ABSENT_UUID_V4, filler } from './hostile-values';
import { FuzzDocument } from './openapi-document';

/**
 * Requests no operation documents: methods a path does not have, methods Node or Fastify do not
 * route (TRACK, PROPFIND), and URLs that are wrong before any parameter is read. They go over a
 * real socket where `inject` could normalise the method or URL.
 */

const ROUTED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Methods outside the document: unknown to Node's parser (TRACK), known to it but never routed (PROPFIND). */
const ODD_METHODS = ['TRACK', 'PROPFIND', 'TRACE', 'MKCOL', 'PURGE', 'SEARCH', 'LOCK'];

/** A few paths stand for all: public, private, with a parameter, and none at all. */
const ODD_METHOD_PATHS = [
  '/v1/auth/login',
  '/v1/contacts',
  `/v1/contacts/${ABSENT_UUID_V4}`,
  '/health/live',
  '/docs/openapi.json',
  '/metrics',
  '/nope',
];

const ODD_URLS: ReadonlyArray<[string, string]> = [
  ['double-slash', '//v1/contacts'],
  ['trailing-slash', '/v1/contacts/'],
  ['dot-segments', '/v1/contacts/../auth/login'],
  ['encoded-dot-segments', '/v1/%2e%2e/health/live'],
  ['bad-percent-in-static-path', '/v1/cont%ZZacts'],
  ['lone-surrogate-in-static-path', '/v1/%ED%A0%80'],
  ['NUL-in-static-path', '/v1/contacts%00'],
  ['semicolon', '/v1/contacts;jsessionid=1'],
  ['very-long-path(12000)', `/v1/${filler(12_000, 'url')}`],
  ['header-overflowing-path(40000)', `/v1/${filler(40_000, 'url')}`],
  ['absolute-form', 'http://evil.example/v1/contacts'],
  ['asterisk-form', '*'],
  ['query-only-garbage', '/v1/contacts?%'],
  ['docs-bad-percent', '/docs/%ZZ'],
  ['docs-NUL', '/docs/openapi.json%00'],
  ['docs-traversal', '/docs/assets/..%2F..%2F..%2Fpackage.json'],
  ['docs-conditional-garbage', '/docs/openapi.json?%E0%A4%A'],
  ['query-thousands-of-params', `/v1/contacts?${Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&')}`],
];

const HOST = 'Host: 127.0.0.1\r\nConnection: close\r\n';

/** Malformed HTTP/1.1 itself, for Node's parser (and the client-error handler) to refuse. */
const RAW_REQUESTS: ReadonlyArray<[string, string | Buffer]> = [
  ['content-length-not-a-number', `POST /v1/auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`],
  [
    'content-length-and-chunked',
    `POST /v1/auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  ],
  [
    'bad-chunk-size',
    `POST /v1/auth/login HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  ],
  ['header-without-colon', `GET /health/live HTTP/1.1\r\n${HOST}NotAHeader\r\n\r\n`],
  ['NUL-in-header', `GET /health/live HTTP/1.1\r\n${HOST}X-Request-Id: a\u0000b\r\n\r\n`],
  ['unknown-http-version', `GET /health/live HTTP/9.9\r\n${HOST}\r\n`],
  ['space-in-uri', `GET /v1/contacts x HTTP/1.1\r\n${HOST}\r\n`],
  [
    'raw-non-ascii-in-path',
    Buffer.concat([Buffer.from('GET /v1/contacts/'), Buffer.from([0xff, 0xfe]), Buffer.from(` HTTP/1.1\r\n${HOST}\r\n`)]),
  ],
  ['header-section-over-16KB', `GET /health/live HTTP/1.1\r\n${HOST}X-Fuzz: ${filler(40_000, 'raw')}\r\n\r\n`],
];

export function documentCases(document: FuzzDocument): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const path of document.paths) {
    const documented = new Set(document.operations.filter((op) => op.path === path).map((op) => op.method));
    const url = path.replace(/\{[^}]+\}/g, ABSENT_UUID_V4);
    for (const method of ROUTED_METHODS.filter((m) => !documented.has(m))) {
      cases.push({ name: `undocumented-method:${method}`, method, url, headers: {}, transport: 'inject' });
    }
  }
  for (const path of ODD_METHOD_PATHS) {
    for (const method of ODD_METHODS) {
      cases.push({ name: `odd-method:${method}`, method, url: path, headers: {}, transport: 'socket' });
    }
  }
  for (const [label, url] of ODD_URLS) {
    cases.push({ name: `odd-url:${label}`, method: 'GET', url, headers: {}, transport: 'socket' });
  }
  for (const [label, payload] of RAW_REQUESTS) {
    cases.push({
      name: `raw-http:${label}`,
      method: 'RAW',
      url: '(raw request)',
      headers: {},
      payload,
      transport: 'raw',
      ownAuthorization: true,
    });
  }
  return cases;
}
