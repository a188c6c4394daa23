// Running a fix's write steps under its step journal, and settling a fix that was interrupted (ADR
// 0005). Each step: the intent and the step's undo record go to the journal (with the previous step's
// result: one write per step), then the write. Interrupted (the worker died, the host stopped
// answering mid-step): read the host, decide which recorded-but-unfinished steps ran, then
//   - roll forward when the rest of the approved plan still fits the host (no remaining step's
//     precondition is known to fail);
//   - roll back otherwise, through undoFix: the undo's own compare-and-set inverses;
//   - when the host cannot be read: keep the journal, save the undo record of what ran, claim nothing.
import { Plan, PLAN_VERSION, type Operation, type OpResult } from '../host/operations.ts';
import type { HostFacts } from './read-plan.ts';
import type { RdpProbeResult } from './probes/index.ts';
import type { Diagnosis, FixOutcome } from './types.ts';
import { FIX_INFO } from './fixes/catalogue.ts';
import { opState } from './fixes/lib/op-state.ts';
import { buildUndo, restartStepIds } from './fixes/undo.ts';
import { JOURNAL_VERSION, predictedResult, resolveStep, type FixJournal, type JournalHead, type JournalPhase, type JournalSnapshot, type JournalStep } from './repair-journal.ts';
import { describePrecondition, isUnanswered, UNANSWERED, type HostDeps, type Step } from './repair-steps.ts';
import { undoFix } from './repair-undo.ts';
import { timeBoxNote, verifyFix } from './repair-verify.ts';
import type { StoredUndoRecord } from './undo-store.ts';
import { errorText } from '../lib/error-text.ts';

export interface RunDeps extends HostDeps {
  /** A full diagnosis after the fix (verification). */
  diagnose(): Promise<Diagnosis>;
  probeRdp?(): Promise<RdpProbeResult>;
  /** The fix's step journal; null runs without one (a one-shot CLI fix keeps it in memory only). */
  journal: FixJournal | null;
}

/** A fix being run: the journal's head, every step's latest record, and the records still to write. */
export interface Run {
  deps: RunDeps;
  head: JournalHead;
  steps: (JournalStep | undefined)[];
  pending: JournalStep[];
  headWritten: boolean;
  /** Facts the next intents predict their undo records from (read before the fix, or when settling). */
  facts: HostFacts | null;
  /** Step ids that had run before this process settled the fix (another worker's, or before the host stopped answering). */
  ranBefore: string[];
}

const now = (run: Run): Date => (run.deps.now ?? (() => new Date()))();
const hostOf = (run: Run): string => run.head.host;
const titleOf = (run: Run): string => (FIX_INFO as Record<string, { title: string } | undefined>)[run.head.fixId]?.title ?? run.head.fixId;
const ops = (run: Run): Operation[] => run.head.plan.ops;
const list = (ids: string[]): string => ids.join(', ');
const were = (ids: string[]): string => (ids.length === 1 ? 'was' : 'were');

export function newRun(deps: RunDeps, head: JournalHead, facts: HostFacts | null, snapshot?: JournalSnapshot): Run {
  const steps: (JournalStep | undefined)[] = [];
  for (const s of snapshot?.steps ?? []) steps[s.index] = s;
  return { deps, head, steps, pending: [], headWritten: snapshot !== undefined, facts, ranBefore: [] };
}

/** One journal write (one round trip): the head the first time, the pending step records, and `extra`. */
async function flush(run: Run, extra: { phase?: JournalPhase['phase']; why?: string; undo?: StoredUndoRecord } = {}): Promise<void> {
  const phase: JournalPhase | undefined = extra.phase ? { version: JOURNAL_VERSION, phase: extra.phase, at: now(run).toISOString(), ...(extra.why ? { why: extra.why.slice(0, 2000) } : {}) } : undefined;
  const steps = run.pending;
  run.pending = [];
  if (!run.deps.journal) {
    if (extra.undo) await run.deps.undoStore.save(extra.undo);
    return;
  }
  await run.deps.journal.write({ ...(run.headWritten ? {} : { head: run.head }), ...(phase ? { phase } : {}), ...(steps.length ? { steps } : {}), ...(extra.undo ? { undo: extra.undo } : {}) });
  run.headWritten = true;
}

function record(run: Run, step: JournalStep): void {
  run.steps[step.index] = step;
  run.pending = [...run.pending.filter((s) => s.index !== step.index), step];
}

/** Answers that leave the step's effect known (it did not happen). A Timeout (a service still pending) may have had one. */
const REFUSED = new Set(['PreconditionFailed', 'NotFound', 'AccessDenied', 'InvalidArgument', 'NotSupported', 'NotRun', 'Failed']);

type StepsEnd = { kind: 'done' } | { kind: 'failed'; index: number } | { kind: 'unanswered'; index: number; error: string };

/** Runs the plan's steps from `from`, each journaled before (intent + undo record) and after (result). */
export async function runSteps(run: Run, from: number): Promise<StepsEnd> {
  const all = ops(run);
  for (let i = from; i < all.length; i++) {
    const op = all[i]!;
    // Run again after an attempt of unknown outcome: the undo record stays the one from before the first attempt.
    const earlier = run.steps[i]?.state === 'intent' ? run.steps[i] : undefined;
    const intent: JournalStep = earlier
      ? { ...earlier, repeated: true, at: now(run).toISOString() }
      : { version: JOURNAL_VERSION, index: i, id: op.id, state: 'intent', undo: predictedResult(op, run.facts), at: now(run).toISOString() };
    record(run, intent);
    await flush(run, i === 0 && !run.headWritten ? { phase: 'applying' } : {});
    let r: OpResult;
    try {
      const pr = await run.deps.runPlan(Plan.parse({ version: PLAN_VERSION, mode: 'write', ops: [op] }));
      r = pr.results.find((x) => x.id === op.id) ?? { id: op.id, ok: false, error: { code: 'Failed', message: 'the host returned no result for this step' } };
    } catch (e) {
      return { kind: 'unanswered', index: i, error: `${UNANSWERED} (${errorText(e)})` };
    }
    if (!r.ok && !REFUSED.has(r.error.code)) return { kind: 'unanswered', index: i, error: `${r.error.code}: ${r.error.message}` };
    record(run, { ...intent, state: r.ok ? 'done' : 'failed', result: r, at: now(run).toISOString() });
    if (!r.ok) return { kind: 'failed', index: i };
  }
  return { kind: 'done' };
}

/** The steps that ran (done), with the results buildUndo reads. */
function ranResults(run: Run): OpResult[] {
  const out: OpResult[] = [];
  for (const s of run.steps) {
    if (s?.state === 'done' && s.result?.ok) out.push(s.repeated && s.undo?.ok ? { ...s.result, previous: s.undo.previous } : s.result);
  }
  return out;
}

const ranIds = (run: Run): string[] => run.steps.filter((s): s is JournalStep => s?.state === 'done').map((s) => s.id);
const maybeIds = (run: Run): string[] => run.steps.filter((s): s is JournalStep => s?.state === 'intent').map((s) => s.id);

/**
 * The undo record of what ran; with `andMaybe`, also of the step that may have run (its predicted
 * undo record: the undo skips an op whose previous state is already there, so it is safe either
 * way). A restart is the exception: the start of a restart whose stop ran is covered by the stop's
 * inverse (start, skipped if running), and a dependent's start after a completed restart is put
 * back as a start (skipped if running), since a completed restart has no inverse.
 */
function undoRecordOf(run: Run, after: HostFacts | undefined, andMaybe = false): StoredUndoRecord {
  const all = ops(run);
  const results = ranResults(run);
  const first: Operation[] = [];
  for (const s of andMaybe ? run.steps : []) {
    if (s?.state !== 'intent' || !s.undo?.ok) continue;
    const op = all[s.index];
    if (op?.op === 'service.control' && op.action === 'start') {
      const prev = all[s.index - 1];
      if (prev?.op === 'service.control' && prev.action === 'stop' && prev.name.toLowerCase() === op.name.toLowerCase()) continue;
      if (restartStepIds(all, [...results, s.undo]).has(op.id)) {
        first.push({ id: `undo-${op.id}`.slice(0, 64), op: 'service.control', name: op.name, action: 'start', expectState: 'Stopped', timeoutSec: op.timeoutSec });
        continue;
      }
    }
    results.push(s.undo);
  }
  const plan = { fixId: run.head.fixId, host: run.head.host, apply: run.head.plan };
  const rec = buildUndo(plan, { runtime: '', host: run.head.host, startedAt: run.head.startedAt, elapsedMs: 0, check: false, results }, run.head.undoId, now(run), after, run.head.rdpCertsBefore ?? undefined);
  return { ...rec, plan: { ...rec.plan, ops: [...first, ...rec.plan.ops] }, targetId: run.head.target };
}

/** The outcome's steps: every op of the plan, ok when it ran (whoever ran it), else why not. */
export function stepsOfRun(run: Run): Step[] {
  let stopped = false;
  return ops(run).map((op, i) => {
    const s = run.steps[i];
    if (s?.state === 'done') return { id: op.id, op: op.op, ok: true };
    if (s?.state === 'failed' && s.result && !s.result.ok) {
      stopped = true;
      return { id: op.id, op: op.op, ok: false, error: s.result.error };
    }
    if (s?.state === 'intent') {
      stopped = true;
      return { id: op.id, op: op.op, ok: false, error: { code: 'Failed', message: 'may or may not have run: the host did not confirm it' } };
    }
    return { id: op.id, op: op.op, ok: false, error: { code: 'NotRun', message: stopped ? 'skipped: an earlier step failed' : 'not run' } };
  });
}

function outcome(run: Run, o: Pick<FixOutcome, 'applied' | 'verified' | 'message' | 'end'> & Partial<Pick<FixOutcome, 'undoId' | 'after'>>): FixOutcome {
  return { host: run.head.target, fix: run.head.fixId, undoId: o.undoId ?? null, steps: stepsOfRun(run), after: o.after ?? null, applied: o.applied, verified: o.verified, message: o.message, end: o.end };
}

/** Every step ran: the undo record (with the last step's result, one write), then verification. */
export async function finishApplied(run: Run, interruption?: string): Promise<FixOutcome> {
  let after: HostFacts | undefined;
  try {
    after = await run.deps.readFacts();
  } catch {
    after = undefined;
  }
  const undo = undoRecordOf(run, after);
  await flush(run, { phase: 'applied', undo });
  const v = await verifyFix(run.head.verify, run.deps);
  const host = run.head.host;
  const title = titleOf(run);
  const undoHint = undo.plan.ops.length ? ` Undo with: rdp-medic undo ${run.head.target} ${undo.undoId} --yes.` : '';
  const certNote = after ? '' : ' (The host could not be re-read after the fix, so certificates Windows may have created are not in the undo record.)';
  const box = timeBoxNote(run.head.plan, now(run));
  let message: string;
  if (!interruption) {
    message = v.verified ? `${title}: applied on ${host} and verified.` : `${title}: applied on ${host}, but not verified: ${v.notes.join('; ')}.`;
  } else {
    const ranNow = ranIds(run).filter((id) => !run.ranBefore.includes(id));
    const story = ranNow.length
      ? `${interruption}; ${run.ranBefore.length ? `${list(run.ranBefore)} had run` : 'no step had run'}. The rest of the approved plan still matched ${host}, so ${list(ranNow)} ran now.`
      : `${interruption}, after every step had run (${list(run.ranBefore)}).`;
    message = `${title} on ${host}: fully applied${v.verified ? ' and verified' : `, but not verified: ${v.notes.join('; ')}`}. ${story}`;
  }
  return outcome(run, { applied: true, verified: v.verified, undoId: undo.undoId, message: `${message}${box}${undoHint}${certNote}`, end: 'applied', after: v.after });
}

/**
 * Puts back what ran with undoFix (the undo's compare-and-set inverses, skip what is already back,
 * verify). Certificates Windows made meanwhile are removed: those the undo record names (made before
 * the rollback) and those undoFix sees appear when it starts a service.
 */
export async function rollBack(run: Run, why: string, interruption?: string): Promise<FixOutcome> {
  const ran = ranIds(run);
  const maybe = maybeIds(run);
  let after: HostFacts | undefined;
  try {
    after = await run.deps.readFacts();
  } catch {
    after = undefined;
  }
  const undo = undoRecordOf(run, after, true);
  await flush(run, { phase: 'rolling-back', why, undo });
  return putBack(run, why, interruption, ran, maybe);
}

/** The rollback itself (also what a later worker re-runs when one died in the middle of it). */
export async function putBack(run: Run, why: string, interruption: string | undefined, ran: string[], maybe: string[]): Promise<FixOutcome> {
  const host = run.head.host;
  const title = titleOf(run);
  let u: { restored: boolean; verified: boolean; message: string; steps?: Step[] };
  try {
    // A worker that died after the undo finished (marked undone) but before it said so: re-check the host.
    const saved = await run.deps.undoStore.load(run.head.undoId);
    u = saved?.undoneAt ? { restored: true, verified: await backAsBefore(run), message: `it was put back at ${saved.undoneAt}.` } : await undoFix({ ...run.deps, undoId: run.head.undoId, rollback: true });
  } catch (e) {
    return unreachable(run, errorText(e), interruption);
  }
  // The host stopped answering during the roll-back: as unknown as any other unanswered step.
  const lost = u.steps?.find((st) => st.error && isUnanswered(st.error));
  if (!u.restored && lost?.error) return unreachable(run, lost.error.message, interruption);
  const touched = [...ran, ...maybe];
  if (u.restored) {
    const verified = u.verified;
    await flush(run, { phase: verified ? 'rolled-back' : 'half-applied', why });
    const story = interruption ? ` ${interruption}; ${touched.length ? `${list(touched)} had run` : 'no step had changed anything'}.` : '';
    const message = !verified
      ? `${title} on ${host}: still half-applied. ${why}.${story} Putting back ${list(touched)} ran, but ${host} does not show its previous state: ${u.message} Check ${host}.`
      : interruption
        ? `${title} on ${host}: put back as before (verified).${story} ${why}, so ${touched.length ? `${list(touched)} ${were(touched)} put back` : 'nothing needed putting back'}.`
        : `${title}: not applied. ${why}. The ${ran.length} step(s) already done were rolled back; ${host} is as before.`;
    return outcome(run, { applied: false, verified: false, message, end: verified ? 'as-before' : 'half-applied', undoId: verified ? null : run.head.undoId });
  }
  await flush(run, { phase: 'half-applied', why: `${why}; ${u.message}` });
  const story = interruption ? ` ${interruption}; ${list(touched)} had run.` : '';
  return outcome(run, {
    applied: false,
    verified: false,
    undoId: run.head.undoId,
    end: 'half-applied',
    message: `${title} on ${host}: still half-applied (failed half-way). ${why}.${story} Putting back ${list(touched)} did not complete: ${u.message} Check ${host}, then retry with: rdp-medic undo ${run.head.target} ${run.head.undoId} --yes`,
  });
}

/** Every step of the rollback shows its previous state (re-checked when a dead worker had marked it undone; throws when the host cannot be read). */
async function backAsBefore(run: Run): Promise<boolean> {
  const rec = await run.deps.undoStore.load(run.head.undoId);
  if (!rec) return false;
  const facts = await run.deps.readFacts();
  return rec.plan.ops.every((op) => opState(op, facts).post !== false);
}

/** The host cannot be read: keep the journal, save the undo record of what ran (and may have), claim nothing. */
async function unreachable(run: Run, error: string, interruption?: string): Promise<FixOutcome> {
  const host = run.head.host;
  const ran = ranIds(run);
  const maybe = maybeIds(run);
  let undoId: string | null = null;
  try {
    const undo = undoRecordOf(run, undefined, true);
    await flush(run, { undo });
    undoId = undo.plan.ops.length || undo.revertTask ? undo.undoId : null;
  } catch {
    undoId = null;
  }
  const what = ran.length || maybe.length
    ? `it may be half-applied: ${ran.length ? `${list(ran)} ran` : 'no step is known to have run'}${maybe.length ? `; ${list(maybe)} may or may not have run` : ''}`
    : 'no step had run';
  return outcome(run, {
    applied: false,
    verified: false,
    undoId,
    end: 'unreachable',
    message: `${titleOf(run)} on ${host}: could not reach ${host} (${error}), so its state is not verified: ${what}.${interruption ? ` ${interruption}.` : ''}`,
  });
}

/** Same object (what a later step's precondition depends on). Services are one: a stop stops the dependents. */
function targets(op: Operation): string[] {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return [`reg:${op.path}\\${op.name}`.toLowerCase()];
    case 'service.control':
    case 'service.startType':
      return ['services'];
    case 'fw.enable':
      return op.names.map((n) => `fw:${n}`.toLowerCase());
    case 'cert.move':
    case 'cert.remove':
      return [`cert:${op.thumbprint}`.toLowerCase()];
    case 'group.add':
    case 'group.remove':
      return [`group:${op.groupSid}:${op.member}`.toLowerCase()];
    default:
      return [`op:${op.id}`];
  }
}

/**
 * Settles an interrupted fix from the journal's records and the host's state now: resolve the steps
 * recorded as started but not finished, then roll forward or back. `interruption` says what happened.
 */
export async function settle(run: Run, interruption: string, depth = 0): Promise<FixOutcome> {
  let facts: HostFacts;
  try {
    facts = await run.deps.readFacts();
  } catch (e) {
    return unreachable(run, errorText(e), interruption);
  }
  run.facts = facts;
  const all = ops(run);
  let open = all.length;
  let stuck: string | null = null;
  for (let i = 0; i < all.length; i++) {
    const s = run.steps[i];
    const op = all[i]!;
    if (!s) {
      open = i;
      break;
    }
    if (s.state === 'done') continue;
    if (s.state === 'failed') {
      stuck = s.result && !s.result.ok ? `step ${op.id} (${op.op}) failed: ${s.result.error.code === 'PreconditionFailed' ? `${hostOf(run)} changed: ${describePrecondition(op, s.result.error)}` : s.result.error.message}` : `step ${op.id} failed`;
      break;
    }
    const how = resolveStep(op, facts);
    if (how === 'ran' && s.undo) {
      record(run, { ...s, state: 'done', result: s.undo, resolvedBy: 'facts', at: now(run).toISOString() });
      continue;
    }
    if (how === 'not-run' || how === 'repeat') {
      open = i;
      break;
    }
    stuck = `${hostOf(run)} shows neither the state before step ${op.id} nor the state after it (${opState(op, facts).now}), so whether it ran cannot be told`;
    break;
  }
  run.ranBefore = ranIds(run);
  if (stuck) return rollBack(run, stuck, interruption);
  if (open === all.length) return finishApplied(run, interruption);
  // Roll forward only when no remaining step's precondition is known to fail now (a step whose
  // object an earlier remaining step changes is judged by the host's compare-and-set when it runs).
  const seen = new Set<string>();
  for (const op of all.slice(open)) {
    if (!targets(op).some((t) => seen.has(t)) && opState(op, facts).pre === false) {
      return rollBack(run, `${hostOf(run)} changed since the fix began: before ${op.id}, ${opState(op, facts).now}`, interruption);
    }
    for (const t of targets(op)) seen.add(t);
  }
  return continueFrom(run, open, interruption, depth);
}

/** Runs the steps from `from` and ends the fix: applied, rolled back, or settled again if interrupted again. */
export async function continueFrom(run: Run, from: number, interruption: string | undefined, depth = 0): Promise<FixOutcome> {
  const end = await runSteps(run, from);
  if (end.kind === 'done') return finishApplied(run, interruption);
  const op = ops(run)[end.index]!;
  if (end.kind === 'failed') {
    const s = run.steps[end.index];
    const error = s?.result && !s.result.ok ? s.result.error : { code: 'Failed' as const, message: 'failed' };
    const why = error.code === 'PreconditionFailed' ? `${hostOf(run)} changed since the diagnosis: ${describePrecondition(op, error)}` : `step ${op.id} (${op.op}) failed: ${error.code}: ${error.message}`;
    if (!ranIds(run).length) {
      await flush(run, { phase: 'rolled-back', why });
      return outcome(run, { applied: false, verified: false, end: 'as-before', message: interruption ? `${titleOf(run)} on ${hostOf(run)}: not applied; ${hostOf(run)} is as before. ${interruption}. ${why}.` : `${titleOf(run)}: not applied. ${why}; nothing was changed.` });
    }
    return rollBack(run, why, interruption);
  }
  const again = `${hostOf(run)} stopped answering during step ${op.id} (${end.error})`;
  if (depth >= 2) return unreachable(run, end.error, interruption ? `${interruption}; then ${again}` : again);
  return settle(run, interruption ? `${interruption}; then ${again}` : again, depth + 1);
}
