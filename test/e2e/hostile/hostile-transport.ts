import { request } from 'node:http';
import { connect } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HostileCase } from './hostile-cases';

/** Sending a hostile case, in-process or over a real socket, and judging the answer. */

export interface Reply {
  /** 0 when no HTTP response came back at all. */
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface Origin {
  readonly host: string;
  readonly port: number;
}

function withAuthorization(hostile: HostileCase, authorization: string | undefined): Record<string, string> {
  return authorization ? { ...hostile.headers, authorization } : { ...hostile.headers };
}

/** Longer than any honest answer takes here; a request left hanging is a finding, not a stuck run. */
const ANSWER_TIMEOUT_MS = 15_000;

export async function sendInject(app: NestFastifyApplication, hostile: HostileCase, authorization?: string): Promise<Reply> {
  let timer: NodeJS.Timeout | undefined;
  const hanging = new Promise<Reply>((resolve) => {
    timer = setTimeout(() => resolve({ status: 0, contentType: '', body: `no answer within ${ANSWER_TIMEOUT_MS} ms` }), ANSWER_TIMEOUT_MS);
  });
  const answered = app
    .inject({
      method: hostile.method as 'GET',
      url: hostile.url,
      headers: withAuthorization(hostile, authorization),
      payload: hostile.payload,
    })
    .then(
      (response): Reply => ({
        status: response.statusCode,
        contentType: String(response.headers['content-type'] ?? ''),
        body: response.body,
      }),
      (error: Error): Reply => ({ status: 0, contentType: '', body: `inject failed: ${error.message}` }),
    );
  try {
    return await Promise.race([answered, hanging]);
  } finally {
    clearTimeout(timer);
  }
}

const SOCKET_TIMEOUT_MS = ANSWER_TIMEOUT_MS;

/** One request on its own connection, the URL byte for byte as given (node:http does not re-encode a path). */
export function sendSocket(origin: Origin, hostile: HostileCase, authorization?: string): Promise<Reply> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reply: Reply) => {
      if (!settled) {
        settled = true;
        resolve(reply);
      }
    };
    const headers = withAuthorization(hostile, authorization);
    if (hostile.payload !== undefined) headers['content-length'] = String(Buffer.byteLength(hostile.payload));
    const outgoing = request(
      {
        host: origin.host,
        port: origin.port,
        method: hostile.method,
        path: hostile.url,
        headers,
        agent: false,
        timeout: SOCKET_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          finish({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error) => finish({ status: 0, contentType: '', body: `response error: ${error.message}` }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${SOCKET_TIMEOUT_MS} ms`)));
    outgoing.on('error', (error) => finish({ status: 0, contentType: '', body: `no HTTP response: ${error.message}` }));
    outgoing.end(hostile.payload);
  });
}

/** Reads a whole HTTP/1.1 response off `text` (the server closes after it): status, content-type, body (de-chunked). */
function parseRawResponse(text: string): Reply {
  const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  if (!match) return { status: 0, contentType: '', body: `unparseable response: ${JSON.stringify(text.slice(0, 120))}` };
  const headers = Object.fromEntries(
    match[2].split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let body = match[3];
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    let rest = body;
    body = '';
    for (let size = parseInt(rest, 16); size > 0; size = parseInt(rest, 16)) {
      const start = rest.indexOf('\r\n') + 2;
      body += rest.slice(start, start + size);
      rest = rest.slice(start + size + 2);
    }
  }
  return { status: Number(match[1]), contentType: headers['content-type'] ?? '', body };
}

/** Writes `payload` as the entire request and reads until the server closes the connection. */
export function sendRaw(origin: Origin, payload: Buffer | string): Promise<Reply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(origin.port, origin.host, () => socket.end(payload));
    socket.setTimeout(SOCKET_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${SOCKET_TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve(text ? parseRawResponse(text) : { status: 0, contentType: '', body: 'connection closed without a response' });
    });
  });
}

const PROBLEM_FIELDS: ReadonlyArray<[string, string]> = [
  ['type', 'string'],
  ['title', 'string'],
  ['status', 'number'],
  ['code', 'string'],
  ['requestId', 'string'],
];

/** What is wrong with an answer, or undefined: never >= 500 (a 503 included: the database is up), every 4xx problem+json. */
export function judge(reply: Reply, method: string): string | undefined {
  if (reply.status === 0) return 'no HTTP response';
  if (reply.status >= 500) return `server error ${reply.status}`;
  if (reply.status < 400 || method === 'HEAD') return undefined;
  if (!/^application\/problem\+json\b/.test(reply.contentType)) return `4xx with content-type "${reply.contentType}"`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(reply.body) as Record<string, unknown>;
  } catch {
    return '4xx problem+json whose body is not JSON';
  }
  if (body === null || typeof body !== 'object') return '4xx problem+json whose body is not an object';
  const missing = PROBLEM_FIELDS.filter(([field, type]) => typeof body[field] !== type).map(([field]) => field);
  if (missing.length > 0) return `problem without ${missing.join(', ')}`;
  if (body.status !== reply.status) return `problem status ${String(body.status)} differs from HTTP ${reply.status}`;
  return undefined;
}
