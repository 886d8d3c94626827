import { Counter, register } from 'prom-client';

/**
 * Errors that mean a dependency is unavailable, not that the code is wrong: the database refused
 * the connection, is shutting down or starting up, is out of connection slots, dropped the
 * connection mid-query, or the pool found no connection in time. Such a request is answered
 * `503` with `Retry-After` (the client may try again), counted, logged once per outage and not
 * reported as a bug.
 */
export interface DependencyFailure {
  /**
   * `shared-store`: Redis, for what cannot fall back (session checks while Redis is away);
   * `secrets-encryption-key`: a production server without SECRETS_ENCRYPTION_KEY cannot store secrets.
   */
  readonly dependency: 'database' | 'shared-store' | 'secrets-encryption-key';
  readonly reason: string;
}

/** PostgreSQL SQLSTATEs of an unavailable server (class 08 connection exceptions are matched by prefix). */
const SQLSTATE_REASONS: Record<string, string> = {
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
  '53300': 'too_many_connections',
};

/** Socket-level failures reaching the database. */
const SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const MESSAGE_REASONS: [RegExp, string][] = [
  [/Timeout acquiring a connection/i, 'pool_timeout'],
  [/Connection terminated/i, 'connection_terminated'],
  [/timeout exceeded when trying to connect/i, 'connect_timeout'],
  [/Client has encountered a connection error/i, 'connection_error'],
  [/the database system is (starting up|shutting down|in recovery mode)/i, 'cannot_connect_now'],
];

/** Seconds a client is asked to wait before retrying. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

export function classifyDependencyError(error: unknown): DependencyFailure | null {
  for (const candidate of causes(error)) {
    const { code, name, message } = candidate as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLSTATE_REASONS[code]) return { dependency: 'database', reason: SQLSTATE_REASONS[code] };
      if (/^08[0-9A-Z]{3}$/.test(code)) return { dependency: 'database', reason: 'connection_exception' };
      if (SYSTEM_CODES.has(code)) return { dependency: 'database', reason: code.toLowerCase() };
    }
    if (name === 'KnexTimeoutError') return { dependency: 'database', reason: 'pool_timeout' };
    // A statement's own error (any other SQLSTATE) is never an outage, whatever its text says; and
    // only the driver's part of a message counts: MikroORM prefixes it with the SQL, values inlined,
    // so a client's string must not be able to turn a bug into a quiet 503.
    const hasStatementCode = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
    if (typeof message === 'string' && !hasStatementCode) {
      const driverPart = message.slice(message.lastIndexOf(' - ') + 1);
      for (const [pattern, reason] of MESSAGE_REASONS) if (pattern.test(driverPart)) return { dependency: 'database', reason };
    }
  }
  return null;
}

/** The error and what it wraps (cause, an ORM exception's copied fields, AggregateError's errors), bounded. */
function causes(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && seen.length < 10) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.includes(next)) continue;
    seen.push(next);
    const { cause, errors } = next as { cause?: unknown; errors?: unknown };
    if (cause) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return seen;
}

const QUIET_MS_ENDING_AN_OUTAGE = 30_000;

/** Counts dependency failures, and says whether this one starts an outage (the first after a quiet spell) so it is logged once. */
export class DependencyFailures {
  private readonly counter =
    (register.getSingleMetric('atrium_dependency_failures_total') as Counter | undefined) ??
    new Counter({
      name: 'atrium_dependency_failures_total',
      help: 'Requests answered 503 because a dependency was unavailable',
      labelNames: ['dependency', 'reason'],
    });
  private lastAt = new Map<string, number>();

  /** True when this failure is the first of an outage (none of the dependency in the last 30 s). */
  record(failure: DependencyFailure): boolean {
    this.counter.inc({ dependency: failure.dependency, reason: failure.reason });
    const now = Date.now();
    const last = this.lastAt.get(failure.dependency);
    this.lastAt.set(failure.dependency, now);
    return last === undefined || now - last > QUIET_MS_ENDING_AN_OUTAGE;
  }
}
