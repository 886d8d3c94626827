import { connect } from 'node:net';

/** What a spec needs of a response, from `app.inject` or from a raw socket. */
export interface ResponseLike {
  readonly statusCode?: number;
  readonly status?: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/**
 * Asserts an RFC 9457 problem+json answer with `status` and `code`, whose requestId is the one in
 * the `X-Request-Id` header; returns the parsed body.
 */
export function expectProblem(response: ResponseLike, status: number, code: string): Record<string, unknown> {
  expect({ status: response.statusCode ?? response.status, body: response.body.slice(0, 300) }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:atrium:problem:/), title: expect.any(String) });
  expect(body.requestId).toEqual(expect.any(String));
  expect(body.requestId).toBe(response.headers['x-request-id']);
  return body;
}

/**
 * Sends `request` as raw bytes to 127.0.0.1:`port` and reads the answer until the server closes
 * the connection or the body is complete: for requests no HTTP client would send (unknown
 * methods, bad encodings) and that `inject` would normalise.
 */
export function rawRequest(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = Buffer.alloc(0);
    const parse = () => {
      const text = received.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const body = text.slice(end + 4);
      const length = Number(headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && Buffer.byteLength(body) < length) return undefined;
      return { status: Number(statusLine.split(' ')[1]), headers, body };
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = parse();
      if (response) {
        socket.destroy();
        resolve(response);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const response = parse();
      if (response) resolve(response);
      else reject(new Error(`connection closed without a complete response: ${received.toString('utf8').slice(0, 200)}`));
    });
  });
}
