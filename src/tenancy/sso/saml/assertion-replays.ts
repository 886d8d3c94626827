import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SHARED_STORE, SharedStore } from '../../../caching';

/**
 * A used ID is remembered at least this long, and otherwise for as long as its assertion could be
 * accepted: with any shorter memory, an assertion an IdP made valid for days could be replayed once
 * it was forgotten. Only signed assertions of a connection's IdP get here, so the keys are few.
 */
const MIN_TTL_MS = 1_000;

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
    const ttl = Math.max(usableUntil.getTime() - Date.now(), MIN_TTL_MS);
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
