// Applying and undoing a fix on a host (rdp-checks.md §6): read fresh facts, build the
// compare-and-set plan, apply it step by step (stop and roll back at the first failure), save the
// undo record before verifying, verify from outside (checks + RDP probe). Undo is compare-and-set
// too: it refuses on a host that changed since the fix, and checks afterwards that every value the
// fix touched is back to its recorded previous state.
import type { HostFacts } from './read-plan.ts';
import type { Operation, Plan, PlanResult } from '../host/operations.ts';
import type { RdpProbeResult } from './probes/index.ts';
import type { CheckTarget, Diagnosis, FixOutcome, FixPlan, UndoRecord } from './types.ts';
import { FIX_IDS, FIX_INFO } from './fixes/catalogue.ts';
import { buildFix, isKnownFixId } from './fixes/index.ts';
import { isNotApplicable } from './fixes/lib/plan.ts';
import { opState } from './fixes/lib/op-state.ts';
import { buildUndo } from './fixes/undo.ts';
import { undoPlan } from './fixes/undo-plan.ts';
import { checkPreview, type CheckPreview } from './fixes/check-preview.ts';
import { describePrecondition, runStepwise, stepsOf, type Step } from './repair-steps.ts';
import { newUndoId as defaultNewUndoId, type UndoStore } from './undo-store.ts';
import { errorText } from '../lib/error-text.ts';

export class UnknownFixError extends Error {
  override readonly name = 'UnknownFixError';
}

export class UnknownUndoError extends Error {
  override readonly name = 'UnknownUndoError';
}

interface HostDeps {
  target: CheckTarget;
  runPlan(plan: Plan): Promise<PlanResult>;
  /** Runs the read plan and returns the facts (fresh on every call). */
  readFacts(): Promise<HostFacts>;
  undoStore: UndoStore;
  now?: () => Date;
}

export interface ApplyFixArgs extends HostDeps {
  fixId: string;
  /** A full diagnosis after the fix (verification). */
  diagnose(): Promise<Diagnosis>;
  /** The bot-side RDP probe; without it TLS is judged by the net-rdp-probe finding. */
  probeRdp?(): Promise<RdpProbeResult>;
  /** The hash of the plan the approver saw: refuse when the fresh plan differs. */
  expectHash?: string;
  newUndoId?: () => string;
}

export interface UndoFixArgs extends HostDeps {
  undoId: string;
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

function unknownFix(fixId: string): UnknownFixError {
  return new UnknownFixError(`unknown fix "${fixId}"; known fixes: ${FIX_IDS.join(', ')}`);
}

export interface CheckFixResult {
  plan: FixPlan;
  result: PlanResult;
  preview: CheckPreview;
}

/**
 * Builds the plan from fresh facts and runs it on the host in check mode (contract v2): the host
 * evaluates every precondition and says what each op would change, changing nothing.
 */
export async function checkFix(args: Pick<HostDeps, 'target' | 'readFacts' | 'runPlan' | 'now'> & { fixId: string }): Promise<CheckFixResult | { notApplicable: string }> {
  const plan = await planFix(args);
  if (isNotApplicable(plan)) return plan;
  const result = await args.runPlan({ ...plan.apply, check: true });
  if (!result.check) throw new Error(`${plan.host} did not run the plan in check mode (runtime ${result.runtime}); nothing is shown rather than a guess`);
  return { plan, result, preview: checkPreview(plan, result) };
}

/** Builds the plan from fresh facts without applying it (for the approval message). */
export async function planFix(args: Pick<HostDeps, 'target' | 'readFacts' | 'now'> & { fixId: string }): Promise<FixPlan | { notApplicable: string }> {
  if (!isKnownFixId(args.fixId)) throw unknownFix(args.fixId);
  const facts = await args.readFacts();
  return buildFix(args.fixId, { facts, target: args.target, now: (args.now ?? (() => new Date()))() });
}

async function verifyFix(plan: FixPlan, args: ApplyFixArgs): Promise<{ verified: boolean; after: Diagnosis | null; notes: string[] }> {
  const notes: string[] = [];
  let after: Diagnosis | null = null;
  try {
    after = await args.diagnose();
  } catch (e) {
    return { verified: false, after: null, notes: [`the diagnosis after the fix failed: ${errorText(e)}`] };
  }
  const still = after.findings.filter((f) => plan.verify.recheck.includes(f.check) && f.verdict === 'problem');
  for (const f of still) notes.push(`${f.check} still reports a problem: ${f.summary}`);
  let tlsOk = true;
  if (plan.verify.expectRdpTls) {
    if (args.probeRdp) {
      try {
        const p = await args.probeRdp();
        const cert = p.certificate;
        tlsOk = p.tls !== null && cert !== null && !cert.expired && !cert.notYetValid;
        if (!tlsOk) {
          notes.push(
            p.tls === null
              ? `the RDP probe did not complete a TLS handshake (stopped at ${p.stage}${p.error ? `: ${p.error.message}` : ''})`
              : `the RDP certificate is not valid now (${cert ? `valid ${cert.validFrom} to ${cert.validTo}` : 'none presented'})`,
          );
        }
      } catch (e) {
        tlsOk = false;
        notes.push(`the RDP probe failed: ${errorText(e)}`);
      }
    } else {
      const probe = after.findings.find((f) => f.check === 'net-rdp-probe');
      tlsOk = probe?.verdict === 'ok';
      if (!tlsOk) notes.push(probe ? `the RDP probe reports: ${probe.summary}` : 'no RDP probe result to confirm the TLS handshake');
    }
  }
  return { verified: still.length === 0 && tlsOk, after, notes };
}

function timeBoxNote(plan: FixPlan, now: Date, ofUndo = false): string {
  const task = plan.apply.ops.find((o): o is Extract<Operation, { op: 'task.scheduleRevert' }> => o.op === 'task.scheduleRevert');
  if (!task) return '';
  const at = new Date(now.getTime() + task.afterMinutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return ofUndo
    ? ` The weaker setting lasts until ${at}: the host puts the secure value back itself then (scheduled task ${task.name}).`
    : ` It reverts itself on the host at ${at} (scheduled task ${task.name}) unless undone earlier.`;
}

export async function applyFix(args: ApplyFixArgs): Promise<FixOutcome> {
  const clock = args.now ?? (() => new Date());
  if (!isKnownFixId(args.fixId)) throw unknownFix(args.fixId);
  const fixId = args.fixId;
  const title = FIX_INFO[fixId].title;
  const before = await args.readFacts();
  const host = before.host;
  // Outcomes name the inventory host (what the user typed); messages use the computer name the host reported.
  const nothing = (message: string, steps: Step[] = []): FixOutcome => ({ host: args.target.id, fix: fixId, applied: false, verified: false, undoId: null, steps, message, after: null });

  const built = buildFix(fixId, { facts: before, target: args.target, now: clock() });
  if (isNotApplicable(built)) return nothing(`${title}: not applied on ${host}, because ${built.notApplicable}. Nothing was changed.`);
  const plan = built;
  if (args.expectHash !== undefined && args.expectHash !== plan.hash) {
    return nothing(`${title}: not applied on ${host}: ${host} changed since the plan was approved (the plan built from the current state differs). Nothing was changed; review and approve the new plan.`);
  }

  const undoId = (args.newUndoId ?? defaultNewUndoId)();
  const run = await runStepwise(args.runPlan, plan.apply.ops, host);
  const steps = stepsOf(plan.apply.ops, run.result);

  if (run.failed) {
    const { op, error } = run.failed;
    const why = error.code === 'PreconditionFailed' ? `${host} changed since the diagnosis: ${describePrecondition(op, error)}` : `step ${op.id} (${op.op}) failed: ${error.code}: ${error.message}`;
    const done = run.result.results.filter((r) => r.ok).length;
    if (done === 0) return nothing(`${title}: not applied. ${why}; nothing was changed.`, steps);
    // Earlier steps changed the host: put them back at once.
    const afterFacts = await args.readFacts().catch(() => undefined);
    const record = buildUndo(plan, run.result, undoId, clock(), afterFacts, before);
    await args.undoStore.save({ ...record, targetId: args.target.id });
    const rollback = await runStepwise(args.runPlan, record.plan.ops, host);
    if (!rollback.failed) {
      await args.undoStore.markUndone(undoId, clock().toISOString());
      return nothing(`${title}: not applied. ${why}. The ${done} step(s) already done were rolled back; ${host} is as before.`, steps);
    }
    return {
      ...nothing(
        `${title}: failed half-way. ${why}. Rolling back the ${done} step(s) already done also failed (${describePrecondition(rollback.failed.op, rollback.failed.error)}). ` +
          `${host} is partly changed: check it, then retry with: rdp-medic undo ${args.target.id} ${undoId} --yes`,
        steps,
      ),
      undoId,
    };
  }

  // Saved before verification: undo must be possible even if verification fails.
  let afterFacts: HostFacts | undefined;
  try {
    afterFacts = await args.readFacts();
  } catch {
    afterFacts = undefined;
  }
  const record: UndoRecord = buildUndo(plan, run.result, undoId, clock(), afterFacts, before);
  await args.undoStore.save({ ...record, targetId: args.target.id });

  const v = await verifyFix(plan, args);
  const undoHint = record.plan.ops.length ? ` Undo with: rdp-medic undo ${args.target.id} ${undoId} --yes.` : '';
  const certNote = afterFacts ? '' : ' (The host could not be re-read after the fix, so certificates Windows may have created are not in the undo record.)';
  const message = v.verified
    ? `${title}: applied on ${host} and verified.${timeBoxNote(plan, clock())}${undoHint}${certNote}`
    : `${title}: applied on ${host}, but not verified: ${v.notes.join('; ')}.${timeBoxNote(plan, clock())}${undoHint}${certNote}`;
  return { host: args.target.id, fix: fixId, applied: true, verified: v.verified, undoId, steps, message, after: v.after };
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
  const plan = undoPlan(record, args.target.id);
  const ops = plan.apply.ops;

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
  const guards = boxed && writes.some((w) => boxed.restore.some((r) => (w.op === 'reg.set' || w.op === 'reg.delete') && w.path === r.path && w.name === r.name));
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
    const now = await args.readFacts();
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
  const boxNote = guards ? timeBoxNote(plan, clock(), true) : '';
  return { host: args.target.id, undoId: args.undoId, restored: true, verified, steps, message: `Undo ${args.undoId}: ${what}${alreadyNote}${verified ? ', verified' : verifyNote}.${boxNote}`, ...(after !== undefined ? { after } : {}) };
}
