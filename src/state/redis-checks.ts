// What bot and workers check about their Redis before they take any work, and say in plain words
// when it is wrong: Redis Cluster (not supported), a replica instead of the primary, a connection
// that is not TLS although rediss:// asked for it, an eviction policy that may drop queued jobs and
// locks, and a Redis that keeps nothing across a restart. INFO is enough for most of it (managed
// offerings often disable CONFIG); CONFIG GET is asked for the RDB save rules and appendfsync only.
import type { RedisSettings } from '../config/redis-settings.ts';
import { errorText } from '../lib/error-text.ts';
import { isEncrypted, type Redis } from './redis.ts';

export interface RedisCheckReport {
  /** Each one stops the start (what is wrong and what to change). */
  problems: string[];
  /** Worth a log line; the process starts. */
  warnings: string[];
}

export interface RedisCheckOptions {
  /** The configuration asked for TLS (a rediss:// URL). */
  expectTls: boolean;
  /** Under Sentinel (replicas expected). */
  sentinel: boolean;
  /** Replicas that writes which must survive a failover wait for. */
  confirmReplicas: number;
}

export class RedisNotFitError extends Error {
  override readonly name = 'RedisNotFitError';
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`Redis (${where}) is not fit for rdp-medic:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** INFO's "key:value" lines into a map (section headers and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** CONFIG GET one parameter, or null when the server refuses CONFIG (managed offerings). */
async function configGet(redis: Redis, name: string): Promise<string | null> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
    return reply.length >= 2 ? reply[1]! : null;
  } catch {
    return null;
  }
}

/** "3600 1 300 100" -> the longest interval in seconds (0: no rules). */
export function longestSaveInterval(save: string): number {
  const nums = save.trim().split(/\s+/).filter(Boolean).map(Number);
  let longest = 0;
  for (let i = 0; i + 1 < nums.length; i += 2) longest = Math.max(longest, nums[i]!);
  return longest;
}

const minutes = (s: number): string => (s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

/** Persistence: null when it is fine, else why a restart would lose what is stored. */
async function persistenceProblem(redis: Redis, info: Map<string, string>, warnings: string[]): Promise<string | null> {
  if (info.get('aof_enabled') === '1') {
    if (info.get('aof_last_write_status') !== 'ok') return `AOF is on but its last write failed (aof_last_write_status:${info.get('aof_last_write_status') ?? '?'}): the disk is full or not writable; Redis logs say which`;
    const fsync = await configGet(redis, 'appendfsync');
    if (fsync === 'no') warnings.push('appendfsync is "no": the OS decides when AOF reaches the disk (up to ~30 s lost in a power cut); "everysec" loses at most ~1 s');
    return null;
  }
  const save = await configGet(redis, 'save');
  const [nowSeconds] = await redis.time();
  const age = Number(nowSeconds) - Number(info.get('rdb_last_save_time') ?? 0);
  const changes = Number(info.get('rdb_changes_since_last_save') ?? 0);
  const bgsaveOk = info.get('rdb_last_bgsave_status') === 'ok';
  const fix = 'turn on AOF (appendonly yes, appendfsync everysec; on a managed Redis, its persistence setting)';
  if (save === '') return `it does not persist: AOF is off (appendonly no) and RDB snapshots are off (save ""); a restart loses every approval, lock and queued fix. To fix: ${fix}`;
  if (!bgsaveOk) return `AOF is off and the last RDB snapshot failed (rdb_last_bgsave_status:${info.get('rdb_last_bgsave_status') ?? '?'}); to fix: ${fix}, and see the Redis log`;
  if (save === null) {
    // CONFIG is disabled (typical of managed offerings): judge by the snapshots INFO shows.
    if (changes === 0 || age <= 3600) {
      warnings.push(`AOF is off and the save rules cannot be read (CONFIG is disabled); the last RDB snapshot was ${minutes(age)} ago: a crash loses what changed since`);
      return null;
    }
    return `AOF is off, the save rules cannot be read (CONFIG is disabled) and the last RDB snapshot was ${minutes(age)} ago with ${changes} changes since; to fix: ${fix}`;
  }
  const longest = longestSaveInterval(save);
  if (changes > 0 && age > longest + 60) return `AOF is off and the last RDB snapshot was ${minutes(age)} ago with ${changes} changes since, although the save rules ("${save}") ask for one within ${minutes(longest)}; to fix: ${fix}`;
  warnings.push(`AOF is off: RDB snapshots only ("save ${save}"), so a crash loses up to ${minutes(longest)} of approvals and fixes in flight; AOF (appendfsync everysec) loses at most ~1 s`);
  return null;
}

/** Everything this build needs from its Redis, judged against the `redis` settings. */
export async function checkRedis(redis: Redis, settings: Pick<RedisSettings, 'requirePersistence' | 'requireNoEviction'>, opts: RedisCheckOptions): Promise<RedisCheckReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const info = parseInfo(await redis.info());
  if (info.get('cluster_enabled') === '1') {
    problems.push(
      'it is a Redis Cluster, which rdp-medic does not support (its queues and scripts use keys of several slots). Use one primary with replicas, and Sentinel for failover; on a managed Redis, its non-cluster mode (see the README, "Redis")',
    );
    return { problems, warnings };
  }
  if (info.get('role') !== 'master') problems.push(`it is a replica (role:${info.get('role') ?? '?'}), which refuses writes: point redis.url at the primary, or use redis.sentinels`);
  if (opts.expectTls && !isEncrypted(redis)) problems.push('the connection is not TLS although the URL is rediss://: refusing to send anything in plaintext');
  const policy = info.get('maxmemory_policy');
  const maxmemory = Number(info.get('maxmemory') ?? 0);
  if (policy && policy !== 'noeviction') {
    const what = `maxmemory-policy is ${policy}: when memory fills, Redis drops keys, and BullMQ's queued jobs and locks, approvals and undo records with them. Set maxmemory-policy noeviction (CONFIG SET, redis.conf, or the managed offering's parameter group)`;
    if (maxmemory > 0 && settings.requireNoEviction) problems.push(`${what}, or set redis.requireNoEviction: false to start anyway`);
    else warnings.push(maxmemory > 0 ? what : `${what}; no maxmemory is set, so nothing is evicted yet`);
  }
  const persistence = await persistenceProblem(redis, info, warnings);
  if (persistence) {
    if (settings.requirePersistence) problems.push(`${persistence}; or set redis.requirePersistence: false to run without (fixes in flight are then lost with a restart)`);
    else warnings.push(`${persistence} (redis.requirePersistence is false: starting anyway)`);
  }
  const replicas = Number(info.get('connected_slaves') ?? 0);
  if (opts.sentinel && replicas === 0) warnings.push('no replica is connected to the primary: a failover has nowhere to go, and writes are confirmed on the primary alone');
  else if (opts.confirmReplicas > replicas) warnings.push(`redis.confirmReplicas is ${opts.confirmReplicas} but ${replicas} replica(s) are connected: writes wait for the replicas there are`);
  return { problems, warnings };
}

/** Runs the checks, logs the warnings, and throws RedisNotFitError naming every problem. */
export async function assertRedisFit(redis: Redis, settings: RedisSettings, opts: RedisCheckOptions & { where: string; warn(message: string): void }): Promise<void> {
  let report: RedisCheckReport;
  try {
    report = await checkRedis(redis, settings, opts);
  } catch (e) {
    throw new RedisNotFitError(opts.where, [`it could not be checked: ${errorText(e)}`]);
  }
  for (const w of report.warnings) opts.warn(`redis (${opts.where}): ${w}`);
  if (report.problems.length) throw new RedisNotFitError(opts.where, report.problems);
}
