import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/** Local stand-ins for Sentry's envelope endpoint and an OTLP/HTTP trace collector (test helpers, not specs). */

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The decoded (decompressed) body as text. */
  readonly text: string;
}

export interface Receiver {
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

function decode(raw: Buffer, encoding: string | undefined): string {
  if (encoding === 'gzip') return gunzipSync(raw).toString('utf8');
  if (encoding === 'deflate') return inflateSync(raw).toString('utf8');
  return raw.toString('utf8');
}

/** An HTTP server that records every request and answers 200 `{}` to the paths `accepts` matches (404 otherwise). */
export async function startReceiver(accepts: RegExp): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        text: decode(Buffer.concat(chunks), request.headers['content-encoding']),
      });
      const ok = request.method === 'POST' && accepts.test(request.url ?? '');
      response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `read` until it returns a value satisfying `done`, or the timeout passes; returns the last value. */
export async function pollFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = read();
  }
  return value;
}

// ---- Sentry envelopes: `header\nitem-header\nitem-payload\n...` (newline-separated JSON) ----

export interface EnvelopeItem {
  readonly header: { readonly type: string; readonly length?: number } & Record<string, unknown>;
  readonly payload: unknown;
}

export interface Envelope {
  readonly header: Record<string, unknown>;
  readonly items: EnvelopeItem[];
  /** The whole envelope as received, for "contains none of" checks. */
  readonly text: string;
}

export function parseEnvelope(text: string): Envelope {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0]) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  for (let i = 1; i < lines.length; i += 2) {
    if (lines[i].trim() === '') continue;
    const itemHeader = JSON.parse(lines[i]) as EnvelopeItem['header'];
    const body = lines[i + 1] ?? '';
    items.push({ header: itemHeader, payload: body.trim() === '' ? undefined : (JSON.parse(body) as unknown) });
  }
  return { header, items, text };
}

export interface SentryEvent {
  readonly event_id: string;
  readonly release?: string;
  readonly environment?: string;
  readonly tags?: Record<string, string>;
  readonly exception?: { values?: { type?: string; value?: string }[] };
}

/** Every `event` item (errors, not transactions or client reports) the fake Sentry received. */
export function sentryEvents(receiver: Receiver): { event: SentryEvent; envelope: Envelope }[] {
  return receiver.received
    .filter((request) => /^\/api\/\d+\/envelope\/?/.test(request.url))
    .map((request) => parseEnvelope(request.text))
    .flatMap((envelope) =>
      envelope.items.filter((item) => item.header.type === 'event').map((item) => ({ event: item.payload as SentryEvent, envelope })),
    );
}

// ---- OTLP/HTTP JSON: resourceSpans[].scopeSpans[].spans[] ----

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
  readonly boolValue?: boolean;
  readonly doubleValue?: number;
}

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly scope: string;
  readonly attributes: Record<string, string | number | boolean | undefined>;
}

/** OTLP JSON carries ids as hex (the spec) or base64 (protobuf-JSON mapping): normalise to lowercase hex. */
export function idToHex(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function attributeValue(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

interface OtlpRawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number | string;
  attributes?: { key: string; value: OtlpValue }[];
}

interface OtlpExport {
  resourceSpans?: { scopeSpans?: { scope?: { name?: string }; spans?: OtlpRawSpan[] }[] }[];
}

const KINDS: Record<string, number> = { SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3 };

/** Every span the fake collector received on POST /v1/traces. */
export function otlpSpans(receiver: Receiver): OtlpSpan[] {
  return receiver.received
    .filter((request) => request.method === 'POST' && request.url.startsWith('/v1/traces'))
    .flatMap((request) => (JSON.parse(request.text) as OtlpExport).resourceSpans ?? [])
    .flatMap((resource) => resource.scopeSpans ?? [])
    .flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: idToHex(span.traceId),
        spanId: idToHex(span.spanId),
        parentSpanId: span.parentSpanId ? idToHex(span.parentSpanId) : undefined,
        name: span.name,
        kind: typeof span.kind === 'number' ? span.kind : (KINDS[span.kind] ?? 0),
        scope: scopeSpans.scope?.name ?? '',
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, attributeValue(a.value)])),
      })),
    );
}
