// The Redis connection of a bot, a worker or a CLI command, from the config's `redis` block
// (REDIS_URL overrides its url; Sentinel through `sentinels`): passwords resolved from their
// SecretRefs, TLS files read, every mistake reported with what to change.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { RedisSettings, RedisTls } from '../config/redis-settings.ts';
import { resolveSecret } from '../config/load.ts';
import { createRedis, redisOptions, type CreateRedisOptions, type Redis } from './redis.ts';
import type { Logger } from '../log.ts';

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`redis.${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The `tls` block as Node's TLS options (files read now, so a missing one stops the start). */
export function tlsOptions(tls: RedisTls, where: string): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: readPem(tls.ca, `${where}.ca`) } : {}),
    ...(tls.cert ? { cert: readPem(tls.cert, `${where}.cert`) } : {}),
    ...(tls.key ? { key: readPem(tls.key, `${where}.key`) } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
    ...(tls.insecure ? { rejectUnauthorized: false } : {}),
  };
}

/** The options `createRedis` takes for these settings: URL (REDIS_URL first), secrets, TLS. */
export async function redisConnectOptions(r: RedisSettings, connectionName: string, log?: Logger): Promise<CreateRedisOptions> {
  const url = process.env['REDIS_URL'] || r.url;
  const resolve = async (ref: RedisSettings['password'], what: string): Promise<string | undefined> => {
    if (!ref) return undefined;
    try {
      return await resolveSecret(ref);
    } catch (e) {
      throw new Error(`redis.${what}: ${(e as Error).message}`);
    }
  };
  const [password, sentinelPassword] = await Promise.all([resolve(r.password, 'password'), resolve(r.sentinelPassword, 'sentinelPassword')]);
  const tls = r.tls ? tlsOptions(r.tls, 'tls') : undefined;
  const sentinelTls = r.sentinelTls === true ? (tls ?? {}) : r.sentinelTls ? tlsOptions(r.sentinelTls, 'sentinelTls') : undefined;
  if ([r.tls, typeof r.sentinelTls === 'object' ? r.sentinelTls : undefined].some((t) => t?.insecure)) {
    log?.warn({}, 'redis: TLS certificate verification is OFF (redis.tls.insecure): anyone on the path can read and change what rdp-medic stores');
  }
  const opts: CreateRedisOptions = {
    ...(url ? { url } : {}),
    ...(r.username ? { username: r.username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
    ...(r.sentinels ? { sentinels: r.sentinels } : {}),
    ...(r.name ? { name: r.name } : {}),
    ...(r.sentinelUsername ? { sentinelUsername: r.sentinelUsername } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(sentinelTls ? { sentinelTls } : {}),
    connectionName,
    ...(log ? { log } : {}),
  };
  // Refuses now (before any connection) what would otherwise be a silent plaintext connection.
  redisOptions(opts);
  return opts;
}

export async function connectRedis(settings: RedisSettings, connectionName: string, log?: Logger, extra: Partial<CreateRedisOptions> = {}): Promise<Redis> {
  return createRedis({ ...(await redisConnectOptions(settings, connectionName, log)), ...extra });
}
