import { redactSqlLiterals } from '../tracing/sql-redaction';

/**
 * What error reports must never carry: personal data and credentials. Applied to every Sentry
 * event and breadcrumb before it leaves the process.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const ORG_SCOPED_TOKEN = /\b(?:atr|inv)_[A-Za-z0-9_-]{20,}/g;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
/** Session tokens: 43 base64url characters (256 bits). */
const OPAQUE_TOKEN = /\b[A-Za-z0-9_-]{43}\b/g;
const SENSITIVE_KEYS =
  /^(authorization|cookie|set-cookie|x-api-key|password|newpassword|currentpassword|token|secret|apikey|email|data|body)$/i;

export function scrubText(text: string): string {
  return redactSqlLiterals(text)
    .replace(BEARER, 'Bearer [redacted]')
    .replace(ORG_SCOPED_TOKEN, '[redacted-token]')
    .replace(EMAIL, '[redacted-email]')
    .replace(OPAQUE_TOKEN, '[redacted-token]');
}

/** Deep copy with sensitive keys dropped and every string scrubbed. */
export function scrubValue<T>(value: T, depth = 0): T {
  if (depth > 12) return '[truncated]' as T;
  if (typeof value === 'string') return scrubText(value) as T;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (!SENSITIVE_KEYS.test(key)) out[key] = scrubValue(child, depth + 1);
    }
    return out as T;
  }
  return value;
}

interface ScrubbableEvent {
  request?: { data?: unknown; cookies?: unknown; headers?: Record<string, string>; query_string?: unknown };
  user?: { id?: string | number };
}

/** Sentry `beforeSend`: no request bodies, cookies, credentials, emails or tokens anywhere in the event. */
export function scrubEvent<E extends ScrubbableEvent>(event: E): E {
  const copy: E = { ...event };
  if (copy.request) {
    const { data: _body, cookies: _cookies, ...request } = copy.request;
    copy.request = request;
  }
  if (copy.user) copy.user = copy.user.id !== undefined ? { id: copy.user.id } : {};
  return scrubValue(copy);
}

/** What a database error carries besides its message: the values of the row or statement. */
const ERROR_DATA_KEYS = /^(detail|where|parameters|params|bindings|values|data|body)$/i;

/**
 * pino's `err` serializer: the standard one, then the message, stack and every other string field
 * scrubbed like an error report, and the fields in which the database driver returns row values
 * dropped. A failed insert must not write a contact's name into the log.
 */
export function serializeLoggedError(error: unknown, stdSerializer: (error: Error) => Record<string, unknown>): unknown {
  if (!(error instanceof Error)) return scrubValue(error);
  const serialized = stdSerializer(error);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (ERROR_DATA_KEYS.test(key)) continue;
    out[key] = typeof value === 'string' ? scrubText(value) : scrubValue(value);
  }
  return out;
}
