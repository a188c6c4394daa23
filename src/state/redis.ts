// The one way bot and workers connect to Redis: REDIS_URL (or redis://127.0.0.1:6379), or Redis
// Sentinel through ioredis options. Options suit BullMQ (maxRetriesPerRequest null) and survive a
// restarted or failed-over server (retry with capped backoff, reconnect on READONLY, and under
// Sentinel a failover detector that drops the connection as soon as the sentinels announce a new
// primary). A rediss:// URL always means TLS, to the data nodes under Sentinel too; TLS settings
// with a redis:// URL are refused. The URL's password never reaches an error message or a log
// line: everything shows `redactRedisUrl(url)`.
import type { ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { silentLogger, type Logger } from '../log.ts';

export type { Redis };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface CreateRedisOptions {
  /** redis:// or rediss:// URL. Default: REDIS_URL, else redis://127.0.0.1:6379. */
  url?: string;
  /** ACL user and password of the data nodes; they override the URL's. */
  username?: string;
  password?: string;
  /** TLS options of the data nodes (CA, client certificate...). Only with a rediss:// URL. */
  tls?: ConnectionOptions;
  /** Sentinels to ask for the current master; then `url` only supplies credentials, db and TLS. */
  sentinels?: { host: string; port: number }[];
  /** The Sentinel master group name (ioredis `name`). Default: REDIS_SENTINEL_NAME, else "mymaster". */
  name?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS to the sentinels themselves (undefined: plaintext). */
  sentinelTls?: ConnectionOptions;
  /** CLIENT SETNAME, to tell bot and worker connections apart in CLIENT LIST. */
  connectionName?: string;
  /** Where connection errors go (deduplicated: logged when the message changes). Default: silent. */
  log?: Logger;
  connectTimeoutMs?: number;
  /**
   * Give up after this many failed connection attempts (commands then fail). Default: never, which
   * long-running bot and worker processes want; one-shot CLI commands pass a small number.
   */
  maxConnectAttempts?: number;
}

const RedisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:$/.test(new URL(u).protocol), 'a Redis URL starts with redis:// or rediss://');

/** The URL with its password (and user name) replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && u.password) u.username = '***';
    return u.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

/** Capped exponential backoff: 100 ms, 200 ms, ... 5 s, forever (a restarted Redis comes back). */
export function retryDelayMs(times: number): number {
  return Math.min(100 * 2 ** Math.max(0, times - 1), 5_000);
}

export function redisOptions(opts: CreateRedisOptions = {}): { url: string; options: RedisOptions } {
  const given = opts.url ?? process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  const parsed = RedisUrl.safeParse(given);
  if (!parsed.success) throw new Error(`invalid Redis URL ${redactRedisUrl(given)}: ${parsed.error.issues[0]?.message ?? 'not a URL'}`);
  // Normalised (a scheme in capitals is still TLS: ioredis alone would read "REDISS://" as plaintext).
  const u = new URL(given);
  const url = u.toString();
  const secure = u.protocol === 'rediss:';
  if (opts.tls && !secure) throw new Error(`TLS settings are given but the Redis URL ${redactRedisUrl(url)} is redis://: use rediss:// (a redis:// URL would connect in plaintext)`);
  const options: RedisOptions = {
    // BullMQ requires null: a blocked command must wait for the reconnect instead of failing.
    maxRetriesPerRequest: null,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    lazyConnect: false,
    enableReadyCheck: true,
    retryStrategy: (times) => (opts.maxConnectAttempts !== undefined && times >= opts.maxConnectAttempts ? null : retryDelayMs(times)),
    // After a Sentinel failover the old master turns replica: reconnect and resend the command.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...(opts.connectionName ? { connectionName: opts.connectionName } : {}),
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    // Explicit either way: TLS exactly when the URL says rediss://.
    tls: secure ? { ...opts.tls } : undefined,
  };
  if (opts.sentinels?.length) {
    Object.assign(options, {
      sentinels: opts.sentinels,
      name: opts.name ?? process.env['REDIS_SENTINEL_NAME'] ?? 'mymaster',
      sentinelRetryStrategy: (times: number) => (opts.maxConnectAttempts !== undefined && times >= opts.maxConnectAttempts ? null : retryDelayMs(times)),
      // A graceful switchover leaves the old primary up and writable until the sentinels demote it:
      // drop the connection as soon as they announce the new one (+switch-master).
      failoverDetector: true,
      ...(opts.sentinelUsername ? { sentinelUsername: opts.sentinelUsername } : {}),
      ...(opts.sentinelPassword ? { sentinelPassword: opts.sentinelPassword } : {}),
      ...(opts.sentinelTls ? { sentinelTLS: { ...opts.sentinelTls } } : {}),
      ...(!opts.username && u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(!opts.password && u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
      // ioredis connects to the primary a sentinel names in plaintext unless told otherwise.
      ...(secure ? { enableTLSForSentinelMode: true } : {}),
    } satisfies RedisOptions);
  }
  return { url, options };
}

/** Whether this connection's socket is TLS (checked at start against what the configuration asked). */
export function isEncrypted(redis: Redis): boolean {
  const stream = (redis as unknown as { stream?: { encrypted?: boolean } }).stream;
  return stream?.encrypted === true;
}

export function createRedis(opts: CreateRedisOptions = {}): Redis {
  const { url, options } = redisOptions(opts);
  const redis = opts.sentinels?.length ? new Redis(options) : new Redis(url, options);
  const log = opts.log ?? silentLogger;
  const where = opts.sentinels?.length ? `sentinel ${options.name ?? ''}` : redactRedisUrl(url);
  const secrets = [url, opts.password, opts.sentinelPassword].filter((x): x is string => !!x);
  let last = '';
  // A listener is required (ioredis prints unhandled errors itself); messages never hold the password.
  redis.on('error', (err: Error) => {
    const message = secrets.reduce((m, secret, i) => m.split(secret).join(i === 0 ? where : '***'), err.message);
    if (message === last) return;
    last = message;
    log.warn({ redis: where }, `redis: ${message}`);
  });
  redis.on('ready', () => {
    if (last) log.info({ redis: where }, 'redis: connected again');
    last = '';
  });
  if (opts.sentinels?.length) releaseFailoverDetector(redis);
  return redis;
}

/**
 * ioredis' QUIT ends a Sentinel connection but leaves its failover detector's sentinel
 * subscriptions open, reconnecting forever: end them with the connection, on duplicates too
 * (BullMQ duplicates the connection for its blocking commands and QUITs it on close).
 */
function releaseFailoverDetector(redis: Redis): void {
  redis.once('end', () => redis.disconnect());
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => {
    const copy = duplicate(override);
    releaseFailoverDetector(copy);
    return copy;
  };
}

/** A Lua script run through EVALSHA, loaded on first use per connection (ioredis defineCommand). */
export interface LuaScript {
  /** Unique command name on the connection. */
  name: string;
  numberOfKeys: number;
  lua: string;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

export async function runLua(redis: Redis, script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) throw new Error(`${script.name}: expected ${script.numberOfKeys} keys, got ${keys.length}`);
  const commands = redis as unknown as Record<string, ScriptFn | undefined>;
  if (typeof commands[script.name] !== 'function') redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  return (commands[script.name] as ScriptFn)(...keys, ...args);
}
