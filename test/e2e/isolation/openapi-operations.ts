import type { LightMyRequestResponse } from 'fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ACCESS_EXTENSION } from '../../../src/tenancy/auth/access.decorators';
import { PERMISSIONS, Permission } from '../../../src/tenancy/permissions';
import { bearer } from '../../support/factories';

/**
 * The operations of the live OpenAPI document, as the authorization matrix and the cross-tenant
 * walker read them. Both specs iterate over this list, so a new route is covered the day it ships.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What `x-atrium-access` says a route needs. */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly sessionOnly: boolean }
  | { readonly kind: 'permission'; readonly permission: Permission; readonly sessionOnly: boolean };

export interface Operation {
  /** The operationId; '' when the document has none (reported by `documentProblems`). */
  readonly id: string;
  readonly method: HttpMethod;
  /** OpenAPI path template, e.g. `/v1/members/{userId}`. */
  readonly path: string;
  readonly tags: readonly string[];
  readonly pathParams: readonly string[];
  /** The parsed extension, or why it could not be parsed (missing, malformed). */
  readonly access: Access | { readonly problem: string };
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Methods whose harmless probe carries a JSON body. */
export const BODY_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH']);

export function label(op: Operation): string {
  return `${op.id || '<no operationId>'} (${op.method} ${op.path})`;
}

export function parseAccess(raw: unknown): Access | { problem: string } {
  if (raw === undefined) return { problem: `no ${ACCESS_EXTENSION} extension` };
  if (typeof raw !== 'object' || raw === null) return { problem: `${ACCESS_EXTENSION} is not an object: ${JSON.stringify(raw)}` };
  const value = raw as { public?: unknown; sessionOnly?: unknown; permission?: unknown };
  if (value.public === true) return { kind: 'public' };
  if (typeof value.sessionOnly !== 'boolean') return { problem: `${ACCESS_EXTENSION} lacks a boolean sessionOnly: ${JSON.stringify(raw)}` };
  if (value.permission === undefined) return { kind: 'authenticated', sessionOnly: value.sessionOnly };
  if (typeof value.permission !== 'string' || !(PERMISSIONS as readonly string[]).includes(value.permission)) {
    return { problem: `${ACCESS_EXTENSION} names an unknown permission: ${JSON.stringify(value.permission)}` };
  }
  return { kind: 'permission', permission: value.permission as Permission, sessionOnly: value.sessionOnly };
}

export function isAccess(access: Operation['access']): access is Access {
  return !('problem' in access);
}

/** Every operation of GET /docs/openapi.json, in document order. */
export async function loadOperations(app: NestFastifyApplication): Promise<Operation[]> {
  const response = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`GET /docs/openapi.json answered ${response.statusCode}`);
  const document = response.json() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [key, raw] of Object.entries(item)) {
      const method = key.toUpperCase() as HttpMethod;
      if (!METHODS.includes(method)) continue;
      operations.push({
        id: typeof raw.operationId === 'string' ? raw.operationId : '',
        method,
        path,
        tags: Array.isArray(raw.tags) ? (raw.tags as string[]) : [],
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
        access: parseAccess(raw[ACCESS_EXTENSION]),
      });
    }
  }
  return operations;
}

/** Operations without an operationId, and operationIds used twice: both break a table keyed by operationId. */
export function operationIdProblems(operations: readonly Operation[]): string[] {
  const seen = new Map<string, number>();
  for (const op of operations) seen.set(op.id, (seen.get(op.id) ?? 0) + 1);
  return [
    ...operations.filter((op) => !op.id).map((op) => `${label(op)}: no operationId`),
    ...[...seen].filter(([id, count]) => id && count > 1).map(([id, count]) => `${id}: used by ${count} operations`),
  ];
}

/** The path template with every `{param}` replaced; throws naming the parameter a caller forgot. */
export function fillPath(op: Operation, values: Readonly<Record<string, string>>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${label(op)}: no value for path parameter "${name}"`);
    return encodeURIComponent(value);
  });
}

export interface CallOptions {
  readonly token?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
}

/** One request to `op`; a body only for POST/PUT/PATCH (`{}` unless given). */
export function callOperation(app: NestFastifyApplication, op: Operation, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: op.method,
    url: fillPath(op, options.params ?? {}),
    query: options.query ? { ...options.query } : undefined,
    headers: options.token ? bearer(options.token) : {},
    ...(BODY_METHODS.has(op.method) ? { payload: (options.body ?? {}) as object } : {}),
  });
}

/** `status code` plus the problem code when the body is a problem document, for failure messages. */
export function describeResponse(response: LightMyRequestResponse): string {
  let code = '';
  try {
    const body = response.json() as { code?: unknown };
    if (typeof body?.code === 'string') code = ` ${body.code}`;
  } catch {
    code = response.body ? ' (not JSON)' : '';
  }
  return `${response.statusCode}${code}`;
}

export function problemCode(response: LightMyRequestResponse): string | undefined {
  try {
    const code = (response.json() as { code?: unknown })?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/* ---------- Walking the document with tenant B's credentials against tenant A (cross-tenant walker) ---------- */

/** The probed tenant's fixtures carry `markers`: every id, email and name of it that no answer to the other tenant may show. */
export interface Probed {
  readonly markers: readonly string[];
}

export interface WalkContext<A extends Probed, B> {
  readonly app: NestFastifyApplication;
  readonly a: A;
  readonly b: B;
  /** Calls the operation under test; as B's owner session unless `token` says otherwise. */
  call(options?: CallOptions): Promise<LightMyRequestResponse>;
  /** A request as A's owner, to see what A sees. */
  asA(method: 'GET' | 'POST', url: string): Promise<LightMyRequestResponse>;
  /** What checks compare: status, problem code (if any) and A's markers shown, except those B itself `sent`. */
  seen(response: LightMyRequestResponse, sent?: readonly string[]): { status: number; code?: string; traces: string[] };
}

export type WalkCase<A extends Probed, B> =
  /** B names A's resource (path `params`, or ids in `body`): must answer `status` (404 unless said) and show nothing of A. */
  | {
      readonly kind: 'not-found';
      readonly params?: (a: A) => Record<string, string>;
      readonly body?: (a: A) => object;
      readonly status?: number;
    }
  /** A GET list: 200 for B, containing none of A's markers and every id `mustInclude` names (B's own data). */
  | { readonly kind: 'list'; readonly mustInclude: (b: B) => string[] }
  /** About the caller (auth, me, own organization) or a write into B's own org: `check` proves A is neither touched nor revealed. */
  | { readonly kind: 'caller-scoped' | 'own-tenant-write'; readonly check: (ctx: WalkContext<A, B>) => Promise<void> };

export interface Caller {
  readonly name: string;
  readonly token: string;
  readonly apiKey: boolean;
}

export function tracesOf(probed: Probed, text: string, sent: readonly string[] = []): string[] {
  return probed.markers.filter((marker) => !sent.includes(marker) && text.includes(marker));
}

/** What is wrong with the case table against the document: uncovered operations first, then stale or misfiled entries. */
export function coverageProblems(
  operations: readonly Operation[],
  cases: Readonly<Record<string, { kind: string }>>,
  notTenantScoped: ReadonlySet<string>,
): string[] {
  const ids = new Set(operations.map((op) => op.id));
  const caseOf = (op: Operation) => (Object.hasOwn(cases, op.id) ? cases[op.id] : undefined);
  const isProbe = (op: Operation) => isAccess(op.access) && op.access.kind === 'public' && op.tags.includes('Operations');
  return [
    ...operationIdProblems(operations),
    ...operations.filter((op) => op.id && !caseOf(op) && !notTenantScoped.has(op.id)).map((op) => `${label(op)}: no entry in CASES`),
    ...[...Object.keys(cases), ...notTenantScoped].filter((id) => !ids.has(id)).map((id) => `${id}: has a case but is not in the document`),
    ...operations
      .filter((op) => notTenantScoped.has(op.id) && (caseOf(op) || !isProbe(op)))
      .map((op) => `${label(op)}: in NOT_TENANT_SCOPED but not a public Operations probe without a case`),
    ...operations
      .filter((op) => caseOf(op)?.kind === 'list' && (op.method !== 'GET' || op.pathParams.length > 0))
      .map((op) => `${label(op)}: a 'list' case needs a GET without path parameters`),
  ];
}

/** Lists run first, on B's pristine data, so a write case that reuses one of A's emails in B is not taken for a leak. */
const KIND_ORDER = ['list', 'not-found', 'caller-scoped', 'own-tenant-write'];

export function walkOrder(operations: readonly Operation[], cases: Readonly<Record<string, { kind: string }>>): Operation[] {
  return operations
    .filter((op) => Object.hasOwn(cases, op.id))
    .sort((x, y) => KIND_ORDER.indexOf(cases[x.id].kind) - KIND_ORDER.indexOf(cases[y.id].kind));
}

function plain(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '').replace(/\s+/g, ' ');
}

/** Runs one case as each of B's callers (API keys skip sessionOnly routes); returns what went wrong, naming operation and caller. */
export async function runCase<A extends Probed, B>(
  op: Operation,
  entry: WalkCase<A, B>,
  ctx: WalkContext<A, B>,
  callers: readonly Caller[],
): Promise<string[]> {
  const sessionOnly = !isAccess(op.access) || op.access.kind === 'public' || op.access.sessionOnly;
  const applicable = callers.filter((caller) => !(caller.apiKey && sessionOnly));
  const problems: string[] = [];
  try {
    if (entry.kind === 'not-found') {
      const params = entry.params?.(ctx.a) ?? {};
      const body = entry.body?.(ctx.a);
      const sent = ctx.a.markers.filter((marker) =>
        [...Object.values(params), JSON.stringify(body ?? {})].some((value) => value.includes(marker)),
      );
      const status = entry.status ?? 404;
      for (const caller of applicable) {
        const response = await ctx.call({ token: caller.token, params, body });
        const traces = tracesOf(ctx.a, response.body, sent);
        if (response.statusCode !== status || traces.length > 0) {
          problems.push(
            `${label(op)} as ${caller.name} on A's ids: expected ${status} showing nothing of A, got ${describeResponse(response)} showing [${traces.join(', ')}]`,
          );
        }
      }
    } else if (entry.kind === 'list') {
      for (const caller of applicable) {
        const response = await ctx.call({ token: caller.token, query: { limit: '100' } });
        const missing = entry.mustInclude(ctx.b).filter((id) => response.statusCode !== 200 || !response.body.includes(id));
        const traces = tracesOf(ctx.a, response.body);
        if (response.statusCode !== 200 || missing.length > 0 || traces.length > 0) {
          problems.push(
            `${label(op)} as ${caller.name}: expected 200 listing B's [${missing.join(', ')}] and nothing of A, got ${describeResponse(response)} showing [${traces.join(', ')}]`,
          );
        }
      }
    } else {
      await entry.check(ctx);
    }
  } catch (error) {
    problems.push(`${label(op)} (${entry.kind}): ${plain(error)}`);
  }
  return problems;
}
