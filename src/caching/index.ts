export { CachingModule, REDIS_CLIENT } from './caching.module';
export { RedisClient } from './redis/redis-client';
export { SHARED_STORE, SharedStore } from './stores/shared-store';
