// Records in Redis carry the version of their format: a JSON object with a "v" field beside its
// own fields (flat, so Lua scripts still read `.owner` and redis-cli shows it plainly). A process
// that meets a record it cannot read (another version wrote it, or it is not JSON) reports it once
// and skips it: it never misreads it, throws on it in a loop, or spins retrying it. Every store
// that keeps JSON in Redis declares one RecordFormat per kind of record and reads and writes
// through it.
import type { z } from 'zod';
import type { Logger } from '../log.ts';

/** A record this process skipped: which store, which key, and why (for the log). */
export interface ForeignRecord {
  store: string;
  key: string;
  problem: string;
}

export type ForeignRecordReporter = (record: ForeignRecord) => void;

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Reports each skipped key once per process (a record read every second must not flood the log). */
export function foreignRecordLogger(logger: Logger, maxRemembered = 10_000): ForeignRecordReporter {
  const seen = new Set<string>();
  return (r) => {
    const id = `${r.store}\u0000${r.key}`;
    if (seen.has(id)) return;
    if (seen.size >= maxRemembered) seen.clear();
    seen.add(id);
    logger.warn({ store: r.store, key: r.key, problem: r.problem }, 'redis: skipped a record this version cannot read');
  };
}

const noReport: ForeignRecordReporter = () => undefined;

export class RecordFormat<S extends z.ZodType<object>> {
  /**
   * @param store names the kind of record in reports ("fix lock", "undo record").
   * @param version this build's format of it; bump it when the shape changes incompatibly.
   * @param legacy read records without "v" (written before records carried versions) when they
   *   still fit the schema; a stored record that does not is reported like any other foreign one.
   */
  constructor(
    readonly store: string,
    readonly version: number,
    readonly schema: S,
    private readonly report: ForeignRecordReporter = noReport,
    private readonly legacy = true,
  ) {}

  /** The record as stored: validated, with its version. */
  encode(value: z.input<S>): string {
    return JSON.stringify({ v: this.version, ...(this.schema.parse(value) as object) });
  }

  /** What `raw` holds, or why this version cannot read it (not reported: see `decode`). */
  read(raw: string): Decoded<z.output<S>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { ok: false, problem: `not JSON (${JSON.stringify(raw.slice(0, 40))})` };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, problem: `not a JSON object (${JSON.stringify(raw.slice(0, 40))})` };
    const { v, ...fields } = parsed as Record<string, unknown>;
    if (v === undefined && !this.legacy) return { ok: false, problem: `written without a format version; this version reads format ${this.version}` };
    if (v !== undefined && v !== this.version) return { ok: false, problem: `written in format ${JSON.stringify(v)} (another version of rdp-medic); this version reads format ${this.version}` };
    const checked = this.schema.safeParse(fields);
    if (checked.success) return { ok: true, value: checked.data };
    const issue = checked.error.issues[0];
    const what = v === undefined ? 'written without a format version (an older rdp-medic)' : `format ${this.version}`;
    return { ok: false, problem: `${what}, but ${issue ? `${issue.path.join('.') || 'the record'}: ${issue.message}` : 'it does not fit'}` };
  }

  /** The record at `key`, or null when there is none or this version cannot read it (reported). */
  decode(raw: string | null | undefined, key: string): z.output<S> | null {
    if (raw === null || raw === undefined) return null;
    const r = this.read(raw);
    if (r.ok) return r.value;
    this.report({ store: this.store, key, problem: r.problem });
    return null;
  }
}
