// One fix per host at a time. The lock names who holds it and since when, so a second request is
// told "work-pc is being repaired by @alice, started 2 min ago". Released only by its holder.
import { z } from 'zod';
import { mention } from '../chat/mention.ts';
import { ChatUser } from '../chat/model.ts';
import { runLua, type LuaScript, type Redis } from './redis.ts';

export const LockHolder = z.object({ owner: z.string(), by: ChatUser, what: z.string(), since: z.string().datetime() }).strict();
export type LockHolder = z.infer<typeof LockHolder>;

const RELEASE: LuaScript = {
  name: 'rdpMedicFixLockRelease',
  numberOfKeys: 1,
  lua: `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

export class FixLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Longest a fix may hold a host (a crashed holder's lock expires). */
    private readonly ttlMs = 15 * 60_000,
  ) {}

  private key = (host: string): string => `${this.prefix}:fixlock:${host.toLowerCase()}`;

  /** Takes the lock, or returns who holds it. Re-taking a lock you own succeeds (a retried job). */
  async acquire(host: string, holder: Omit<LockHolder, 'since'>): Promise<{ ok: true } | { ok: false; holder: LockHolder }> {
    const mine: LockHolder = { ...holder, since: new Date().toISOString() };
    const set = await this.redis.set(this.key(host), JSON.stringify(mine), 'PX', this.ttlMs, 'NX');
    if (set === 'OK') return { ok: true };
    const current = await this.holder(host);
    if (!current) return this.acquire(host, holder);
    if (current.owner === holder.owner) return { ok: true };
    return { ok: false, holder: current };
  }

  async holder(host: string): Promise<LockHolder | null> {
    const raw = await this.redis.get(this.key(host));
    if (!raw) return null;
    const parsed = LockHolder.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async release(host: string, owner: string): Promise<void> {
    await runLua(this.redis, RELEASE, [this.key(host)], [owner]);
  }
}

/** "work-pc is being repaired by @alice (regenerate the RDP certificate), started 2 min ago". */
export function busyMessage(host: string, holder: LockHolder, now = Date.now()): string {
  const mins = Math.max(0, Math.round((now - Date.parse(holder.since)) / 60_000));
  const ago = mins === 0 ? 'just now' : `${mins} min ago`;
  return `${host} is being repaired by ${mention(holder.by)} (${holder.what}), started ${ago}. Try again when it finishes.`;
}
