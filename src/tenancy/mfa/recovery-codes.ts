import { Secret } from 'otpauth';
import { hashSecret } from '../auth/tokens';

export const RECOVERY_CODE_COUNT = 10;

/** 10 random bytes: 80 bits, 16 base32 characters. Enough entropy for a plain SHA-256 at rest. */
const RECOVERY_CODE_BYTES = 10;

/** What a recovery code looks like on input: 16 base32 characters, optionally in dash-separated groups of four. */
export const RECOVERY_CODE_PATTERN = /^[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3}$/;

/** Fresh codes, shown once, as `ABCD-EFGH-IJKL-MNOP`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => new Secret({ size: RECOVERY_CODE_BYTES }).base32.match(/.{4}/g)!.join('-'));
}

/** The stored form: SHA-256 of the code without dashes, upper-cased, so typing it either way matches. */
export function recoveryCodeHash(code: string): string {
  return hashSecret(code.replace(/-/g, '').toUpperCase());
}
