import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problem, titleOf } from './problem-details';
import { SECURITY_HEADERS } from './security-headers';

/**
 * What Fastify and Node's HTTP parser answer before any route, hook or Nest filter runs, written as
 * problem+json like every other error. Both are Fastify factory options (`frameworkErrors`,
 * `clientErrorHandler`), passed where the adapter is created.
 */

/** Fastify's router: a path it cannot decode, or a parameter longer than `maxParamLength`. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, detail] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'URI_TOO_LONG', 'A path parameter is longer than this server accepts.']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'MALFORMED_URL', 'The request path is not valid percent-encoded UTF-8.']
        : [400, 'BAD_REQUEST', 'The request could not be routed.'];
  // Fastify calls this before any onRequest hook, so the headers every response carries are set here.
  void reply
    .status(status)
    .headers(SECURITY_HEADERS)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('x-request-id', request.id)
    .send(problem(status, code, detail, request.id));
}

/**
 * Node's HTTP parser: an unknown method (TRACK), a malformed request line or header, headers too
 * large, a request too slow. There is no request object yet, so the response is written to the
 * socket, which is then closed as Node itself would.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time.']
        : error.code === 'HPE_INVALID_METHOD'
          ? [400, 'UNSUPPORTED_METHOD', 'The request method is not one this server knows.']
          : [400, 'MALFORMED_REQUEST', 'The request is not well-formed HTTP/1.1.'];
  const requestId = randomUUID();
  const body = JSON.stringify(problem(status, code, detail, requestId));
  const headers = { ...SECURITY_HEADERS, 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)) };
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${titleOf(status)}\r\n` +
        Object.entries({ ...headers, 'x-request-id': requestId, connection: 'close' })
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  }
  socket.destroy(error);
}
