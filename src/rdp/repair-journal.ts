// The step journal of a fix (ADR 0009). Before each write step the worker records what it is about
// to do and the step's undo record; after the step, its result. A worker that dies, a host that stops
// answering, a Redis restart: the next worker reads the journal and finishes the fix or puts it back
// (repair-resume.ts). The records are here; the Redis store is state/journal.ts.
import { z } from 'zod';
import { OpResult, Plan, type Operation } from '../host/operations.ts';
import type { HostFacts } from './read-plan.ts';
import { CHECK_IDS } from './types.ts';
import { fact, Missing, regState, service } from './fixes/lib/facts.ts';
import { opState } from './fixes/lib/op-state.ts';
import type { StoredUndoRecord, UndoStore } from './undo-store.ts';

export const JOURNAL_VERSION = 1;
const Version = z.literal(JOURNAL_VERSION);
const Iso = z.string().datetime();

/** What the fix is: the approved plan as sent, how to verify it, its undo id. Written with the first step. */
export const JournalHead = z
  .object({
    version: Version,
    fixId: z.string().max(64),
    /** Inventory id (what the user typed). */
    target: z.string().max(63),
    /** The computer name the host reported. */
    host: z.string().max(255),
    plan: Plan,
    planHash: z.string().regex(/^[0-9a-f]{64}$/),
    verify: z.object({ recheck: z.array(z.enum(CHECK_IDS)), expectRdpTls: z.boolean() }).strict(),
    undoId: z.string().max(64),
    /** Thumbprints in 'Remote Desktop' before the fix (null: not read): certificates Windows made during it are removed on undo. */
    rdpCertsBefore: z.array(z.string().max(64)).max(200).nullable(),
    startedAt: Iso,
  })
  .strict();
export type JournalHead = z.infer<typeof JournalHead>;

/**
 * One write step. `intent` is written before the write, `done`/`failed` after it. `undo` is the
 * step's undo record: the result (previous state) the write returns if it runs. Compare-and-set
 * makes it known beforehand: a write that ran found exactly the state it expected.
 */
export const JournalStep = z
  .object({
    version: Version,
    index: z.number().int().min(0).max(199),
    id: z.string().max(64),
    state: z.enum(['intent', 'done', 'failed']),
    undo: OpResult.nullable(),
    result: OpResult.optional(),
    /** 'facts': a later worker found from the host's state that this step ran (it died before recording it). */
    resolvedBy: z.literal('facts').optional(),
    /** Run again after an attempt the host's state could not tell apart: `undo` stays the first attempt's. */
    repeated: z.literal(true).optional(),
    at: Iso,
  })
  .strict();
export type JournalStep = z.infer<typeof JournalStep>;

export const JOURNAL_PHASES = ['applying', 'rolling-back', 'applied', 'rolled-back', 'half-applied'] as const;
export const JournalPhase = z
  .object({
    version: Version,
    phase: z.enum(JOURNAL_PHASES),
    at: Iso,
    /** Why it is rolling back, or why it stayed half-applied, in plain words. */
    why: z.string().max(2000).optional(),
    /** Set while the host does not answer: since when, and how many retries so far. */
    unreachable: z.object({ since: Iso, tries: z.number().int().min(0) }).strict().optional(),
  })
  .strict();
export type JournalPhase = z.infer<typeof JournalPhase>;

export interface JournalSnapshot {
  head: JournalHead;
  phase: JournalPhase;
  /** By index; a step with no record never started. */
  steps: JournalStep[];
}

/** What one write records; each call is one round trip and atomic. */
export interface JournalWrite {
  head?: JournalHead;
  phase?: JournalPhase;
  steps?: JournalStep[];
  /** Saved to the undo store in the same round trip. */
  undo?: StoredUndoRecord;
}

/** The journal of one fix (one approval). */
export interface FixJournal {
  write(entry: JournalWrite): Promise<void>;
  /** null: nothing was journaled (no step ever started). Throws when the records cannot be read (another version). */
  read(): Promise<JournalSnapshot | null>;
}

export class JournalUnreadableError extends Error {
  override readonly name = 'JournalUnreadableError';
}

/** The journal in memory (tests, single-process use): the same contract, the undo record to `undoStore`. */
export class MemoryFixJournal implements FixJournal {
  private head: JournalHead | null = null;
  private phase: JournalPhase | null = null;
  private readonly steps = new Map<number, JournalStep>();
  /** How many writes (round trips, for a Redis store) were made. */
  writes = 0;

  constructor(private readonly undoStore: UndoStore) {}

  async write(entry: JournalWrite): Promise<void> {
    this.writes++;
    if (entry.head) this.head = JournalHead.parse(entry.head);
    if (entry.phase) this.phase = JournalPhase.parse(entry.phase);
    for (const s of entry.steps ?? []) this.steps.set(s.index, JournalStep.parse(s));
    if (entry.undo) await this.undoStore.save(entry.undo);
  }

  async read(): Promise<JournalSnapshot | null> {
    if (!this.head || !this.phase) return null;
    return structuredClone({ head: this.head, phase: this.phase, steps: [...this.steps.values()].sort((a, b) => a.index - b.index) });
  }
}

type Ok = Extract<OpResult, { ok: true }>;

function regPrevious(op: Extract<Operation, { op: 'reg.set' | 'reg.delete' }>, before: HostFacts | null): unknown {
  if (op.expect) return { path: op.path, name: op.name, ...op.expect };
  const seen = before ? regState(before, op.path, op.name) : undefined;
  return seen && !(seen instanceof Missing) ? seen : undefined;
}

function serviceOf(name: string, before: HostFacts | null) {
  const known = ['TermService', 'UmRdpService', 'SessionEnv', 'CryptSvc', 'KeyIso', 'CertPropSvc'] as const;
  const n = known.find((k) => k.toLowerCase() === name.toLowerCase());
  const s = n && before ? service(before, n) : undefined;
  return s && !(s instanceof Missing) ? s : undefined;
}

/**
 * The result a write returns if it runs, as far as the op's precondition and the facts before the fix
 * tell: its `previous` is the step's undo record. null when neither tells (then an interrupted step
 * of that kind cannot be put back without a human).
 */
export function predictedResult(op: Operation, before: HostFacts | null): Ok | null {
  const ok = (previous: unknown, value: unknown): Ok | null => (previous === undefined ? null : { id: op.id, ok: true, previous, value });
  switch (op.op) {
    case 'reg.set':
      return ok(regPrevious(op, before), { path: op.path, name: op.name, exists: true, kind: op.kind, data: op.data });
    case 'reg.delete':
      return ok(regPrevious(op, before), { path: op.path, name: op.name, exists: false, kind: null, data: null });
    case 'service.control': {
      const state = op.expectState ?? serviceOf(op.name, before)?.state ?? undefined;
      return ok(state ? { state } : undefined, { state: op.action === 'start' ? 'Running' : 'Stopped' });
    }
    case 'service.startType': {
      const startType = op.expectStartType ?? serviceOf(op.name, before)?.startType ?? undefined;
      return ok(startType ? { startType } : undefined, { startType: op.startType });
    }
    case 'fw.enable': {
      let previous: Record<string, boolean> | undefined = op.expect;
      if (!previous && before) {
        const rules = fact(before.firewallRules, 'firewall rules');
        if (!(rules instanceof Missing)) {
          const found: Record<string, boolean> = {};
          for (const n of op.names) {
            const enabled = rules.find((r) => r.name.toLowerCase() === n.toLowerCase())?.enabled;
            if (enabled !== undefined) found[n] = enabled;
          }
          if (Object.keys(found).length === op.names.length) previous = found;
        }
      }
      return ok(previous, Object.fromEntries(op.names.map((n) => [n, op.enabled])));
    }
    case 'cert.move':
      // Its inverse needs only the op (move back); the certificate itself stays on the host.
      return { id: op.id, ok: true, previous: null, value: null };
    case 'group.add':
    case 'group.remove': {
      const present = before ? opState({ ...op, op: 'group.add' }, before).post : undefined;
      return ok(present === undefined ? undefined : { wasMember: present }, { wasMember: op.op === 'group.add' });
    }
    case 'task.scheduleRevert':
      // Its name is made from the host and the time the plan was built: no earlier task has it.
      return ok({ existed: false }, { existed: true });
    case 'task.cancel':
      return ok({ existed: true }, { existed: false });
    default:
      // cert.remove and cim.invoke: what they take away is not in the op or the facts.
      return null;
  }
}

/**
 * Did a step recorded as `intent` (no result) run? From the host's state now:
 * - 'ran': the state it produces holds and its precondition no longer does;
 * - 'not-run': its precondition still holds and its state does not;
 * - 'repeat': the facts cannot see it, and running it again leaves the same state (revert tasks, by name);
 * - 'unknown': the facts cannot tell, or the host shows neither (someone else changed it).
 */
export function resolveStep(op: Operation, facts: HostFacts): 'ran' | 'not-run' | 'repeat' | 'unknown' {
  if (op.op === 'task.scheduleRevert' || op.op === 'task.cancel') return 'repeat';
  const st = opState(op, facts);
  if (st.post === true && st.pre !== true) return 'ran';
  if (st.pre === true && st.post !== true) return 'not-run';
  return 'unknown';
}
