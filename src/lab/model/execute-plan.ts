// Executes a plan against the model the way the PowerShell runtime (contract v2) executes it on a
// host, results in op order:
//  - a read plan runs every op, each independent; a write plan stops at the first failed op and
//    every later op reports NotRun;
//  - check mode (write plans only; ignored by read plans) changes nothing: ops/check-mode.ts;
//  - CIM bounds: the first cim.query / cim.invoke in a hung namespace (model.hungCimNamespaces)
//    times out after limits.cimTimeoutSec, later ones there are skipped at once;
//  - the budget: an op about to start when the modeled elapsed time (the sum of those timeouts)
//    has reached limits.budgetSec reports Timeout.
// The modeled seconds are reported (executePlanTimed) so the lab's process seam can really wait.
//
// A read plan that contains a write op is refused as a whole, before anything runs: executePlan
// throws PlanRefusedError, and the lab's powershell process turns that into stderr + exit code 2,
// exactly what the runtime's `throw "plan refused: ..."` becomes through the bootstrap.
import { performance } from 'node:perf_hooks';
import { WRITE_OPS, type OpError, type OpResult, type Plan, type PlanResult } from '../../host/operations.ts';
import type { HostModel } from './host-model.ts';
import { runOp } from './ops/index.ts';
import { checkOp, impliedTargetKeys, predictedValue, targetKeys, type WriteOp } from './ops/check-mode.ts';

/** The runtime version the lab implements (the `# rdp-medic-runtime <version>` header it accepts). */
export const LAB_RUNTIME_VERSION = '2.0.0';

export class PlanRefusedError extends Error {
  override readonly name = 'PlanRefusedError';
}

export interface TimedPlanResult {
  result: PlanResult;
  /** Seconds the plan would have spent waiting on hung providers on a real host (modeled, not waited). */
  hungSeconds: number;
}

/** How the model names a CIM namespace for hung-provider matching: lower case, '\' separators, no leading '\'. */
export const namespaceKey = (ns: string): string => ns.replace(/\//g, '\\').replace(/^\\+/, '').toLowerCase();

const isWrite = (op: { op: string }): op is WriteOp => WRITE_OPS.has(op.op as WriteOp['op']);

export function executePlan(model: HostModel, plan: Plan, now: Date = new Date()): PlanResult {
  return executePlanTimed(model, plan, now).result;
}

export function executePlanTimed(model: HostModel, plan: Plan, now: Date = new Date()): TimedPlanResult {
  const t0 = performance.now();
  if (plan.mode === 'read') {
    const write = plan.ops.find((o) => WRITE_OPS.has(o.op));
    if (write) throw new PlanRefusedError(`plan refused: write operation ${write.op} (${write.id}) in a read plan`);
  }
  const check = plan.mode === 'write' && plan.check;
  const { cimTimeoutSec, budgetSec } = plan.limits;
  const hung = new Set(model.hungCimNamespaces.map(namespaceKey));
  const timedOut = new Set<string>();
  const targeted = new Set<string>();
  let elapsed = 0;
  let failedFirst: string | null = null;
  const results: OpResult[] = [];
  const failed = (id: string, error: OpError): OpResult => ({ id, ok: false, error });
  for (const op of plan.ops) {
    if (failedFirst !== null) {
      results.push(failed(op.id, { code: 'NotRun', message: `not run: ${failedFirst} failed first` }));
      continue;
    }
    let r: OpResult;
    if (elapsed >= budgetSec) {
      r = failed(op.id, { code: 'Timeout', message: `not run: the plan's ${budgetSec} s budget was spent` });
    } else if (check && isWrite(op) && targetKeys(op).every((k) => targeted.has(k))) {
      // An earlier op of this plan already targets the same object: nothing is read.
      r = { id: op.id, ok: true, value: predictedValue(op) };
    } else if ((op.op === 'cim.query' || op.op === 'cim.invoke') && hung.has(namespaceKey(op.namespace))) {
      const ns = namespaceKey(op.namespace);
      if (timedOut.has(ns)) {
        r = failed(op.id, { code: 'Timeout', message: `skipped: ${op.namespace} did not answer a previous query within ${cimTimeoutSec} s` });
      } else {
        timedOut.add(ns);
        elapsed += cimTimeoutSec;
        r = failed(op.id, { code: 'Timeout', message: `${op.namespace} did not answer within ${cimTimeoutSec} s` });
      }
    } else {
      try {
        const out = check && isWrite(op) ? checkOp({ model, now }, op) : runOp({ model, now }, op);
        r = out.ok ? { id: op.id, ...out } : failed(op.id, out.error);
      } catch (e) {
        r = failed(op.id, { code: 'Failed', message: e instanceof Error ? e.message : String(e) });
      }
    }
    if (check && isWrite(op) && r.ok) {
      for (const k of [...targetKeys(op), ...impliedTargetKeys(model, op)]) targeted.add(k);
    }
    if (plan.mode === 'write' && !r.ok) failedFirst = op.id;
    results.push(r);
  }
  return {
    result: {
      runtime: LAB_RUNTIME_VERSION,
      host: model.computerName,
      startedAt: now.toISOString(),
      elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
      check,
      results,
    },
    hungSeconds: elapsed,
  };
}
