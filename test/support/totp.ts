import { createHmac } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Signed, bearer } from './factories';

/**
 * RFC 6238 written again with node:crypto, independent of the `otpauth` library the app uses, so
 * that MFA tests check the app against the standard rather than against itself.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Buffer {
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit HMAC-SHA-1 code of time step `step` (RFC 4226 dynamic truncation). */
export function totpAt(secretBase32: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** The current 30-second time step. */
export function currentStep(now = Date.now()): number {
  return Math.floor(now / 30_000);
}

/** A user with MFA on: enrolled over the API with a code of `step`; the session that enrolled counts as MFA-verified. */
export interface MfaUser {
  readonly secret: string;
  readonly recoveryCodes: string[];
  /** The step whose code confirmed the enrolment: used, so that code (and older ones) no longer count. */
  readonly step: number;
}

export async function enrolMfa(app: NestFastifyApplication, user: Pick<Signed, 'token'>): Promise<MfaUser> {
  const started = await app.inject({ method: 'POST', url: '/v1/me/mfa/totp', headers: bearer(user.token) });
  if (started.statusCode !== 201) throw new Error(`MFA enrolment failed: ${started.statusCode} ${started.body}`);
  const secret = started.json().secret as string;
  const step = currentStep();
  const confirmed = await app.inject({
    method: 'POST',
    url: '/v1/me/mfa/totp/confirm',
    headers: bearer(user.token),
    payload: { code: totpAt(secret, step) },
  });
  if (confirmed.statusCode !== 200) throw new Error(`MFA confirmation failed: ${confirmed.statusCode} ${confirmed.body}`);
  return { secret, recoveryCodes: confirmed.json().recoveryCodes, step };
}
