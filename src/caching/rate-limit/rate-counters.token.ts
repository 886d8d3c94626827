/** The rate-limit counters (a RedisThrottlerStorage), shared by the rate-limit guard and the credential-failure limiter. */
export const RATE_COUNTERS = Symbol('RATE_COUNTERS');
