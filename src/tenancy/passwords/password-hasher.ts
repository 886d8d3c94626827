import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** ~16 MiB and ~40 ms per hash on our machines: memory-hard, and cheap enough for login. */
const CURRENT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: 128 * params.N * params.r * 2 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * scrypt from node:crypto with a per-user salt; the parameters are stored with the hash
 * (`scrypt$N$r$p$salt$hash`) so they can be raised later without invalidating old hashes.
 */
@Injectable()
export class PasswordHasher {
  /** Verified against when the email is unknown, so both answers take the same time. */
  private readonly decoy = this.hash(randomBytes(16).toString('hex'));

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, CURRENT);
    return ['scrypt', CURRENT.N, CURRENT.r, CURRENT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, N, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** Spends the time a real verification would, then fails. */
  async verifyDecoy(password: string): Promise<false> {
    await this.verify(password, await this.decoy);
    return false;
  }
}
