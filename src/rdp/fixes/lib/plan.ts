// Building a FixPlan: compare-and-set op helpers, the impact statement, the verification and the
// audit hash (sha256 of the canonical JSON of the write plan).
import { createHash } from 'node:crypto';
import { isFactError, RDP_SERVICES, type HostFacts } from '../../read-plan.ts';
import { validatePlan } from '../../../host/executor.ts';
import { PLAN_VERSION, type Operation, type Plan, type RegistryData, type RegistryKind, type RegistryValueState, type ServiceState, type StartType } from '../../../host/operations.ts';
import type { CheckId, CheckTarget, FixPlan } from '../../types.ts';
import { FIX_INFO, sessionsAtRisk, type KnownFixId } from '../catalogue.ts';
import { Missing } from './facts.ts';

export interface FixContext {
  facts: HostFacts;
  target: CheckTarget;
  now: Date;
}

export interface NotApplicable {
  notApplicable: string;
}

export type BuildResult = FixPlan | NotApplicable;

export interface FixBuilder {
  id: KnownFixId;
  build(ctx: FixContext): BuildResult;
}

export const notApplicable = (reason: string): NotApplicable => ({ notApplicable: reason });

/** A builder whose missing evidence (need() throwing Missing) becomes notApplicable, never a guess. */
export function defineFix(id: KnownFixId, build: (ctx: FixContext) => BuildResult): FixBuilder {
  return {
    id,
    build(ctx) {
      try {
        return build(ctx);
      } catch (e) {
        if (e instanceof Missing) return notApplicable(`evidence is missing: ${e.reason}`);
        throw e;
      }
    },
  };
}
export const isNotApplicable = (r: BuildResult): r is NotApplicable => 'notApplicable' in r;

/** JSON with object keys sorted at every level: equal plans hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const planHash = (plan: Plan): string => createHash('sha256').update(canonicalJson(plan)).digest('hex');

const expectOf = (s: RegistryValueState): Extract<Operation, { op: 'reg.set' }>['expect'] => ({ exists: s.exists, kind: s.kind, data: s.data });

/** reg.set with the exact state seen as precondition. */
export function regSet(id: string, seen: RegistryValueState, kind: RegistryKind, data: RegistryData): Operation {
  return { id, op: 'reg.set', path: seen.path, name: seen.name, kind, data, expect: expectOf(seen) };
}

export function regDelete(id: string, seen: RegistryValueState): Operation {
  return { id, op: 'reg.delete', path: seen.path, name: seen.name, expect: expectOf(seen) };
}

export function serviceControl(id: string, name: string, action: 'start' | 'stop', expectState: ServiceState): Operation {
  return { id, op: 'service.control', name, action, expectState, timeoutSec: 60 };
}

/**
 * The services the facts know that depend on `name` and run now, transitively, nearest first:
 * stopping `name` stops them too (ServiceController.Stop()), so a restart starts them again.
 */
export function runningDependents(facts: HostFacts, name: string): string[] {
  const out: string[] = [];
  const queue = [name.toLowerCase()];
  while (queue.length) {
    const cur = queue.shift() ?? '';
    for (const svc of RDP_SERVICES) {
      const s = facts.services[svc];
      if (isFactError(s) || !s.exists || s.state !== 'Running') continue;
      if (out.includes(s.name) || s.name.toLowerCase() === name.toLowerCase()) continue;
      if (s.dependsOn.some((d) => d.toLowerCase() === cur)) {
        out.push(s.name);
        queue.push(s.name.toLowerCase());
      }
    }
  }
  return out;
}

/**
 * A restart as plan steps (contract v2 has start and stop only): stop X (expect Running), start X
 * (expect Stopped), then start each dependent that ran before (expect Stopped): the stop stopped it.
 */
export function restartSteps(facts: HostFacts, name: string): Operation[] {
  return [
    serviceControl(`stop-${name}`, name, 'stop', 'Running'),
    serviceControl(`start-${name}`, name, 'start', 'Stopped'),
    ...runningDependents(facts, name).map((d) => serviceControl(`start-${d}`, d, 'start', 'Stopped')),
  ];
}

export function serviceStartType(id: string, name: string, startType: StartType, expectStartType: StartType): Operation {
  return { id, op: 'service.startType', name, startType, expectStartType };
}

/** True when the plan stops TermService (a restart is a stop then a start: every RDP session drops). */
export function stopsTermService(plan: Plan): boolean {
  return plan.ops.some((o) => o.op === 'service.control' && o.name.toLowerCase() === 'termservice' && o.action === 'stop');
}

export interface PlanSpec {
  ops: Operation[];
  recheck: CheckId[];
  expectRdpTls: boolean;
  timeBoxMinutes?: number | null;
  /** The account the fix is about, for what it opens up (add-rdp-user). */
  account?: string;
}

export function makeFixPlan(id: KnownFixId, ctx: FixContext, spec: PlanSpec): FixPlan {
  const info = FIX_INFO[id];
  // Validated (zod defaults applied) before hashing: the hash names exactly what is sent.
  const apply = validatePlan({ version: PLAN_VERSION, mode: 'write', ops: spec.ops });
  const restarts = stopsTermService(apply);
  const exposes = info.exposes(ctx.facts, spec.account);
  return {
    fixId: id,
    host: ctx.facts.host,
    title: info.title,
    risk: info.risk,
    impact: {
      disruptive: restarts,
      weakensSecurity: info.risk === 'weakens-security',
      drops: restarts ? sessionsAtRisk(ctx.facts) : [],
      summary: info.impact(ctx.facts),
      ...(exposes ? { exposes } : {}),
    },
    apply,
    timeBoxMinutes: spec.timeBoxMinutes ?? null,
    verify: { recheck: spec.recheck, expectRdpTls: spec.expectRdpTls },
    hash: planHash(apply),
    plannedAt: ctx.now.toISOString(),
  };
}
