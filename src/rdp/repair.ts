// Applying and undoing a fix on a host (rdp-checks.md §6): read fresh facts, build the
// compare-and-set plan, apply it step by step under its step journal (repair-run.ts; stop and roll
// back at the first failure), save the undo record before verifying, verify from outside (checks +
// RDP probe). A fix interrupted mid-way is settled from its journal by resumeFix (ADR 0009). Undo is
// compare-and-set too (repair-undo.ts).
import type { PlanResult } from '../host/operations.ts';
import type { RdpProbeResult } from './probes/index.ts';
import type { Diagnosis, FixOutcome, FixPlan } from './types.ts';
import { FIX_IDS, FIX_INFO } from './fixes/catalogue.ts';
import { buildFix, isKnownFixId } from './fixes/index.ts';
import { isNotApplicable } from './fixes/lib/plan.ts';
import { rdpThumbprints } from './fixes/undo.ts';
import { checkPreview, type CheckPreview } from './fixes/check-preview.ts';
import { JOURNAL_VERSION, type FixJournal, type JournalHead } from './repair-journal.ts';
import { continueFrom, finishApplied, newRun, putBack, settle, stepsOfRun } from './repair-run.ts';
import type { HostDeps, Step } from './repair-steps.ts';
import { newUndoId as defaultNewUndoId } from './undo-store.ts';

export { undoFix, UnknownUndoError, type UndoFixArgs, type UndoOutcome } from './repair-undo.ts';
export type { HostDeps } from './repair-steps.ts';

export class UnknownFixError extends Error {
  override readonly name = 'UnknownFixError';
}

export interface ApplyFixArgs extends HostDeps {
  fixId: string;
  /** A full diagnosis after the fix (verification). */
  diagnose(): Promise<Diagnosis>;
  /** The bot-side RDP probe; without it TLS is judged by the net-rdp-probe finding. */
  probeRdp?(): Promise<RdpProbeResult>;
  /** The hash of the plan the approver saw: refuse when the fresh plan differs. */
  expectHash?: string;
  /** When that plan was built (FixPlan.plannedAt): the fresh plan is built at the same time, so time-derived parts match. */
  plannedAt?: Date;
  newUndoId?: () => string;
  /** The step journal (one per approval, in Redis); without it the steps are journaled in memory only. */
  journal?: FixJournal | null;
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

export async function applyFix(args: ApplyFixArgs): Promise<FixOutcome> {
  const clock = args.now ?? (() => new Date());
  if (!isKnownFixId(args.fixId)) throw unknownFix(args.fixId);
  const fixId = args.fixId;
  const title = FIX_INFO[fixId].title;
  const before = await args.readFacts();
  const host = before.host;
  // Outcomes name the inventory host (what the user typed); messages use the computer name the host reported.
  const nothing = (message: string, steps: Step[] = []): FixOutcome => ({ host: args.target.id, fix: fixId, applied: false, verified: false, undoId: null, steps, message, after: null });

  const built = buildFix(fixId, { facts: before, target: args.target, now: args.plannedAt ?? clock() });
  if (isNotApplicable(built)) return nothing(`${title}: not applied on ${host}, because ${built.notApplicable}. Nothing was changed.`);
  const plan = built;
  if (args.expectHash !== undefined && args.expectHash !== plan.hash) {
    return nothing(`${title}: not applied on ${host}: ${host} changed since the plan was approved (the plan built from the current state differs). Nothing was changed; review and approve the new plan.`);
  }

  const head: JournalHead = {
    version: JOURNAL_VERSION,
    fixId,
    target: args.target.id,
    host,
    plan: plan.apply,
    planHash: plan.hash,
    verify: plan.verify,
    undoId: (args.newUndoId ?? defaultNewUndoId)(),
    rdpCertsBefore: rdpThumbprints(before) ?? null,
    startedAt: clock().toISOString(),
  };
  return continueFrom(newRun({ ...args, journal: args.journal ?? null }, head, before), 0, undefined);
}

export interface ResumeFixArgs extends HostDeps {
  diagnose(): Promise<Diagnosis>;
  probeRdp?(): Promise<RdpProbeResult>;
  journal: FixJournal;
}

/**
 * A fix whose worker stopped mid-way (or whose host stopped answering): settled from its journal, to
 * fully applied and verified or put back as before, or, when the host cannot be read, left as the
 * journal says with nothing claimed. null: nothing was journaled, so no step had started.
 */
export async function resumeFix(args: ResumeFixArgs): Promise<FixOutcome | null> {
  const snapshot = await args.journal.read();
  if (!snapshot) return null;
  const run = newRun(args, snapshot.head, null, snapshot);
  const stepsRan = run.steps.filter((s) => s?.state === 'done').length;
  const total = snapshot.head.plan.ops.length;
  const interruption = `The worker applying it stopped after ${stepsRan} of ${total} step(s) were confirmed${snapshot.phase.unreachable ? ` (and ${snapshot.head.host} did not answer for a while)` : ''}`;
  switch (snapshot.phase.phase) {
    case 'applying':
      return settle(run, interruption);
    case 'rolling-back': {
      const ran = run.steps.filter((s) => s?.state === 'done').map((s) => s!.id);
      const maybe = run.steps.filter((s) => s?.state === 'intent').map((s) => s!.id);
      run.ranBefore = ran;
      return putBack(run, snapshot.phase.why ?? 'it was being rolled back', `The worker rolling it back stopped before it finished`, ran, maybe);
    }
    case 'applied':
      run.ranBefore = run.steps.filter((s) => s?.state === 'done').map((s) => s!.id);
      return finishApplied(run, 'The worker applying it stopped after the last step, before it reported');
    case 'rolled-back':
    case 'half-applied': {
      const asBefore = snapshot.phase.phase === 'rolled-back';
      const ran = run.steps.filter((s) => s?.state === 'done').map((s) => s!.id);
      return {
        host: snapshot.head.target,
        fix: snapshot.head.fixId,
        applied: false,
        verified: false,
        undoId: asBefore ? null : snapshot.head.undoId,
        steps: stepsOfRun(run),
        after: null,
        end: asBefore ? 'as-before' : 'half-applied',
        message: asBefore
          ? `${FIX_INFO[snapshot.head.fixId as keyof typeof FIX_INFO]?.title ?? snapshot.head.fixId} on ${snapshot.head.host}: put back as before (verified). ${snapshot.phase.why ?? ''}${ran.length ? `; ${ran.join(', ')} had run and ${ran.length === 1 ? 'was' : 'were'} put back` : ''}.`
          : `${FIX_INFO[snapshot.head.fixId as keyof typeof FIX_INFO]?.title ?? snapshot.head.fixId} on ${snapshot.head.host}: still half-applied. ${snapshot.phase.why ?? ''}. Check ${snapshot.head.host}, then undo with: rdp-medic undo ${snapshot.head.target} ${snapshot.head.undoId} --yes`,
      };
    }
  }
}
