export { RedisStore, createRedisStore } from './redis-store.ts';
