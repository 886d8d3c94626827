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

/**
 * A connected Redis that stops answering would hold every request that talks to it; node-redis's
 * own command timeout does not cover a command already written to the socket, so we bound it here.
 * Callers on request paths go through CacheAvailability.bounded, which also suspends Redis use
 * after a failure so that one request pays for at most one timeout.
 */
export function withinRedisTimeout<T>(operation: Promise<T>, ms = commandTimeoutMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
