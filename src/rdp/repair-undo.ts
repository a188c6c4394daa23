// Undoing a fix from its undo record (rdp-checks.md §6). Compare-and-set: refused on a host that
// changed since the fix; steps whose previous state is already back are skipped; afterwards every
// value the fix touched must show its recorded previous state. A fix that is rolled back (a step
// failed, or an interrupted fix that cannot be finished) is put back through this same path.
import type { Operation } from '../host/operations.ts';
import type { HostFacts } from './read-plan.ts';
import type { Diagnosis } from './types.ts';
import { RDP_STORE } from './fixes/lib/facts.ts';
import { opState } from './fixes/lib/op-state.ts';
import { rdpThumbprints } from './fixes/undo.ts';
import { undoPlan } from './fixes/undo-plan.ts';
import { timeBoxNote } from './repair-verify.ts';
import { describePrecondition, runStepwise, stepsOf, type HostDeps, type Step } from './repair-steps.ts';
import type { UndoStore } from './undo-store.ts';
import { errorText } from '../lib/error-text.ts';

export class UnknownUndoError extends Error {
  override readonly name = 'UnknownUndoError';
}

export interface UndoFixArgs extends HostDeps {
  undoId: string;
  /** Putting back an interrupted fix (the journal's roll-back), not a person's undo: no time box. */
  rollback?: boolean;
  /** Optional diagnosis after the undo, attached to the outcome. */
  diagnose?(): Promise<Diagnosis>;
}

export interface UndoOutcome {
  host: string;
  undoId: string;
  restored: boolean;
  verified: boolean;
  steps: Step[];
  message: string;
  after?: Diagnosis | null;
}

async function recentIds(store: UndoStore, host: string): Promise<string> {
  const recent = (await store.list(host)).slice(0, 5);
  return recent.length ? recent.map((r) => `${r.undoId} (${r.fixId}, ${r.createdAt}${r.undoneAt ? ', undone' : ''})`).join(', ') : 'none';
}

export async function undoFix(args: UndoFixArgs): Promise<UndoOutcome> {
  const clock = args.now ?? (() => new Date());
  const record = await args.undoStore.load(args.undoId);
  if (!record) {
    throw new UnknownUndoError(`no undo record "${args.undoId}"; recent undo ids for ${args.target.id}: ${await recentIds(args.undoStore, args.target.id)}`);
  }
  const refused = (_host: string, message: string): UndoOutcome => ({ host: args.target.id, undoId: args.undoId, restored: false, verified: false, steps: [], message });
  if (record.undoneAt) return refused(record.host, `Undo ${args.undoId} (${record.fixId}) was already undone at ${record.undoneAt}; nothing was changed.`);

  const facts = await args.readFacts();
  const host = facts.host;
  if (host.toUpperCase() !== record.host.toUpperCase()) {
    return refused(host, `Undo ${args.undoId} belongs to ${record.host}, but ${args.target.id} is ${host}; nothing was changed.`);
  }
  // The approved undo plan (its hash is what the approver saw). A roll-back of an interrupted fix
  // returns the host to where it was before: no time box, the weaker state was the host's own.
  const plan = undoPlan(record, args.target.id);
  const ops = args.rollback ? plan.apply.ops.filter((o) => o.op !== 'task.scheduleRevert') : plan.apply.ops;

  // Compare-and-set up front: refuse before touching anything if a value the fix left was changed
  // since; skip steps whose previous state is already back (e.g. the revert task ran at expiry).
  const states = ops.map((op) => ({ op, st: opState(op, facts) }));
  const changed = states.filter(({ st }) => st.pre === false && st.post !== true);
  if (changed.length) {
    return refused(host, `${host} changed since the fix, so undo ${args.undoId} was refused: ${changed.map(({ st }) => st.now).join('; ')}. Nothing was changed.`);
  }
  const writes = states.filter(({ op, st }) => op.op !== 'task.scheduleRevert' && st.post !== true).map(({ op }) => op);
  // The time box guards only what this undo weakens: when every weakening value is already back
  // (someone else set it), no task is left to flip their decision later.
  const boxed = ops.find((o): o is Extract<Operation, { op: 'task.scheduleRevert' }> => o.op === 'task.scheduleRevert');
  const guards = boxed !== undefined && writes.some((w) => boxed.restore.some((r) => (w.op === 'reg.set' || w.op === 'reg.delete') && w.path === r.path && w.name === r.name));
  const toRun = guards && boxed ? [boxed, ...writes] : writes;
  const already = ops.filter((o) => o.op !== 'task.scheduleRevert').length - writes.length;

  const run = await runStepwise(args.runPlan, toRun, host);
  const steps = stepsOf(toRun, run.result);
  if (run.failed) {
    const { op, error } = run.failed;
    const why = error.code === 'PreconditionFailed' ? `${host} changed since the fix: ${describePrecondition(op, error)}` : `step ${op.id} (${op.op}) failed: ${error.code}: ${error.message}`;
    const done = run.result.results.filter((r) => r.ok).length;
    return { host: args.target.id, undoId: args.undoId, restored: false, verified: false, steps, message: `Undo ${args.undoId} (${record.fixId}) stopped: ${why}. ${done ? `${done} of ${toRun.length} step(s) were done.` : 'Nothing was changed.'}` };
  }

  // Verify: every value the fix touched is back to its recorded previous state.
  let verified = false;
  let verifyNote = '';
  try {
    let now = await args.readFacts();
    const made = await removeCertsMadeByStarts(args, host, toRun, facts, now);
    if (made) now = await args.readFacts();
    const wrong = ops.map((op) => opState(op, now)).filter((st) => st.post === false);
    verified = wrong.length === 0;
    if (!verified) verifyNote = ` but the host does not show the previous state: ${wrong.map((s) => s.now).join('; ')}`;
  } catch (e) {
    verifyNote = `, but the host could not be re-read to verify it (${errorText(e)})`;
  }
  await args.undoStore.markUndone(args.undoId, clock().toISOString());
  let after: Diagnosis | null | undefined;
  if (args.diagnose) after = await args.diagnose().catch(() => null);
  const what = ops.length === 0 ? 'the fix changed nothing that needs putting back (a service restart cannot be undone)' : `${record.fixId} undone on ${host}`;
  const alreadyNote = already ? ` (${already} step(s) were already back${record.revertTask ? ', e.g. the revert task ran' : ''})` : '';
  const boxNote = guards ? timeBoxNote(plan.apply, clock(), true) : '';
  return { host: args.target.id, undoId: args.undoId, restored: true, verified, steps, message: `Undo ${args.undoId}: ${what}${alreadyNote}${verified ? ', verified' : verifyNote}.${boxNote}`, ...(after !== undefined ? { after } : {}) };
}

/**
 * Starting SessionEnv or TermService with no usable certificate makes Windows create one: when this
 * undo started a service (an interrupted fix's stop put back), a certificate that appeared in
 * 'Remote Desktop' while it ran was not there before: removed. Returns whether any was.
 */
async function removeCertsMadeByStarts(args: UndoFixArgs, host: string, ran: Operation[], before: HostFacts, after: HostFacts): Promise<boolean> {
  if (!ran.some((op) => op.op === 'service.control' && op.action === 'start')) return false;
  const was = new Set(rdpThumbprints(before) ?? []);
  const made = (rdpThumbprints(after) ?? []).filter((t) => !was.has(t) && !ran.some((op) => op.op === 'cert.move' && op.thumbprint.toUpperCase() === t));
  if (!made.length) return false;
  const removal = made.map((t, i): Operation => ({ id: `undo-made-cert-${i + 1}`, op: 'cert.remove', store: RDP_STORE, thumbprint: t }));
  const r = await runStepwise(args.runPlan, removal, host);
  if (r.failed) throw new Error(`a certificate Windows made while the undo started a service could not be removed: ${describePrecondition(r.failed.op, r.failed.error)}`);
  return true;
}
