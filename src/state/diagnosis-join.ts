// One diagnosis per host at a time: a request while one runs joins it, and every waiter gets the
// answer. In Redis: `<p>:diag:active:<host>` holds the running run id; `<p>:diag:waiters:<run>` the
// waiters ("c:<conversation>" or "f:<fleet conversation>"). Joining and finishing are Lua scripts,
// so a waiter that joins while the worker finishes is either answered by that run or starts a new one.
import type { WriteConfirmer } from './durable.ts';
import { runLua, type LuaScript, type Redis } from './redis.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';

export type Waiter = { kind: 'conversation'; conversationId: string } | { kind: 'fleet'; conversationId: string };

export const encodeWaiter = (w: Waiter): string => `${w.kind === 'fleet' ? 'f' : 'c'}:${w.conversationId}`;
export function decodeWaiter(s: string): Waiter | null {
  const m = /^([cf]):(r-[0-9a-z]+)$/.exec(s);
  if (!m) return null;
  return { kind: m[1] === 'f' ? 'fleet' : 'conversation', conversationId: m[2]! };
}

/** KEYS[1] active; ARGV waiter, new run id, ttl ms, waiters key prefix. Returns {run, created}. */
const JOIN: LuaScript = {
  name: 'rdpMedicDiagnosisJoin',
  numberOfKeys: 1,
  lua: `
local run = redis.call('GET', KEYS[1])
local created = 0
if not run then
  run = ARGV[2]
  created = 1
  redis.call('SET', KEYS[1], run, 'PX', ARGV[3])
end
local waiters = ARGV[4] .. run
redis.call('SADD', waiters, ARGV[1])
redis.call('PEXPIRE', waiters, ARGV[3])
return {run, created}
`,
};

/**
 * KEYS[1] active, KEYS[2] waiters; ARGV run id, how many waiters the caller answered, keep ms.
 * Finishes only if nobody joined since the caller read the set; else returns 0 (read again).
 */
const FINISH: LuaScript = {
  name: 'rdpMedicDiagnosisFinish',
  numberOfKeys: 2,
  lua: `
if redis.call('SCARD', KEYS[2]) > tonumber(ARGV[2]) then return 0 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`,
};

export class DiagnosisJoin {
  private readonly confirm: WriteConfirmer;
  /** A run that never finishes (lost beyond recovery) stops absorbing requests after this. */
  private readonly runTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions & { runTtlMs?: number } = {},
  ) {
    this.confirm = confirmerOf(opts);
    this.runTtlMs = opts.runTtlMs ?? 10 * 60_000;
  }

  private activeKey = (host: string): string => `${this.prefix}:diag:active:${host.toLowerCase()}`;
  private waitersPrefix = (): string => `${this.prefix}:diag:waiters:`;

  /** Joins the host's running diagnosis or starts one with `newRun`; `created` says which. */
  async join(host: string, waiter: Waiter, newRun: string): Promise<{ runId: string; created: boolean }> {
    // Confirmed (a waiter lost in a failover is never answered); a re-run that finds the run it
    // created itself still reports it as created, so its job is queued.
    const [runId, created] = (await this.confirm.durably(() => runLua(this.redis, JOIN, [this.activeKey(host)], [encodeWaiter(waiter), newRun, this.runTtlMs, this.waitersPrefix()]))) as [string, number];
    return { runId, created: created === 1 || runId === newRun };
  }

  async waiters(runId: string): Promise<Waiter[]> {
    const raw = await this.redis.smembers(this.waitersPrefix() + runId);
    return raw.map(decodeWaiter).filter((w): w is Waiter => w !== null);
  }

  /**
   * Ends the run once every waiter is answered: `answer` is called with the waiters not yet
   * answered, again if more joined meanwhile. Answering must be idempotent (a retried job calls
   * it again for the same waiters); the waiter set is kept an hour for that.
   */
  async finish(host: string, runId: string, answer: (waiters: Waiter[]) => Promise<void>): Promise<void> {
    const done = new Set<string>();
    for (;;) {
      const all = await this.waiters(runId);
      const fresh = all.filter((w) => !done.has(encodeWaiter(w)));
      if (fresh.length) await answer(fresh);
      fresh.forEach((w) => done.add(encodeWaiter(w)));
      const finished = await this.confirm.durably(() => runLua(this.redis, FINISH, [this.activeKey(host), this.waitersPrefix() + runId], [runId, all.length, 3_600_000]));
      if (finished === 1) return;
    }
  }
}
