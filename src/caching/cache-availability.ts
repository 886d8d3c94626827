import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClsServiceManager } from 'nestjs-cls';
import { REDIS_CLIENT } from './redis/redis-client.token';
import type { RedisClient } from './redis/redis-client';
import { redisCommandTimeoutMs, redisDeadline, withinRedisTimeout } from './redis/timeout';
import { cacheMetrics } from './cache-metrics';

/** How long Redis is skipped after a failed command: at least two command timeouts. */
const MIN_SUSPEND_MS = 2_000;

/**
 * A plain property of the request's context store (nestjs-cls), set once one of its Redis commands
 * failed; read from the store object directly, since a dotted key would be split and walked on every read.
 */
interface RedisFailureMark {
  redisFailedInRequest?: boolean;
}

export class RedisUnusableError extends Error {
  constructor() {
    super('Redis is suspended or disconnected');
    this.name = 'RedisUnusableError';
  }
}

/**
 * Whether shared state in Redis can be used right now. When it cannot, every caller falls back
 * (bypass the cache, per-instance rate limits, near-cached sessions); each fallback is counted,
 * and the outage is logged once per component until Redis is back.
 *
 * After a command fails or times out, Redis is skipped for the rest of that request, and by every
 * request of the instance for the suspension window (max(2 s, 2 x REDIS_COMMAND_TIMEOUT_MS)): a
 * request that already waited for one timeout never waits for another, and requests arriving
 * meanwhile wait for none. Fallbacks during the window do not extend it: the first command after
 * it is the probe. Redis also counts as suspended while the dependency monitor's background PING
 * has gone unanswered for a command timeout, so a sustained hang costs no request a timeout once
 * it has been seen, and use resumes with the first PING answered.
 */
@Injectable()
export class CacheAvailability {
  private readonly logger = new Logger('CacheFallback');
  private readonly reported = new Set<string>();
  private readonly fallbacks = cacheMetrics.fallbacks();
  private outageSeen = false;
  private suspendedUntil = 0;
  /** Cancels the deadline of the oldest unanswered background PING; null when none is pending. */
  private cancelPingDeadline: (() => void) | null = null;
  /** That PING has gone unanswered for a command timeout. */
  private pingOverdue = false;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {
    redis?.on('error', () => {
      this.outageSeen = true;
    });
  }

  /**
   * True once after Redis was unreachable: entries written before (or during) the outage may be
   * stale, since invalidations could not be recorded meanwhile.
   */
  takeOutage(): boolean {
    const seen = this.outageSeen;
    this.outageSeen = false;
    return seen;
  }

  /** Connected, but skipped after a failed command or while the background PING hangs (readiness reports this as degraded). */
  get suspended(): boolean {
    return this.redis !== null && (Date.now() < this.suspendedUntil || this.pingHung());
  }

  /** The dependency monitor sends its PING: until it is answered, a hang is seen without any request waiting. */
  pingSent(): void {
    this.cancelPingDeadline ??= redisDeadline(redisCommandTimeoutMs(), () => {
      this.pingOverdue = true;
    });
  }

  /** Any answer (a reply or an error) means Redis is not hanging. */
  pingAnswered(): void {
    this.cancelPingDeadline?.();
    this.cancelPingDeadline = null;
    this.pingOverdue = false;
  }

  /** In embedded mode everything is in-process and always available. */
  get sharedStateUsable(): boolean {
    if (this.redis && (!this.redis.isReady || Date.now() < this.suspendedUntil || this.pingHung() || requestSawFailure())) {
      this.outageSeen = true;
      return false;
    }
    if (this.reported.size > 0) {
      this.logger.log(`Redis is back; ${[...this.reported].join(', ')} use it again`);
      this.reported.clear();
    }
    return true;
  }

  /**
   * One Redis command on a request path: refused at once while Redis is unusable, bounded by the
   * command timeout otherwise, and a failure suspends Redis use (see the class comment).
   */
  async bounded<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.sharedStateUsable) throw new RedisUnusableError();
    try {
      return await withinRedisTimeout(operation());
    } catch (error) {
      this.commandFailed();
      throw error;
    }
  }

  /**
   * While the background PING (monitoring/health/dependency-monitor.ts) has been unanswered for as
   * long as a command may wait (REDIS_COMMAND_TIMEOUT_MS), Redis counts as suspended: a hang is
   * noticed without a request paying a command timeout for it, and stays noticed for as long as it
   * lasts. Not sooner, and not by the clock alone: a busy or stalled event loop delays the reply of
   * a healthy Redis, and that must not turn session checks into 503s (redisDeadline).
   */
  private pingHung(): boolean {
    return this.pingOverdue;
  }

  /** A command failed or timed out: skip Redis for the suspension window (unless already skipping it). */
  commandFailed(): void {
    this.outageSeen = true;
    markRequest();
    if (this.redis?.isReady && Date.now() >= this.suspendedUntil) {
      this.suspendedUntil = Date.now() + Math.max(MIN_SUSPEND_MS, 2 * redisCommandTimeoutMs());
    }
  }

  /** A caller's own Redis command failed and it fell back: suspend Redis use, and count the fallback. */
  fellBack(component: string): void {
    // A connected Redis that failed a command (timed out, say) is skipped briefly; a disconnected one is
    // already skipped until it reconnects.
    this.commandFailed();
    this.bypassed(component);
  }

  /** A caller did without Redis (already suspended, or its failure already reported through bounded): count it. */
  bypassed(component: string): void {
    this.fallbacks.inc({ component });
    if (!this.reported.has(component)) {
      this.reported.add(component);
      this.logger.warn(`Redis unavailable: ${component} falls back until it returns`);
    }
  }
}

function requestStore(): RedisFailureMark | undefined {
  return ClsServiceManager.getClsService().get() as RedisFailureMark | undefined;
}

function markRequest(): void {
  const store = requestStore();
  if (store) store.redisFailedInRequest = true;
}

function requestSawFailure(): boolean {
  return requestStore()?.redisFailedInRequest === true;
}
