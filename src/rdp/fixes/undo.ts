// buildUndo: the compare-and-set plan that puts back what a fix changed, from each successful
// write's `previous` (the runtime's undo record) and the state it left (`value`), in reverse order.
// Certificates Windows generated during the fix (in 'Remote Desktop' after, not before) are
// removed first, so the store ends exactly as it was.
import type { HostFacts } from '../read-plan.ts';
import { PLAN_VERSION, RegistryValueState, type Operation, type OpResult, type PlanResult } from '../../host/operations.ts';
import { typedPrevious } from '../../host/result.ts';
import type { FixPlan, UndoRecord } from '../types.ts';
import { fact, Missing, RDP_STORE } from './lib/facts.ts';

export class UndoBuildError extends Error {
  override readonly name = 'UndoBuildError';
}

function regLeft(op: Extract<Operation, { op: 'reg.set' | 'reg.delete' }>, r: Extract<OpResult, { ok: true }>): RegistryValueState {
  const parsed = RegistryValueState.safeParse(r.value);
  if (parsed.success) return parsed.data;
  return op.op === 'reg.set'
    ? { path: op.path, name: op.name, exists: true, kind: op.kind, data: op.data }
    : { path: op.path, name: op.name, exists: false, kind: null, data: null };
}

const sameState = (a: RegistryValueState, b: RegistryValueState): boolean =>
  a.exists === b.exists && (!a.exists || (a.kind === b.kind && JSON.stringify(a.data) === JSON.stringify(b.data)));

/** The inverse of one successful write, as ops (usually one; none when nothing changed). */
function inverse(op: Operation, r: Extract<OpResult, { ok: true }>): Operation[] {
  const id = `undo-${op.id}`.slice(0, 64);
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete': {
      const prev = typedPrevious(r, op.op);
      const left = regLeft(op, r);
      if (sameState(prev, left)) return [];
      const expect = { exists: left.exists, kind: left.kind, data: left.data };
      if (!prev.exists) return [{ id, op: 'reg.delete', path: op.path, name: op.name, expect }];
      if (prev.kind === null || prev.data === null) throw new UndoBuildError(`${op.id}: the previous value of ${op.path}\\${op.name} has no kind/data`);
      return [{ id, op: 'reg.set', path: op.path, name: op.name, kind: prev.kind, data: prev.data, expect }];
    }
    case 'fw.enable': {
      const prev = typedPrevious(r, 'fw.enable');
      // fw.enable sets every named rule alike: one inverse per previous value.
      return [true, false].flatMap((was, i) => {
        const names = Object.entries(prev).filter(([, e]) => e === was && e !== op.enabled).map(([n]) => n);
        return names.length ? [{ id: `${id}-${i}`.slice(0, 64), op: 'fw.enable', names, enabled: was, expect: Object.fromEntries(names.map((n) => [n, op.enabled])) } satisfies Operation] : [];
      });
    }
    case 'service.startType': {
      const prev = typedPrevious(r, 'service.startType');
      return prev.startType === op.startType ? [] : [{ id, op: 'service.startType', name: op.name, startType: prev.startType, expectStartType: op.startType }];
    }
    case 'service.control': {
      // start/stop go back to the previous state (restart steps are skipped by buildUndo).
      const prev = typedPrevious(r, 'service.control');
      if (op.action === 'start' && prev.state === 'Stopped') return [{ id, op: 'service.control', name: op.name, action: 'stop', expectState: 'Running', timeoutSec: op.timeoutSec }];
      if (op.action === 'stop' && prev.state === 'Running') return [{ id, op: 'service.control', name: op.name, action: 'start', expectState: 'Stopped', timeoutSec: op.timeoutSec }];
      return [];
    }
    case 'cert.move':
      return [{ id, op: 'cert.move', fromStore: op.toStore, toStore: op.fromStore, thumbprint: op.thumbprint }];
    case 'cert.remove':
      throw new UndoBuildError(`${op.id}: a removed certificate cannot be put back (use cert.move)`);
    case 'group.add':
      return typedPrevious(r, 'group.add').wasMember ? [] : [{ id, op: 'group.remove', groupSid: op.groupSid, member: op.member }];
    case 'group.remove':
      return typedPrevious(r, 'group.remove').wasMember ? [{ id, op: 'group.add', groupSid: op.groupSid, member: op.member }] : [];
    case 'cim.invoke': {
      const captured = typedPrevious(r, 'cim.invoke');
      const args = Object.fromEntries(Object.entries(captured).filter((e): e is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof e[1])));
      if (!Object.keys(args).length) throw new UndoBuildError(`${op.id}: ${op.className}.${op.method} captured nothing to call it back with`);
      return [{ id, op: 'cim.invoke', namespace: op.namespace, className: op.className, ...(op.filter ? { filter: op.filter } : {}), method: op.method, args }];
    }
    case 'task.scheduleRevert':
      return typedPrevious(r, 'task.scheduleRevert').existed ? [] : [{ id, op: 'task.cancel', name: op.name }];
    default:
      // task.cancel and reads: nothing a fix can put back.
      return [];
  }
}

/** The 'Remote Desktop' thumbprints (upper case) the facts show, or undefined when they were not read. */
export function rdpThumbprints(facts: HostFacts | null | undefined): string[] | undefined {
  if (!facts) return undefined;
  const certs = fact(facts.certsRemoteDesktop, RDP_STORE);
  return certs instanceof Missing ? undefined : certs.map((c) => c.thumbprint.toUpperCase());
}

/** What the store held: the facts, or the thumbprints already taken from them (a step journal keeps only those). */
export type CertEvidence = HostFacts | string[];

function thumbprintSet(e: CertEvidence | undefined): Set<string> | undefined {
  const list = Array.isArray(e) ? e.map((t) => t.toUpperCase()) : rdpThumbprints(e);
  return list ? new Set(list) : undefined;
}

/**
 * Ids of the steps of restarts (restartSteps: stop X, start X, then the starts of the dependents the
 * stop stopped): together they leave every service as it was, so they have no inverse. Only when
 * both the stop and the start of X succeeded.
 */
export function restartStepIds(ops: Operation[], results: OpResult[]): Set<string> {
  const okIds = new Set(results.filter((r) => r.ok).map((r) => r.id));
  const skip = new Set<string>();
  for (let i = 0; i < ops.length; i++) {
    const stop = ops[i];
    const start = ops[i + 1];
    if (stop?.op !== 'service.control' || stop.action !== 'stop' || start?.op !== 'service.control' || start.action !== 'start') continue;
    if (stop.name.toLowerCase() !== start.name.toLowerCase() || !okIds.has(stop.id) || !okIds.has(start.id)) continue;
    skip.add(stop.id);
    skip.add(start.id);
    for (let j = i + 2; j < ops.length; j++) {
      const dep = ops[j];
      if (dep?.op !== 'service.control' || dep.action !== 'start' || dep.expectState !== 'Stopped') break;
      skip.add(dep.id);
    }
  }
  return skip;
}

/**
 * The undo of what `applied` shows succeeded. `after`/`before` are the facts read after and before
 * the fix: with both, certificates that appeared in 'Remote Desktop' during the fix are removed.
 */
export function buildUndo(plan: Pick<FixPlan, 'fixId' | 'host' | 'apply'>, applied: PlanResult, undoId: string, now: Date, after?: CertEvidence, before?: CertEvidence): UndoRecord {
  const undo: Operation[] = [];
  let revertTask: string | null = null;
  const restarts = restartStepIds(plan.apply.ops, applied.results);
  for (const op of plan.apply.ops) {
    const r = applied.results.find((x) => x.id === op.id);
    if (!r || !r.ok || restarts.has(op.id)) continue;
    const inv = inverse(op, r);
    if (op.op === 'task.scheduleRevert' && inv.length) revertTask = op.name;
    undo.unshift(...inv);
  }
  const was = thumbprintSet(before);
  const is = thumbprintSet(after);
  if (was && is) {
    // Moved back by this undo: not "new".
    const movedIn = new Set(plan.apply.ops.filter((o) => o.op === 'cert.move' && o.toStore.toLowerCase() === RDP_STORE.toLowerCase()).map((o) => (o.op === 'cert.move' ? o.thumbprint.toUpperCase() : '')));
    const generated = [...is].filter((t) => !was.has(t) && !movedIn.has(t));
    undo.unshift(...generated.map((t, i): Operation => ({ id: `undo-generated-cert-${i + 1}`, op: 'cert.remove', store: RDP_STORE, thumbprint: t })));
  }
  return { undoId, host: applied.host || plan.host, fixId: plan.fixId, createdAt: now.toISOString(), plan: { version: PLAN_VERSION, mode: 'write', check: false, limits: { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 }, ops: undo }, revertTask };
}
