import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SHARED_STORE, SharedStore } from '../../../caching';

/** A used ID is remembered at least this long, and at most this long (an assertion valid for days is the IdP's problem, not Redis's). */
const MIN_TTL_MS = 1_000;
const MAX_TTL_MS = 24 * 3600_000;

/**
 * The assertions already used to sign in, in the shared store (Redis) so that every instance sees
 * them: an assertion's ID is claimed with an atomic increment and kept until the assertion could
 * no longer be accepted anyway (its NotOnOrAfter, plus the clock skew).
 */
@Injectable()
export class AssertionReplays {
  constructor(@Inject(SHARED_STORE) private readonly store: SharedStore) {}

  /** True the first time an issuer's assertion ID is claimed; false for a replay. */
  async claim(issuer: string, assertionId: string, usableUntil: Date): Promise<boolean> {
    const key = `sso-saml-assertion:${createHash('sha256').update(`${issuer}\n${assertionId}`).digest('hex')}`;
    const ttl = Math.min(Math.max(usableUntil.getTime() - Date.now(), MIN_TTL_MS), MAX_TTL_MS);
    try {
      const claims = await this.store.increment(key);
      await this.store.expire(key, ttl);
      return claims === 1;
    } catch (cause) {
      throw new AppError('unavailable', 'SESSIONS_UNAVAILABLE', 'Signing in is unavailable for a moment; retry shortly.', {
        headers: { 'retry-after': '5' },
        cause,
      });
    }
  }
}
