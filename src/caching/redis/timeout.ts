/** Redis commands that get no answer within this long are treated as failed (Redis hung or unreachable). */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

export class RedisTimeoutError extends Error {
  constructor() {
    super(`Redis did not answer within ${REDIS_COMMAND_TIMEOUT_MS} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * A connected Redis that stops answering would hold every request that talks to it; node-redis's
 * own command timeout does not cover a command already written to the socket, so we bound it here.
 */
export function withinRedisTimeout<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError()), REDIS_COMMAND_TIMEOUT_MS);
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
