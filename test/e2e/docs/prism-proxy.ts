import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { OpenApiDocument, resolve } from './documentation-rules';
import { freePort } from '../../support/free-port';

/**
 * Stoplight Prism in validation-proxy mode in front of a running Atrium, validating every request
 * and response against the document we serve. With `--errors` Prism answers a request that breaks
 * the document itself (422 `UNPROCESSABLE_ENTITY`, 401 when the security requirement is unmet)
 * without forwarding it, and replaces a response that breaks the document with its own 500
 * problem (`VIOLATIONS`, the findings under `validation`). Either way it sets `sl-violations` and
 * logs a `Violation:` line. A response that really came from Atrium always carries `X-Request-Id`,
 * which is how a Prism-made answer is told apart.
 */

/** The package's own command, as `npx prism` would run it. */
const PRISM = join(__dirname, '../../../node_modules/.bin/prism');

export interface PrismProxy {
  readonly baseUrl: string;
  /** Every log line of Prism that reports a violation. */
  readonly violationLines: string[];
  stop(): Promise<void>;
}

export interface PrismOptions {
  /** Off for requests that are wrong on purpose, so that Atrium's own error answer is what gets validated. */
  readonly validateRequests: boolean;
}

/** Starts `prism proxy <document> <upstream> --errors` on a free port and resolves once it listens. */
export async function startPrismProxy(documentFile: string, upstream: string, options: PrismOptions): Promise<PrismProxy> {
  const port = await freePort();
  const child = spawn(
    PRISM,
    [
      'proxy',
      documentFile,
      upstream,
      '--errors',
      `--validate-request=${String(options.validateRequests)}`,
      '--cors=false',
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  const violationLines: string[] = [];
  let log = '';
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      for (const line of text.split('\n')) if (/violation/i.test(line)) violationLines.push(line.trim());
      if (/Prism is listening on/.test(log)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`prism exited with ${String(code)} before listening:\n${log}`)));
  });
  await listening;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    violationLines,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the test
  readonly json: any;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** A body sent as is (for wrong content types and malformed JSON). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A client that sends every request through the proxy and records, per exchange, what Prism
 * found wrong: its `sl-violations` header, its own problem answers, and answers that did not come
 * from Atrium.
 */
export class ProxyClient {
  readonly findings: string[] = [];
  readonly seen: string[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly document: OpenApiDocument,
  ) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Exchange> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const label = `${method} ${path} → ${response.status}`;
    this.seen.push(label);
    const violations = response.headers.get('sl-violations');
    if (violations) this.findings.push(`${label}: sl-violations ${violations}`);
    if (!response.headers.get('x-request-id')) this.findings.push(`${label}: answered by Prism, not Atrium: ${text.slice(0, 2000)}`);
    else this.findings.push(...headerFindings(this.document, method, path, response).map((finding) => `${label}: ${finding}`));
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }
}

/** Headers a client acts on: each one sent must be declared on that response, and each declared as required must be sent. */
const MEANINGFUL_HEADERS = [
  'etag',
  'content-disposition',
  'x-content-sha256',
  'digest',
  'x-signature-key-id',
  'retry-after',
  'idempotent-replayed',
  'www-authenticate',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

function headerFindings(document: OpenApiDocument, method: string, path: string, response: Response): string[] {
  const pathname = path.split('?')[0];
  // A literal segment wins over a parameter, as in the router: /v1/invitations/accept is not /v1/invitations/{id}.
  const operation = Object.keys(document.paths)
    .filter((candidate) => new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname))
    .sort((a, b) => a.split('{').length - b.split('{').length)
    .map((candidate) => document.paths[candidate][method.toLowerCase()])
    .find(Boolean);
  const declared = resolve(document, (operation?.responses as Record<string, unknown> | undefined)?.[String(response.status)]);
  if (!declared) return [`status ${response.status} is not documented`];
  const headers = (declared.headers ?? {}) as Record<string, unknown>;
  const names = new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name]));
  const findings: string[] = [];
  for (const name of MEANINGFUL_HEADERS) if (response.headers.has(name) && !names.has(name)) findings.push(`sends ${name}, not declared`);
  for (const [lower, name] of names) {
    if ((resolve(document, headers[name]) as { required?: boolean } | undefined)?.required && !response.headers.has(lower))
      findings.push(`declares ${name} as required, not sent`);
  }
  return findings;
}
