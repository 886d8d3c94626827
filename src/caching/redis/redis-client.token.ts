/** The shared Redis connection, or `null` in embedded mode (neither REDIS_URL nor REDIS_SENTINELS). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
