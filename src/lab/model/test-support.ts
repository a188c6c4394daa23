// Helpers for tests and demos that drive the model with hand-written ops: fill op ids, validate
// with the contract's Plan schema (which also applies defaults such as timeoutSec), execute.
import { Plan, PLAN_VERSION, WRITE_OPS, type Operation, type OpResult, type PlanResult } from '../../host/operations.ts';
import { executePlan } from './execute-plan.ts';
import type { HostModel } from './host-model.ts';

export type LooseOp = Record<string, unknown>;

export function planOf(mode: 'read' | 'write', ops: LooseOp[]): Plan {
  return Plan.parse({ version: PLAN_VERSION, mode, ops: ops.map((o, i) => ({ id: `op${i}`, ...o })) });
}

export function runOps(model: HostModel, mode: 'read' | 'write', ops: LooseOp[], now: Date = new Date()): PlanResult {
  return executePlan(model, planOf(mode, ops), now);
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
