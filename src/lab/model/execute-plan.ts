// Executes a plan against the model the way the PowerShell runtime executes it on a host: ops in
// order, each independent (one failing does not stop the next), results in op order.
//
// A read plan that contains a write op is refused as a whole, before anything runs: executePlan
// throws PlanRefusedError, and the lab's powershell process turns that into stderr + exit code 2,
// exactly what the runtime's `throw "plan refused: ..."` becomes through the bootstrap.
import { performance } from 'node:perf_hooks';
import { WRITE_OPS, type OpResult, type Plan, type PlanResult } from '../../host/operations.ts';
import type { HostModel } from './host-model.ts';
import { runOp } from './ops/index.ts';

/** The runtime version the lab implements (the `# rdp-medic-runtime <version>` header it accepts). */
export const LAB_RUNTIME_VERSION = '1.0.0';

export class PlanRefusedError extends Error {
  override readonly name = 'PlanRefusedError';
}

export function executePlan(model: HostModel, plan: Plan, now: Date = new Date()): PlanResult {
  const t0 = performance.now();
  if (plan.mode === 'read') {
    const write = plan.ops.find((o) => WRITE_OPS.has(o.op));
    if (write) throw new PlanRefusedError(`plan refused: write operation ${write.op} (${write.id}) in a read plan`);
  }
  const results: OpResult[] = plan.ops.map((op) => {
    try {
      const r = runOp({ model, now }, op);
      return r.ok ? { id: op.id, ...r } : { id: op.id, ok: false, error: r.error };
    } catch (e) {
      return { id: op.id, ok: false, error: { code: 'Failed', message: e instanceof Error ? e.message : String(e) } };
    }
  });
  return {
    runtime: LAB_RUNTIME_VERSION,
    host: model.computerName,
    startedAt: now.toISOString(),
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    results,
  };
}
