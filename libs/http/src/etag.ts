import { createHash } from 'node:crypto';
import { AppError } from './app-error';

/** A strong ETag of the exact JSON bytes of a representation. */
export function etagOfJson(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

export function etagOf(value: unknown): string {
  return etagOfJson(JSON.stringify(value));
}

function listed(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** `If-None-Match` uses weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (tag: string) => tag.replace(/^W\//, '');
  return listed(header).some((tag) => tag === '*' || strip(tag) === strip(etag));
}

/**
 * `If-Match` uses strong comparison (RFC 9110 13.1.1). Throws 412 when the client's copy is stale;
 * an absent header means the client did not ask for a precondition.
 */
export function assertIfMatch(header: string | undefined, currentEtag: string): void {
  if (header === undefined) return;
  const tags = listed(header);
  if (tags.includes('*') || tags.includes(currentEtag)) return;
  throw new AppError('precondition_failed', 'PRECONDITION_FAILED', 'The resource has changed since you read it; fetch it again and retry.');
}
