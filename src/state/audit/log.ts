// The audit trail: every entry goes to the stream `rdp-medic:audit` (XADD MAXLEN ~ maxLen) and,
// when it names a host, to that host's own stream `rdp-medic:audit:host:<id>` under the SAME
// stream id (one Lua script, so both or neither). `history HOST` then reads one short stream
// (XREVRANGE COUNT n) instead of filtering the whole trail; the per-host streams are trimmed
// harder (hostMaxLen) because they only serve chat. Export reads the main stream.
import { runLua, type LuaScript, type Redis } from '../redis.ts';
import { AuditInput, entryFromStream, MAX_DATA_CHARS, type AuditEntry } from './entry.ts';
import { redact } from '../../lib/scrub.ts';

export interface AuditOptions {
  /** Approximate length cap of the main stream. Default: 1,000,000 entries. */
  maxLen?: number;
  /** Approximate length cap of each host's stream. Default: 1,000 entries. */
  hostMaxLen?: number;
  /** Key prefix. Default: "rdp-medic". */
  prefix?: string;
}

/** KEYS[1] main stream, KEYS[2] host stream; ARGV maxLen, hostMaxLen, fields... */
const APPEND_BOTH: LuaScript = {
  name: 'rdpMedicAuditAppend',
  numberOfKeys: 2,
  lua: `
local fields = {unpack(ARGV, 3)}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
-- The host stream takes the same id; should it ever be ahead (a deleted main stream), take a new one.
local ok = pcall(redis.call, 'XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, unpack(fields))
if not ok then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields)) end
return id
`,
};

export const auditKey = (prefix = 'rdp-medic'): string => `${prefix}:audit`;
export const hostAuditKey = (host: string, prefix = 'rdp-medic'): string => `${prefix}:audit:host:${host.toLowerCase()}`;

function dataJson(data: unknown): string {
  const text = JSON.stringify(redact(data));
  if (text.length <= MAX_DATA_CHARS) return text;
  return JSON.stringify({ truncated: true, chars: text.length, head: text.slice(0, MAX_DATA_CHARS - 200) });
}

export class AuditLog {
  private readonly maxLen: number;
  private readonly hostMaxLen: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    opts: AuditOptions = {},
  ) {
    this.maxLen = opts.maxLen ?? 1_000_000;
    this.hostMaxLen = opts.hostMaxLen ?? 1_000;
    this.prefix = opts.prefix ?? 'rdp-medic';
  }

  get key(): string {
    return auditKey(this.prefix);
  }

  /** Appends one entry (validated, redacted); returns its stream id. */
  async append(input: AuditInput): Promise<string> {
    const e = AuditInput.parse(input);
    const fields = ['ts', new Date().toISOString(), 'kind', e.kind, 'host', e.host ?? '', 'actor', e.actor, 'actorName', e.actorName, 'data', dataJson(e.data)];
    if (e.host === null) {
      const id = await this.redis.xadd(this.key, 'MAXLEN', '~', this.maxLen, '*', ...fields);
      return id as string;
    }
    const keys = [this.key, hostAuditKey(e.host, this.prefix)];
    return (await runLua(this.redis, APPEND_BOTH, keys, [this.maxLen, this.hostMaxLen, ...fields])) as string;
  }

  /** The host's most recent entries, newest first. */
  async historyOf(host: string, limit = 10): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(hostAuditKey(host, this.prefix), '+', '-', 'COUNT', Math.max(1, Math.min(limit, 1000)));
    return rows.map(([id, flat]) => entryFromStream(id, flat));
  }
}
