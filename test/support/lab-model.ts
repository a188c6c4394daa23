// Helpers for tests and demos that drive the model with hand-written ops: fill op ids, validate
// with the contract's Plan schema (which also applies defaults such as timeoutSec), execute.
import { Plan, PLAN_VERSION, WRITE_OPS, type Operation, type OpResult, type PlanLimits, type PlanResult } from '../../src/host/operations.ts';
import { eventXPaths } from '../../src/host/event-xpath.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import type { HostModel } from '../../src/lab/model/host-model.ts';

export type LooseOp = Record<string, unknown>;

/** events.query ops without xpaths get them from eventXPaths, as every builder does. */
function withXPaths(o: LooseOp): LooseOp {
  if (o['op'] !== 'events.query' || o['xpaths'] !== undefined) return o;
  return { ...o, xpaths: eventXPaths(o as unknown as Parameters<typeof eventXPaths>[0]) };
}

export function planOf(mode: 'read' | 'write', ops: LooseOp[], extra: { check?: boolean; limits?: Partial<PlanLimits> } = {}): Plan {
  return Plan.parse({ version: PLAN_VERSION, mode, ...extra, ops: ops.map((o, i) => withXPaths({ id: `op${i}`, ...o })) });
}

export function runOps(model: HostModel, mode: 'read' | 'write', ops: LooseOp[], now: Date = new Date(), extra: { check?: boolean; limits?: Partial<PlanLimits> } = {}): PlanResult {
  return executePlan(model, planOf(mode, ops, extra), now);
}

/** Runs one op in a plan of the matching mode and returns its result. */
export function runOne(model: HostModel, op: LooseOp, now: Date = new Date()): OpResult {
  const mode = WRITE_OPS.has(op['op'] as Operation['op']) ? 'write' : 'read';
  const r = runOps(model, mode, [op], now).results[0];
  if (!r) throw new Error('no result');
  return r;
}

/** The successful result, or an Error naming the failure. */
export function okValue(r: OpResult): { value: unknown; previous?: unknown } {
  if (!r.ok) throw new Error(`op ${r.id} failed: ${r.error.code} ${r.error.message}`);
  return r;
}
