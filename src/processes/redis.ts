// The Redis of a bot or worker process: connected from the config's `redis` block, checked before
// any work is taken (Cluster, primary, TLS, eviction, persistence: src/state/redis-checks.ts), and
// with the write confirmer the stores use for writes that must survive a failover.
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { redisConnectOptions } from '../state/connect.ts';
import { writeConfirmer, type WriteConfirmer } from '../state/durable.ts';
import { createRedis, redactRedisUrl, redisOptions } from '../state/redis.ts';
import { assertRedisFit } from '../state/redis-checks.ts';
import type { Logger } from '../log.ts';

export interface ProcessRedis {
  redis: Redis;
  confirm: WriteConfirmer;
  close(): Promise<void>;
}

export async function openProcessRedis(config: Config, connectionName: string, logger: Logger): Promise<ProcessRedis> {
  const r = config.redis;
  const opts = await redisConnectOptions(r, connectionName, logger);
  const { url, options } = redisOptions(opts);
  const where = opts.sentinels?.length ? `sentinel master "${options.name ?? ''}"` : redactRedisUrl(url);
  const redis = createRedis(opts);
  const sentinel = !!opts.sentinels?.length;
  const replicas = r.confirmReplicas ?? (sentinel ? 1 : 0);
  const quit = async (): Promise<void> => {
    await redis.quit().catch(() => redis.disconnect());
  };
  try {
    await assertRedisFit(redis, r, { where, expectTls: new URL(url).protocol === 'rediss:', sentinel, confirmReplicas: replicas, warn: (m) => logger.warn({}, m) });
  } catch (e) {
    await quit();
    throw e;
  }
  const confirm = writeConfirmer(redis, {
    replicas,
    timeoutMs: r.confirmTimeoutMs,
    barrierKey: `${r.prefix}:write-barrier`,
    log: logger,
    ...(sentinel
      ? {
          sentinel: {
            sentinels: opts.sentinels!,
            name: options.name!,
            ...(opts.sentinelUsername ? { username: opts.sentinelUsername } : {}),
            ...(opts.sentinelPassword ? { password: opts.sentinelPassword } : {}),
            ...(opts.sentinelTls ? { tls: opts.sentinelTls } : {}),
          },
        }
      : {}),
  });
  return {
    redis,
    confirm,
    close: async () => {
      await confirm.close();
      await quit();
    },
  };
}
