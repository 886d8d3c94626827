import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '@app/http';
import { ResolvedConfig } from '../../config';
import { cacheMetrics } from '../cache-metrics';

/** Addresses remembered as blocked by this instance; beyond this, the oldest are forgotten (then counted again). */
const MAX_REMEMBERED_ADDRESSES = 10_000;

/**
 * Bearer tokens that resolve to nothing, counted per client address in the shared rate-limit
 * store. Past the limit, the address gets 429 for the rest of the window before any lookup:
 * guessing tokens costs the guesser, not the database. Successful requests are never counted,
 * tokens that resolved lately still pass (the auth guard asks the credential resolver), and the
 * check on the request path is a local map read, not a round trip. Each instance refuses an address
 * once it has seen the shared count cross the limit itself. Behind a load balancer the client
 * address is the balancer's unless TRUST_PROXY is set.
 */
@Injectable()
export class CredentialFailureLimiter {
  private readonly blockedUntil = new Map<string, number>();
  private readonly limited = cacheMetrics.rateLimited();

  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly config: ResolvedConfig,
  ) {}

  /** Throws 429 while `address` is blocked. */
  assertNotBlocked(address: string): void {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return;
    const remainingMs = until - Date.now();
    if (remainingMs <= 0) {
      this.blockedUntil.delete(address);
      return;
    }
    throw this.tooMany(remainingMs);
  }

  /** Counts a failed credential from `address`; throws 429 when that one went over the limit. */
  async recordFailure(address: string): Promise<void> {
    const { windowMs, authFailuresPerIp } = this.config.rateLimits;
    const record = await this.storage.increment(`auth-failures:${address}`, windowMs, authFailuresPerIp, windowMs, 'auth-failures');
    if (!record.isBlocked) return;
    if (this.blockedUntil.size >= MAX_REMEMBERED_ADDRESSES) this.blockedUntil.delete(this.blockedUntil.keys().next().value as string);
    this.blockedUntil.set(address, Date.now() + record.timeToBlockExpire * 1000);
    throw this.tooMany(record.timeToBlockExpire * 1000);
  }

  private tooMany(remainingMs: number): AppError {
    this.limited.inc({ limiter: 'auth-failures' });
    const seconds = String(Math.max(1, Math.ceil(remainingMs / 1000)));
    return new AppError('rate_limited', 'RATE_LIMITED', `Too many invalid credentials from this address; retry in ${seconds} s.`, {
      headers: { 'retry-after': seconds, 'ratelimit-remaining': '0', 'ratelimit-reset': seconds },
    });
  }
}
