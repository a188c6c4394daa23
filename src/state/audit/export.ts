// Reads the whole audit stream (or from a time on) in pages of XRANGE, oldest first, without
// holding it in memory: `rdp-medic audit export` streams it out as JSON lines.
import type { Redis } from '../redis.ts';
import type { ForeignRecordReporter } from '../record.ts';
import { readStreamEntry, type AuditEntry } from './entry.ts';
import { auditKey } from './log.ts';

export interface ExportOptions {
  since?: Date;
  /** Entries per XRANGE. Default: 500. */
  pageSize?: number;
  prefix?: string;
  /** Entries this version cannot read are left out and reported here. Default: nowhere. */
  report?: ForeignRecordReporter;
}

export async function* exportAudit(redis: Redis, opts: ExportOptions = {}): AsyncIterable<AuditEntry> {
  const key = auditKey(opts.prefix);
  const count = opts.pageSize ?? 500;
  // Stream ids start with the server's ms time, so "since" is a range start, not a filter.
  let start = opts.since ? `${Math.max(0, opts.since.getTime())}-0` : '-';
  while (true) {
    const rows = await redis.xrange(key, start, '+', 'COUNT', count);
    for (const [id, flat] of rows) {
      const r = readStreamEntry(id, flat);
      if (r.ok) yield r.value;
      else opts.report?.({ store: 'audit entry', key: `${key} ${id}`, problem: r.problem });
    }
    if (rows.length < count) return;
    start = `(${rows[rows.length - 1]![0]}`;
  }
}
