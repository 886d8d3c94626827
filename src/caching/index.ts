export { REDIS_CLIENT, RedisClient, RedisModule } from './redis/redis.module';
