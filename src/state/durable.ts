// Writes that must survive a failover. A graceful Sentinel switchover promotes a replica while the
// old primary keeps accepting writes until the sentinels demote it; whatever reaches it in between
// is lost, and a job that already posted its answer or changed its host then runs again. So the
// writes that guard such effects (approval transitions, delivery receipts, undo records, queued
// jobs, the audit trail, a job's own activation) are confirmed before the effect:
//   WAIT until `replicas` replicas have them (Sentinel promotes the replica with the most data, so
//   a write on one replica survives the promotion), all on one connection: a reconnect between
//   the write and the WAIT (the failover detector drops the old primary) voids the confirmation;
//   fewer replicas than asked (the old primary died and only the new one is left) is accepted
//   only when the sentinels agree this server is the primary and no failover is running.
// durably() re-runs an unconfirmed write once the connection has moved, so writes passed to it must
// be idempotent (or recognise their own earlier success, as approval transitions do).
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { errorText } from '../lib/error-text.ts';
import { silentLogger, type Logger } from '../log.ts';

export class UnconfirmedWriteError extends Error {
  override readonly name = 'UnconfirmedWriteError';
}

export interface WriteConfirmer {
  /** Replicas a write must reach (0: nothing is waited for). */
  readonly replicas: number;
  /** Runs `write` until a replica has it (re-run after a failover; it must be idempotent). */
  durably<T>(write: () => Promise<T>): Promise<T>;
  /**
   * Confirms that this server still holds `key` = `value` and that a replica has it (a BullMQ job's
   * lock right after the job was taken: an activation lost in a failover must not run twice).
   * Throws UnconfirmedWriteError when it does not, or cannot be confirmed.
   */
  confirmHeld(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** For a Redis without replicas to wait for (and tests of single stores). */
export const NO_CONFIRM: WriteConfirmer = {
  replicas: 0,
  durably: (write) => write(),
  confirmHeld: async () => undefined,
  close: async () => undefined,
};

export interface SentinelAccess {
  sentinels: { host: string; port: number }[];
  name: string;
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
}

export interface ConfirmerOptions {
  replicas: number;
  /** One WAIT at most this long. */
  timeoutMs: number;
  /** Give up (UnconfirmedWriteError) after this long. Default: max(30 s, 20 x timeoutMs). */
  deadlineMs?: number;
  /** A key of our own the confirmation writes to (INCR) to have something to wait for. */
  barrierKey: string;
  /** The sentinels to ask when fewer replicas than asked acknowledge. */
  sentinel?: SentinelAccess;
  log?: Logger;
}

type Verdict = 'confirmed' | 'unconfirmed' | 'not-primary';

/** SENTINEL MASTER's flat [field, value, ...] reply into a map. */
function fields(flat: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]), String(flat[i + 1]));
  return out;
}

class ReplicaConfirmer implements WriteConfirmer {
  private epoch = 0;
  private runId: { epoch: number; id: string } | null = null;
  private readonly sentinels: Redis[];
  private readonly deadlineMs: number;
  private readonly log: Logger;
  private degradedSince: number | null = null;
  private readonly onClose = (): void => {
    this.epoch++;
  };

  constructor(
    private readonly redis: Redis,
    private readonly opts: ConfirmerOptions,
  ) {
    this.deadlineMs = opts.deadlineMs ?? Math.max(30_000, 20 * opts.timeoutMs);
    this.log = opts.log ?? silentLogger;
    redis.on('close', this.onClose);
    const s = opts.sentinel;
    this.sentinels = (s?.sentinels ?? []).map((at) => {
      const options: RedisOptions = {
        host: at.host,
        port: at.port,
        lazyConnect: true,
        connectTimeout: opts.timeoutMs,
        commandTimeout: opts.timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: true,
        retryStrategy: () => opts.timeoutMs,
        ...(s?.username ? { username: s.username } : {}),
        ...(s?.password ? { password: s.password } : {}),
        ...(s?.tls ? { tls: { ...s.tls } } : {}),
      };
      const client = new Redis(options);
      client.on('error', () => undefined);
      return client;
    });
  }

  get replicas(): number {
    return this.opts.replicas;
  }

  private async ourRunId(epoch: number): Promise<string> {
    if (this.runId?.epoch === epoch) return this.runId.id;
    const info = await this.redis.info('server');
    const id = /^run_id:(\w+)/m.exec(info)?.[1] ?? '';
    this.runId = { epoch, id };
    return id;
  }

  /** Whether the sentinels (a majority of them, none disagreeing) name this server the primary, with no failover running. */
  private async sentinelsSayPrimary(epoch: number): Promise<'yes' | 'no' | 'unsure'> {
    const s = this.opts.sentinel;
    if (!s || this.sentinels.length === 0) return 'yes';
    const ours = await this.ourRunId(epoch);
    const replies = await Promise.all(
      this.sentinels.map(async (client) => {
        try {
          return fields(await client.call('SENTINEL', 'MASTER', s.name));
        } catch {
          return null;
        }
      }),
    );
    const answered = replies.filter((r): r is Map<string, string> => r !== null && r.size > 0);
    if (answered.length <= this.sentinels.length / 2) return 'unsure';
    if (answered.some((r) => (r.get('flags') ?? '').includes('failover_in_progress'))) return 'unsure';
    const named = new Set(answered.map((r) => r.get('runid') ?? ''));
    if (named.size === 1 && named.has(ours)) return 'yes';
    return named.size === 1 && !named.has('') ? 'no' : 'unsure';
  }

  /** Is everything this connection wrote (in `epoch`) on enough replicas, or safely on the primary alone? */
  private async check(epoch: number): Promise<Verdict> {
    const role = (await this.redis.call('ROLE')) as [string, unknown, unknown[]?];
    if (role[0] !== 'master') return 'not-primary';
    const connected = Array.isArray(role[2]) ? role[2].length : 0;
    const want = Math.min(this.opts.replicas, connected);
    const acks = want > 0 ? Number(await this.redis.wait(want, this.opts.timeoutMs)) : 0;
    if (this.epoch !== epoch) return 'unconfirmed';
    if (acks >= this.opts.replicas) {
      if (this.degradedSince !== null) this.log.info({}, 'redis: writes are confirmed on replicas again');
      this.degradedSince = null;
      return 'confirmed';
    }
    const primary = await this.sentinelsSayPrimary(epoch);
    if (this.epoch !== epoch) return 'unconfirmed';
    if (primary === 'no') return 'not-primary';
    if (primary === 'unsure') return 'unconfirmed';
    if (this.degradedSince === null) {
      this.degradedSince = Date.now();
      this.log.warn({ replicas: this.opts.replicas, acknowledged: acks, connected }, 'redis: fewer replicas than redis.confirmReplicas acknowledge writes; the sentinels name this server the primary, so writes are kept on it alone until a replica is back');
    }
    return 'confirmed';
  }

  /** Until the connection has moved (closed and ready again) or one timeout passed. */
  private settle(epoch: number): Promise<void> {
    if (this.epoch !== epoch && this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.opts.timeoutMs);
      this.redis.on('ready', done);
    });
  }

  private async attempt<T>(what: string, step: () => Promise<T>, onVerdict: (v: Verdict, value: T) => Promise<boolean> | boolean): Promise<T> {
    const deadline = Date.now() + this.deadlineMs;
    let last = '';
    for (;;) {
      const epoch = this.epoch;
      try {
        const value = await step();
        const verdict = await this.check(epoch);
        if (await onVerdict(verdict, value)) return value;
        last = verdict;
        // Still on the demoted primary after the sentinels moved on: ask them again.
        if (verdict === 'not-primary' && this.epoch === epoch) this.redis.disconnect(true);
      } catch (e) {
        if (e instanceof UnconfirmedWriteError) throw e;
        last = errorText(e);
        // A write refused by a demoted primary (READONLY) is retried after the reconnect; anything
        // else is the write's own failure and is the caller's.
        if (!/READONLY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN|Connection is closed|connection lost|ECONNRESET|EPIPE/i.test(last)) throw e;
      }
      if (Date.now() > deadline) throw new UnconfirmedWriteError(`${what}: no replica confirmed it within ${this.deadlineMs} ms (${last}); Redis may be failing over`);
      await this.settle(epoch);
    }
  }

  durably<T>(write: () => Promise<T>): Promise<T> {
    return this.attempt('a write', write, (verdict) => verdict === 'confirmed');
  }

  async confirmHeld(key: string, value: string): Promise<void> {
    await this.attempt(
      `${key}`,
      async () => {
        await this.redis.incr(this.opts.barrierKey);
        return this.redis.get(key);
      },
      (verdict, held) => {
        if (verdict !== 'confirmed') return false;
        if (held !== value) throw new UnconfirmedWriteError(`${key} is not held here (a failover lost it): leaving the job to the worker that holds it`);
        return true;
      },
    );
  }

  async close(): Promise<void> {
    this.redis.off('close', this.onClose);
    for (const s of this.sentinels) s.disconnect();
  }
}

export function writeConfirmer(redis: Redis, opts: ConfirmerOptions): WriteConfirmer {
  return opts.replicas > 0 ? new ReplicaConfirmer(redis, opts) : NO_CONFIRM;
}
