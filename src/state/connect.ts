// The Redis connection of a bot or worker process, from the config's `redis` section (REDIS_URL
// overrides its url; Sentinel through `sentinels`).
import type { Config } from '../config/schema.ts';
import { createRedis, type Redis } from './redis.ts';
import type { Logger } from '../log.ts';

export function connectRedis(config: Config, connectionName: string, log?: Logger): Redis {
  const r = config.redis;
  const url = process.env['REDIS_URL'] || r.url;
  return createRedis({
    ...(url ? { url } : {}),
    ...(r.sentinels ? { sentinels: r.sentinels } : {}),
    ...(r.name ? { name: r.name } : {}),
    connectionName,
    ...(log ? { log } : {}),
  });
}
