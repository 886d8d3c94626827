import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) through the maintained `otpauth` library. The parameters every authenticator
 * app understands: HMAC-SHA-1, 6 digits, 30-second steps, a 160-bit secret (RFC 4226's advice).
 */
export interface TotpParameters {
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits: number;
  readonly period: number;
}

export const TOTP_DEFAULTS: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };

const SECRET_BYTES = 20;

/** A clock drift of one step either way is tolerated (RFC 6238 §5.2 suggests at most one). */
const WINDOW = 1;

/** A new random secret, base32 (RFC 4648, no padding), as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/...` URI an authenticator app scans as a QR code. */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secretBase32), ...TOTP_DEFAULTS }).toString();
}

/**
 * The time step (counter) whose code `code` is, within one step of `at`, or null. The caller
 * refuses a step it has seen before: a code is good once.
 */
export function matchingTimeStep(
  secretBase32: string,
  code: string,
  at: number,
  parameters: TotpParameters = TOTP_DEFAULTS,
): number | null {
  if (!new RegExp(`^\\d{${parameters.digits}}$`).test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secretBase32), timestamp: at, window: WINDOW, ...parameters });
  return delta === null ? null : TOTP.counter({ period: parameters.period, timestamp: at }) + delta;
}
