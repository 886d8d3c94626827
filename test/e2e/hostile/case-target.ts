import { FuzzOperation, Parameter } from './openapi-document';
import { ABSENT_UUID_V4, validValue } from './hostile-values';

/**
 * A hostile request, and the valid URL of an operation that each case spoils one part of. A case is
 * sent through `inject` unless its URL or method is something `inject` might normalise, then over a
 * real socket.
 */

export interface HostileCase {
  readonly name: string;
  readonly method: string;
  /** Path and query exactly as sent, percent-encoding included. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload?: string | Buffer;
  /** `raw`: `payload` is the whole request, bytes as written to a socket (malformed HTTP itself). */
  readonly transport: 'inject' | 'socket' | 'raw';
  /** Sets its own Authorization (or is a raw request): sent in the unauthenticated pass only. */
  readonly ownAuthorization?: boolean;
  /** API.md's hardening rules require a 4xx here (as the owner): a 2xx or 3xx is a finding too. */
  readonly reject?: boolean;
  /** The status API.md's hardening rules name for this case (415 non-JSON body, 400 non-object body, unknown field, ill-formed string). */
  readonly expectStatus?: number;
  /** As the owner, this many identical copies at once: races (unique keys, idempotency records) must not be a 500. */
  readonly burst?: number;
}

export const JSON_TYPE = { 'content-type': 'application/json' };

/** An operation with the ids its valid path uses: ids of real records where given, otherwise ids that exist nowhere. */
export interface CaseTarget extends FuzzOperation {
  readonly pathValues?: Readonly<Record<string, string>>;
}

function pathValue(op: CaseTarget, param: Parameter): string {
  const given = op.pathValues?.[param.name];
  if (given !== undefined) return given;
  if (param.schema.format === 'uuid') return ABSENT_UUID_V4;
  return String(validValue(param.schema, param.name));
}

/** The path with every parameter valid except `override` (raw text, inserted without encoding). */
export function fillPath(op: CaseTarget, override?: { name: string; raw: string }): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (override?.name === name) return override.raw;
    const param = op.parameters.find((p) => p.in === 'path' && p.name === name);
    return encodeURIComponent(param ? pathValue(op, param) : 'fuzz');
  });
}

/** The required query parameters with valid values, plus `override` (raw `name=value` text). */
export function queryString(op: CaseTarget, override?: { name: string; raw: string }): string {
  const pairs = op.parameters
    .filter((p) => p.in === 'query' && p.required && p.name !== override?.name)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(validValue(p.schema, p.name)))}`);
  if (override) pairs.push(override.raw);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

export function baseUrl(op: CaseTarget): string {
  return fillPath(op) + queryString(op);
}

export const hasBody = (op: CaseTarget) => op.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(op.method);
