import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Binds a sign-in to the browser that started it (against login CSRF: without it, anyone could
 * hand a victim the callback URL of a sign-in they started themselves, and the victim's browser
 * would be signed in to the attacker's account). The start sets a random cookie and keeps its
 * SHA-256 with the sign-in's state; the callback (or SAML's assertion consumer) completes the
 * sign-in only for a request carrying that cookie, and clears it.
 *
 * `__Host-`: the browser accepts it only with `Secure`, `Path=/` and no `Domain`, so no subdomain
 * can set or overwrite it. `HttpOnly`: no script reads it.
 */
export interface BrowserBindingCookie {
  readonly name: string;
  /**
   * `Lax` when the identity provider sends the browser back by a top-level GET (OpenID Connect's
   * redirect to the callback). `None` when it comes back by a cross-site POST (a SAML HTTP-POST
   * binding to the assertion consumer service), which a `Lax` cookie would not accompany.
   */
  readonly sameSite: 'Lax' | 'None';
}

export const OIDC_BROWSER_BINDING: BrowserBindingCookie = { name: '__Host-atrium-sso', sameSite: 'Lax' };
export const SAML_BROWSER_BINDING: BrowserBindingCookie = { name: '__Host-atrium-sso-saml', sameSite: 'None' };

/** A new binding: `value` goes to the browser in the cookie, `hash` (SHA-256, hex) into the sign-in state. */
export function newBrowserBinding(): { readonly value: string; readonly hash: string } {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: bindingHash(value) };
}

export function bindingHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The `Set-Cookie` value that hands the browser `value` for `maxAgeSeconds`. */
export function bindingCookieHeader(cookie: BrowserBindingCookie, value: string, maxAgeSeconds: number): string {
  return `${cookie.name}=${value}; Max-Age=${Math.floor(maxAgeSeconds)}; Path=/; Secure; HttpOnly; SameSite=${cookie.sameSite}`;
}

/** The `Set-Cookie` value that removes it (a binding is good for one completion). */
export function clearedBindingCookieHeader(cookie: BrowserBindingCookie): string {
  return `${cookie.name}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=${cookie.sameSite}`;
}

/** The binding value the request's `Cookie` header carries; null when it has none (or a malformed one). */
export function bindingOf(cookie: BrowserBindingCookie, cookieHeader: string | undefined): string | null {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== cookie.name) continue;
    const value = pair.slice(at + 1).trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return null;
}

/** Whether `value` (from the request's cookie) is the one whose hash the sign-in kept; false when either is missing. */
export function sameBrowser(expectedHash: string | undefined, value: string | null): boolean {
  if (!expectedHash || !value) return false;
  const expected = Buffer.from(expectedHash, 'hex');
  const presented = Buffer.from(bindingHash(value), 'hex');
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
