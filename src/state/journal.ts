// The step journals of fixes in Redis (ADR 0009): one hash per approval, with the fields `head`,
// `phase` and `step:<n>`, each a versioned JSON record (rdp/repair-journal.ts) validated when written
// and when read. Every write is one MULTI, so one round trip and atomic; an undo record given with it
// is saved in the same MULTI.
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { JournalHead, JournalPhase, JournalStep, JournalUnreadableError, type FixJournal, type JournalSnapshot, type JournalWrite } from '../rdp/repair-journal.ts';
import type { WriteConfirmer } from './durable.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';
import type { RedisUndoStore } from './undo-store-redis.ts';

/** As long as the approval's plan is kept: a journal outlives the approval it belongs to. */
const RETAIN_MS = 8 * 24 * 3600_000;
/** A plan has at most 200 ops (host/operations.ts), so a journal at most 202 fields. */
const MAX_FIELDS = 210;

const issueOf = (e: z.ZodError): string => e.issues.slice(0, 2).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');

export class JournalStore {
  private readonly confirm: WriteConfirmer;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly undo: RedisUndoStore,
    opts: StoreOptions = {},
  ) {
    this.confirm = confirmerOf(opts);
  }

  private key = (approvalId: string): string => `${this.prefix}:journal:${approvalId}`;

  /** The journal of one approval's fix. */
  of(approvalId: string): FixJournal {
    return { write: (entry) => this.write(approvalId, entry), read: () => this.read(approvalId) };
  }

  async write(approvalId: string, entry: JournalWrite): Promise<void> {
    const fields: string[] = [];
    if (entry.head) fields.push('head', JSON.stringify(JournalHead.parse(entry.head)));
    if (entry.phase) fields.push('phase', JSON.stringify(JournalPhase.parse(entry.phase)));
    for (const step of entry.steps ?? []) fields.push(`step:${step.index}`, JSON.stringify(JournalStep.parse(step)));
    // Confirmed on a replica (under Sentinel): a step the host may have run must survive a failover.
    // Idempotent (the same fields set again), so redoing it on a new primary is safe.
    await this.confirm.durably(async () => {
      const tx = this.redis.multi();
      if (fields.length) tx.hset(this.key(approvalId), ...fields);
      if (entry.head) tx.pexpire(this.key(approvalId), RETAIN_MS);
      if (entry.undo) this.undo.queueSave(tx, entry.undo);
      const replies = (await tx.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    });
  }

  /** null when nothing was journaled; JournalUnreadableError when a record is not one this version reads. */
  async read(approvalId: string): Promise<JournalSnapshot | null> {
    const flat = await this.redis.hgetall(this.key(approvalId));
    if (!flat['head']) return null;
    const names = Object.keys(flat);
    if (names.length > MAX_FIELDS) throw new JournalUnreadableError(`the step journal of ${approvalId} has ${names.length} records, more than a fix can have`);
    const parse = <T>(schema: z.ZodType<T>, field: string): T => {
      let json: unknown;
      try {
        json = JSON.parse(flat[field] ?? '');
      } catch {
        throw new JournalUnreadableError(`the step journal of ${approvalId}: ${field} is not JSON`);
      }
      const r = schema.safeParse(json);
      if (!r.success) throw new JournalUnreadableError(`the step journal of ${approvalId}: ${field} is not a record this version reads (${issueOf(r.error)})`);
      return r.data;
    };
    const head = parse(JournalHead, 'head');
    if (!flat['phase']) throw new JournalUnreadableError(`the step journal of ${approvalId} has no phase`);
    const phase = parse(JournalPhase, 'phase');
    const steps = names.filter((n) => /^step:\d{1,3}$/.test(n)).map((n) => parse(JournalStep, n)).sort((a, b) => a.index - b.index);
    return { head, phase, steps };
  }
}
