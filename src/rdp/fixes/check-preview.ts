// What a fix would change, from the host's own answer to the write plan in check mode (contract v2):
// per op, the state now (`previous`) and the state it would leave (`value`), or why it would fail
// (a precondition that no longer holds). Nothing is changed on the host by a check-mode plan.
import { describeCertificate } from '../../host/certificates.ts';
import { HostCertificate, type Operation, type OpResult, type PlanResult } from '../../host/operations.ts';
import type { FixPlan } from '../types.ts';
import { describeReg } from './lib/op-state.ts';

export interface CheckStep {
  id: string;
  op: Operation['op'];
  /** What the op targets, in plain words. */
  target: string;
  ok: boolean;
  /** "now → after" for a successful check; the error otherwise. */
  change: string;
  error?: { code: string; message: string };
}

export interface CheckPreview {
  host: string;
  fix: string;
  /** Every op would apply: all preconditions hold. */
  clean: boolean;
  /** A precondition no longer holds (the host changed since the plan was built). */
  preconditionFailed: boolean;
  steps: CheckStep[];
}

function targetOf(op: Operation): string {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return `${op.path}\\${op.name}`;
    case 'service.control':
    case 'service.startType':
      return `service ${op.name}`;
    case 'fw.enable':
      return `firewall rule${op.names.length === 1 ? '' : 's'} ${op.names.join(', ')}`;
    case 'cert.move':
      return `certificate ${op.thumbprint} (${op.fromStore} → ${op.toStore})`;
    case 'cert.remove':
      return `certificate ${op.thumbprint} in ${op.store}`;
    case 'group.add':
    case 'group.remove':
      return `${op.member} in group ${op.groupSid}`;
    case 'cim.invoke':
      return `${op.className}.${op.method}`;
    case 'task.scheduleRevert':
    case 'task.cancel':
      return `scheduled task \\rdp-medic\\${op.name}`;
    default:
      return op.id;
  }
}

function stateText(op: Operation, v: unknown): string {
  if (v === undefined) return '(as the earlier step leaves it)';
  if (v === null) return op.op === 'cert.remove' ? 'removed' : op.op === 'cert.move' ? 'moved' : 'nothing';
  if (typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return describeReg(o as Parameters<typeof describeReg>[0]);
    case 'service.control':
      return String(o['state']);
    case 'service.startType':
      return String(o['startType']);
    case 'fw.enable':
      return Object.entries(o).map(([n, e]) => `${n} ${e ? 'enabled' : 'disabled'}`).join(', ');
    case 'cert.move':
    case 'cert.remove': {
      const c = HostCertificate.safeParse(v);
      if (!c.success) return JSON.stringify(v);
      const d = describeCertificate(c.data);
      return `${d.subject} in ${d.store}, valid to ${d.notAfter.slice(0, 10)}`;
    }
    case 'group.add':
    case 'group.remove':
      return o['wasMember'] ? 'member' : 'not a member';
    case 'task.scheduleRevert':
    case 'task.cancel':
      return o['existed'] ? 'registered' : 'absent';
    case 'cim.invoke':
      return 'returnValue' in o ? 'called' : Object.entries(o).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(', ') || '(nothing captured)';
    default:
      return JSON.stringify(v);
  }
}

function step(op: Operation, r: OpResult | undefined): CheckStep {
  const base = { id: op.id, op: op.op, target: targetOf(op) };
  if (!r) return { ...base, ok: false, change: 'no answer from the host', error: { code: 'Failed', message: 'the host returned no result for this step' } };
  if (!r.ok) return { ...base, ok: false, change: `${r.error.code}: ${r.error.message}`, error: { code: r.error.code, message: r.error.message } };
  return { ...base, ok: true, change: `${stateText(op, r.previous)} → ${stateText(op, r.value)}` };
}

export function checkPreview(plan: FixPlan, result: PlanResult): CheckPreview {
  const steps = plan.apply.ops.map((op) => step(op, result.results.find((x) => x.id === op.id)));
  return {
    host: result.host || plan.host,
    fix: plan.fixId,
    clean: result.check && steps.every((s) => s.ok),
    preconditionFailed: steps.some((s) => s.error?.code === 'PreconditionFailed'),
    steps,
  };
}

export function checkPreviewText(plan: FixPlan, p: CheckPreview): string {
  const head = `${plan.title} on ${p.host} [${plan.risk}] — checked on the host, nothing was changed:`;
  const lines = p.steps.map((s) => `  ${s.ok ? '✓' : '✗'} ${s.id} (${s.op}) ${s.target}: ${s.change}`);
  const tail = p.clean
    ? 'It would apply cleanly. Re-run with --yes to apply.'
    : p.preconditionFailed
      ? `It would not apply: ${p.host} changed since the plan was built (a precondition no longer holds).`
      : 'It would not apply: a step fails on the host (see above).';
  return [head, `  ${plan.impact.summary}`, ...lines, '', tail].join('\n');
}
