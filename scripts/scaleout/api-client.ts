import { Agent, request } from 'node:http';

export interface ApiAnswer {
  /** 0 when no answer came (connection error or timeout). */
  readonly status: number;
  // The run inspects bodies generically (every contact row in them), whatever their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly ms: number;
}

/** A request unanswered this long counts as failed. */
const TIMEOUT_MS = 10_000;

/**
 * The run's own HTTP client: one keep-alive agent (connections reused as a real client's pool
 * would, so haproxy balances requests, not connections), JSON in and out, never throwing.
 */
export class ApiClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(base: string, maxSockets: number) {
    this.base = new URL(base);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  call(method: string, path: string, token?: string, body?: unknown): Promise<ApiAnswer> {
    const started = performance.now();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve) => {
      const done = (status: number, parsed: unknown) => resolve({ status, body: parsed, ms: performance.now() - started });
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => done(0, null));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // Not JSON (haproxy's own 503 page, say): kept as text for the failure sample.
            }
            done(res.statusCode ?? 0, parsed);
          });
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => done(0, error.message));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
