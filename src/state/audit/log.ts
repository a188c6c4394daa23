// The audit trail: every entry goes to the stream `rdp-medic:audit` (XADD MAXLEN ~ maxLen) and,
// when it names a host, to that host's own stream `rdp-medic:audit:host:<id>` under the SAME
// stream id (one Lua script, so both or neither). `history HOST` then reads one short stream
// (XREVRANGE COUNT n) instead of filtering the whole trail; the per-host streams are trimmed
// harder (hostMaxLen) because they only serve chat. Export reads the main stream. Each entry
// carries its format version ("v"); one this version cannot read is reported and left out.
import { randomUUID } from 'node:crypto';
import { runLua, type LuaScript, type Redis } from '../redis.ts';
import type { ForeignRecordReporter } from '../record.ts';
import { NO_CONFIRM, type WriteConfirmer } from '../durable.ts';
import { AUDIT_FORMAT, AuditInput, isLookup, MAX_DATA_CHARS, readStreamEntry, type AuditEntry } from './entry.ts';
import { redactedJson } from '../../lib/scrub.ts';

export interface AuditOptions {
  /** Approximate length cap of the main stream. Default: 1,000,000 entries. */
  maxLen?: number;
  /** Approximate length cap of each host's stream. Default: 1,000 entries. */
  hostMaxLen?: number;
  /** Key prefix. Default: "rdp-medic". */
  prefix?: string;
  /** Where entries this version cannot read are reported. Default: nowhere. */
  report?: ForeignRecordReporter;
  /** Confirms appends on a replica (an audit trail loses nothing in a failover). Default: none. */
  confirm?: WriteConfirmer;
}

export interface HistoryOptions {
  /** Keep answered `history`/`status` lookups (left out by default: they are the history's own noise). */
  includeLookups?: boolean;
}

/** Most entries one `history` reads past (lookups, unreadable entries) before it stops looking. */
const HISTORY_SCAN_LIMIT = 2_000;

/**
 * KEYS[1] main stream, KEYS[2] host stream (or "" for none), KEYS[3] the entry's once-key;
 * ARGV maxLen, hostMaxLen, once ttl ms, fields... An entry whose once-key exists was appended
 * already (a write re-run after a failover): its id is returned and nothing is added twice.
 */
const APPEND: LuaScript = {
  name: 'rdpMedicAuditAppendOnce',
  numberOfKeys: 3,
  lua: `
local seen = redis.call('GET', KEYS[3])
if seen then return seen end
local fields = {unpack(ARGV, 4)}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
if KEYS[2] ~= '' then
  -- The host stream takes the same id; should it ever be ahead (a deleted main stream), take a new one.
  local ok = pcall(redis.call, 'XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, unpack(fields))
  if not ok then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields)) end
end
redis.call('SET', KEYS[3], id, 'PX', ARGV[3])
return id
`,
};

/** How long an entry remembers it was appended (longer than any failover's retries). */
const ONCE_MS = 10 * 60_000;

export const auditKey = (prefix = 'rdp-medic'): string => `${prefix}:audit`;
export const hostAuditKey = (host: string, prefix = 'rdp-medic'): string => `${prefix}:audit:host:${host.toLowerCase()}`;

function dataJson(data: unknown): string {
  const text = redactedJson(data);
  if (text.length <= MAX_DATA_CHARS) return text;
  return JSON.stringify({ truncated: true, chars: text.length, head: text.slice(0, MAX_DATA_CHARS - 200) });
}

export class AuditLog {
  private readonly maxLen: number;
  private readonly hostMaxLen: number;
  private readonly prefix: string;
  private readonly report: ForeignRecordReporter;
  private readonly confirm: WriteConfirmer;

  constructor(
    private readonly redis: Redis,
    opts: AuditOptions = {},
  ) {
    this.maxLen = opts.maxLen ?? 1_000_000;
    this.hostMaxLen = opts.hostMaxLen ?? 1_000;
    this.prefix = opts.prefix ?? 'rdp-medic';
    this.report = opts.report ?? (() => undefined);
    this.confirm = opts.confirm ?? NO_CONFIRM;
  }

  get key(): string {
    return auditKey(this.prefix);
  }

  /** Appends one entry (validated, redacted), once, confirmed on a replica; returns its stream id. */
  async append(input: AuditInput): Promise<string> {
    const e = AuditInput.parse(input);
    const fields = ['v', String(AUDIT_FORMAT), 'ts', new Date().toISOString(), 'kind', e.kind, 'host', e.host ?? '', 'actor', e.actor, 'actorName', e.actorName, 'data', dataJson(e.data)];
    const keys = [this.key, e.host === null ? '' : hostAuditKey(e.host, this.prefix), `${this.prefix}:audit-once:${randomUUID()}`];
    return (await this.confirm.durably(() => runLua(this.redis, APPEND, keys, [this.maxLen, this.hostMaxLen, ONCE_MS, ...fields]))) as string;
  }

  /** The host's most recent entries, newest first (without its answered lookups unless asked). */
  async historyOf(host: string, limit = 10, opts: HistoryOptions = {}): Promise<AuditEntry[]> {
    const want = Math.max(1, Math.min(limit, 1000));
    const key = hostAuditKey(host, this.prefix);
    const out: AuditEntry[] = [];
    let end = '+';
    for (let scanned = 0; out.length < want && scanned < HISTORY_SCAN_LIMIT; ) {
      const rows = await this.redis.xrevrange(key, end, '-', 'COUNT', want);
      for (const [id, flat] of rows) {
        const r = readStreamEntry(id, flat);
        if (!r.ok) this.report({ store: 'audit entry', key: `${key} ${id}`, problem: r.problem });
        else if (opts.includeLookups || !isLookup(r.value)) out.push(r.value);
        if (out.length === want) break;
      }
      scanned += rows.length;
      if (rows.length < want) break;
      end = `(${rows[rows.length - 1]![0]}`;
    }
    return out;
  }
}
