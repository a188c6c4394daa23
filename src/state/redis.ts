// The one way bot and workers connect to Redis: REDIS_URL (or redis://127.0.0.1:6379), or Redis
// Sentinel through ioredis options. Options suit BullMQ (maxRetriesPerRequest null) and survive a
// restarted or failed-over server (retry with capped backoff, reconnect on READONLY). The URL's
// password never reaches an error message or a log line: everything shows `redactRedisUrl(url)`.
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { silentLogger, type Logger } from '../log.ts';

export type { Redis };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface CreateRedisOptions {
  /** redis:// or rediss:// URL. Default: REDIS_URL, else redis://127.0.0.1:6379. */
  url?: string;
  /** Sentinels to ask for the current master; then `url` only supplies credentials, db and TLS. */
  sentinels?: { host: string; port: number }[];
  /** The Sentinel master group name (ioredis `name`). Default: REDIS_SENTINEL_NAME, else "mymaster". */
  name?: string;
  sentinelPassword?: string;
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
  const url = opts.url ?? process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  const parsed = RedisUrl.safeParse(url);
  if (!parsed.success) throw new Error(`invalid Redis URL ${redactRedisUrl(url)}: ${parsed.error.issues[0]?.message ?? 'not a URL'}`);
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
  };
  if (opts.sentinels?.length) {
    const u = new URL(url);
    Object.assign(options, {
      sentinels: opts.sentinels,
      name: opts.name ?? process.env['REDIS_SENTINEL_NAME'] ?? 'mymaster',
      sentinelRetryStrategy: retryDelayMs,
      ...(opts.sentinelPassword ? { sentinelPassword: opts.sentinelPassword } : {}),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    } satisfies RedisOptions);
  }
  return { url, options };
}

export function createRedis(opts: CreateRedisOptions = {}): Redis {
  const { url, options } = redisOptions(opts);
  const redis = opts.sentinels?.length ? new Redis(options) : new Redis(url, options);
  const log = opts.log ?? silentLogger;
  const where = opts.sentinels?.length ? `sentinel ${options.name ?? ''}` : redactRedisUrl(url);
  let last = '';
  // A listener is required (ioredis prints unhandled errors itself); messages never hold the password.
  redis.on('error', (err: Error) => {
    const message = err.message.split(url).join(where);
    if (message === last) return;
    last = message;
    log.warn({ redis: where }, `redis: ${message}`);
  });
  redis.on('ready', () => {
    if (last) log.info({ redis: where }, 'redis: connected again');
    last = '';
  });
  return redis;
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
