// One fix per host at a time. The lock names who holds it and since when, so a second request is
// told "work-pc is being repaired by @alice, started 2 min ago". Released only by its holder.
// Taking it is one Lua script (set if free, else return what holds it): no read-retry loop, so a
// lock this version cannot read (another version wrote it) is reported as busy until it expires,
// never overwritten and never spun on.
import { z } from 'zod';
import { mention } from '../chat/mention.ts';
import { ChatUser } from '../chat/model.ts';
import type { WriteConfirmer } from './durable.ts';
import { RecordFormat } from './record.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';
import { runLua, type LuaScript, type Redis } from './redis.ts';

export const LockHolder = z.object({ owner: z.string(), by: ChatUser, what: z.string(), since: z.string().datetime() }).strict();
export type LockHolder = z.infer<typeof LockHolder>;

/** A lock another version of rdp-medic holds (or one this version cannot read): busy until it expires. */
export interface ForeignLock {
  foreign: string;
  /** null: the value has no expiry (someone set it by hand, or a version without one). */
  expiresInMs: number | null;
  key: string;
}

/** Who holds a host's lock, as far as this version can tell. */
export type LockState = LockHolder | ForeignLock;

export const isForeignLock = (s: LockState): s is ForeignLock => 'foreign' in s;

export const FIX_LOCK_FORMAT = 1;

/** KEYS[1] lock; ARGV value, ttl ms. Returns {1} when taken, else {0, current value, pttl}. */
const ACQUIRE: LuaScript = {
  name: 'rdpMedicFixLockAcquire',
  numberOfKeys: 1,
  lua: `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1} end
return {0, redis.call('GET', KEYS[1]) or '', redis.call('PTTL', KEYS[1])}
`,
};

/** KEYS[1] lock; ARGV owner. A value that is not our JSON (another version's) is left alone. */
const RELEASE: LuaScript = {
  name: 'rdpMedicFixLockRelease',
  numberOfKeys: 1,
  lua: `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, decoded = pcall(cjson.decode, v)
if ok and type(decoded) == 'table' and decoded.owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

export class FixLock {
  private readonly format: RecordFormat<typeof LockHolder>;
  private readonly confirm: WriteConfirmer;
  /** Longest a fix may hold a host (a crashed holder's lock expires). */
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions & { ttlMs?: number } = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 15 * 60_000;
    this.format = new RecordFormat('fix lock', FIX_LOCK_FORMAT, LockHolder, opts.report);
    this.confirm = confirmerOf(opts);
  }

  private key = (host: string): string => `${this.prefix}:fixlock:${host.toLowerCase()}`;

  private stateOf(raw: string, pttl: number, key: string): LockState {
    const holder = this.format.decode(raw, key);
    if (holder) return holder;
    const r = this.format.read(raw);
    return { foreign: r.ok ? 'unreadable' : r.problem, expiresInMs: pttl >= 0 ? pttl : null, key };
  }

  /** Takes the lock, or returns who holds it. Re-taking a lock you own succeeds (a retried job). */
  async acquire(host: string, holder: Omit<LockHolder, 'since'>): Promise<{ ok: true } | { ok: false; holder: LockState }> {
    const mine = this.format.encode({ ...holder, since: new Date().toISOString() });
    const key = this.key(host);
    // Confirmed: a lock lost in a failover would let a second fix start on the host. A re-run
    // finds its own lock and is taken as success below.
    const [taken, current, pttl] = (await this.confirm.durably(() => runLua(this.redis, ACQUIRE, [key], [mine, this.ttlMs]))) as [number, string?, number?];
    if (taken === 1) return { ok: true };
    const state = this.stateOf(current ?? '', Number(pttl ?? 0), key);
    if (!isForeignLock(state) && state.owner === holder.owner) return { ok: true };
    return { ok: false, holder: state };
  }

  async holder(host: string): Promise<LockState | null> {
    const key = this.key(host);
    const [raw, pttl] = await this.redis.multi().get(key).pttl(key).exec().then((r) => [r?.[0]?.[1] as string | null, Number(r?.[1]?.[1] ?? 0)] as const);
    return raw === null ? null : this.stateOf(raw, pttl, key);
  }

  async release(host: string, owner: string): Promise<void> {
    await this.confirm.durably(() => runLua(this.redis, RELEASE, [this.key(host)], [owner]));
  }
}

/** "work-pc is being repaired by @alice (regenerate the RDP certificate), started 2 min ago". */
export function busyMessage(host: string, holder: LockState, now = Date.now()): string {
  if (isForeignLock(holder)) {
    const base = `${host} is locked by a fix lock this version of rdp-medic cannot read (${holder.foreign}).`;
    if (holder.expiresInMs === null) return `${base} It never expires: once no other version's worker is fixing ${host}, delete it (redis-cli DEL ${holder.key}).`;
    return `${base} It expires in ${Math.max(1, Math.ceil(holder.expiresInMs / 60_000))} min; try again then (or finish upgrading every bot and worker).`;
  }
  const mins = Math.max(0, Math.round((now - Date.parse(holder.since)) / 60_000));
  const ago = mins === 0 ? 'just now' : `${mins} min ago`;
  return `${host} is being repaired by ${mention(holder.by)} (${holder.what}), started ${ago}. Try again when it finishes.`;
}
