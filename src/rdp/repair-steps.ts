// Running a write plan one op per runPlan call. Contract v2 runtimes stop a write plan at the first
// failed op themselves (later ops report NotRun); one op at a time still keeps a step's result even
// when the connection drops in the middle of a plan, and stops at the first failure either way.
import { Plan, PLAN_VERSION, type Operation, type OpError, type OpResult, type PlanResult } from '../host/operations.ts';
import type { HostFacts } from './read-plan.ts';
import type { CheckTarget, FixOutcome } from './types.ts';
import type { UndoStore } from './undo-store.ts';
import { describeReg } from './fixes/lib/op-state.ts';

/** What applying or undoing a fix needs of a host. */
export interface HostDeps {
  target: CheckTarget;
  runPlan(plan: Plan): Promise<PlanResult>;
  /** Runs the read plan and returns the facts (fresh on every call). */
  readFacts(): Promise<HostFacts>;
  undoStore: UndoStore;
  now?: () => Date;
}

export type Step = FixOutcome['steps'][number];

export interface StepwiseRun {
  result: PlanResult;
  /** The op that failed (the last result), or null when every op succeeded. */
  failed: { op: Operation; error: OpError } | null;
}

/** How a step whose command got no answer is reported: it may or may not have run. */
export const UNANSWERED = 'the host did not answer';
export const isUnanswered = (error: OpError): boolean => error.code === 'Failed' && error.message.startsWith(UNANSWERED);

export async function runStepwise(runPlan: (plan: Plan) => Promise<PlanResult>, ops: Operation[], host: string): Promise<StepwiseRun> {
  const results: OpResult[] = [];
  let first: PlanResult | undefined;
  let elapsedMs = 0;
  let failed: StepwiseRun['failed'] = null;
  for (const op of ops) {
    let r: OpResult;
    try {
      const pr = await runPlan(Plan.parse({ version: PLAN_VERSION, mode: 'write', ops: [op] }));
      first ??= pr;
      elapsedMs += pr.elapsedMs;
      r = pr.results.find((x) => x.id === op.id) ?? { id: op.id, ok: false, error: { code: 'Failed', message: 'the host returned no result for this step' } };
    } catch (e) {
      // We cannot tell whether it ran: say so rather than guess.
      const message = `${UNANSWERED} (${e instanceof Error ? e.message : String(e)}); this step may or may not have run`;
      r = { id: op.id, ok: false, error: { code: 'Failed', message } };
    }
    results.push(r);
    if (!r.ok) {
      failed = { op, error: r.error };
      break;
    }
  }
  return {
    result: { runtime: first?.runtime ?? '', host: first?.host ?? host, startedAt: first?.startedAt ?? new Date().toISOString(), elapsedMs, check: false, results },
    failed,
  };
}

/** Steps for the outcome: every op of the plan, those never run marked as skipped. */
export function stepsOf(ops: Operation[], result: PlanResult): Step[] {
  let stopped = false;
  return ops.map((op) => {
    const r = result.results.find((x) => x.id === op.id);
    if (!r) {
      const step: Step = { id: op.id, op: op.op, ok: false, error: { code: 'Failed', message: stopped ? 'skipped: an earlier step failed' : 'not run' } };
      return step;
    }
    if (!r.ok) stopped = true;
    return r.ok ? { id: op.id, op: op.op, ok: true } : { id: op.id, op: op.op, ok: false, error: r.error };
  });
}

/** "what changed", for a PreconditionFailed: the current state against what the plan expected. */
export function describePrecondition(op: Operation, error: OpError): string {
  const cur = error.current as Record<string, unknown> | undefined;
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete': {
      const now = cur && typeof cur['exists'] === 'boolean' ? describeReg(cur as { exists: boolean; kind: null; data: null }) : 'different';
      return `${op.path}\\${op.name} is now ${now}, the diagnosis saw ${op.expect ? describeReg(op.expect) : 'something else'}`;
    }
    case 'service.control':
      return `service ${op.name} is now ${String(cur?.['state'] ?? 'in another state')}, the diagnosis saw ${op.expectState ?? '?'}`;
    case 'service.startType':
      return `service ${op.name} start type is now ${String(cur?.['startType'] ?? 'different')}, the diagnosis saw ${op.expectStartType ?? '?'}`;
    case 'fw.enable': {
      const seen = Object.entries(op.expect ?? {}).map(([n, e]) => `${n} ${e ? 'enabled' : 'disabled'}`).join(', ');
      const now = cur ? Object.entries(cur).map(([n, e]) => `${n} ${e ? 'enabled' : 'disabled'}`).join(', ') : 'different';
      return `firewall rules are now ${now}, the diagnosis saw ${seen}`;
    }
    default:
      return error.message;
  }
}
