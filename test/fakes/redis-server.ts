// The tests' Redis is the demo's throwaway redis-server (src/demo/local-redis.ts).
export { startRedisServer, type RedisServer, type RedisServerOptions } from '../../src/demo/local-redis.ts';
