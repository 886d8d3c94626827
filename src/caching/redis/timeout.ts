/** The default wait for a Redis command; REDIS_COMMAND_TIMEOUT_MS sets it (configureRedisCommandTimeout). */
let commandTimeoutMs = 1_000;

/** Set once at start-up from the configuration (the process has one Redis and one setting). */
export function configureRedisCommandTimeout(ms: number): void {
  commandTimeoutMs = ms;
}

export function redisCommandTimeoutMs(): number {
  return commandTimeoutMs;
}

export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** A timer running this much later than due means the event loop was stalled, not that Redis was slow. */
const STALL_TOLERANCE_MS = 50;
/** After a stall, at least this long is given back for replies that arrived meanwhile (or commands it held back). */
const STALL_GRACE_MS = 50;
/** At most this many graces in a row: a process stalled again and again still ends its wait. */
const MAX_STALL_GRACES = 5;

/**
 * Calls onExpire once `ms` have passed with the event loop free to read Redis's answer; returns a
 * cancel function. A plain timer would blame Redis for the process's own stalls (a long GC pause,
 * a CPU-bound request on a busy machine): when the loop is blocked past the due time, the timers
 * phase runs before the poll phase, so the timeout fires although the reply is already in the
 * socket buffer (or the command was not even written yet). A timer that fires late therefore
 * gives back the time the stall took (at least STALL_GRACE_MS, at most `ms`), so the command gets
 * its full wait with the loop free to read the answer.
 */
export function redisDeadline(ms: number, onExpire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (wait: number, gracesLeft: number) => {
    const due = performance.now() + wait;
    timer = setTimeout(() => {
      const lateness = performance.now() - due;
      if (lateness > STALL_TOLERANCE_MS && gracesLeft > 0) arm(Math.min(ms, Math.max(STALL_GRACE_MS, lateness)), gracesLeft - 1);
      else onExpire();
    }, wait);
    timer.unref();
  };
  arm(ms, MAX_STALL_GRACES);
  return () => clearTimeout(timer);
}

/**
 * A connected Redis that stops answering would hold every request that talks to it; node-redis's
 * own command timeout does not cover a command already written to the socket, so we bound it here
 * (see redisDeadline for why a stall of this process does not count against Redis).
 * Callers on request paths go through CacheAvailability.bounded, which also suspends Redis use
 * after a failure so that one request pays for at most one timeout.
 */
export function withinRedisTimeout<T>(operation: Promise<T>, ms = commandTimeoutMs): Promise<T> {
  let cancel: () => void = () => undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = redisDeadline(ms, () => reject(new RedisTimeoutError(ms)));
  });
  return Promise.race([operation, timeout]).finally(() => cancel());
}
