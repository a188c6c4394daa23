// disable-nla-temporarily (sec-layer-nla, break-glass [S12]): NLA off for 60 minutes so an
// administrator can reach the logon screen. The FIRST op registers the one-shot SYSTEM task that
// puts UserAuthentication back exactly as seen (reg.set, or reg.delete when it did not exist,
// §1/§6), compare-and-set against the 0 this fix writes; only then is NLA turned off. So the
// host reverts itself even if rdp-medic loses contact right after the change.
import { createHash } from 'node:crypto';
import { REGISTRY_PATHS } from '../../host/read-plan.ts';
import type { Operation, RegistryValueState } from '../../host/operations.ts';
import { dwordOf, need, regState } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, regDelete, regSet } from './lib/plan.ts';

export const NLA_TIME_BOX_MINUTES = 60;

/** `rdp-medic-revert-<fixId>-<8 hex>`, derived from host and time: the same inputs give the same plan (and hash). */
export function revertTaskName(fixId: string, host: string, now: Date): string {
  const short = createHash('sha256').update(`${host.toUpperCase()}|${now.toISOString()}`).digest('hex').slice(0, 8);
  return `rdp-medic-revert-${fixId}-${short}`;
}

export const disableNlaTemporarily = defineFix('disable-nla-temporarily', (ctx) => {
  const policy = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'UserAuthentication'));
  if (policy.exists) return notApplicable(`NLA is set by Group Policy (UserAuthentication ${String(policy.data)}); a local change would not take effect`);
  const seen = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'UserAuthentication'));
  if ((dwordOf(seen) ?? 0) === 0) return notApplicable('NLA is already off on RDP-Tcp (UserAuthentication is 0 or absent)');
  if (seen.exists && seen.kind === null) return notApplicable('UserAuthentication has no registry kind; cannot record it for the revert');
  // The state this fix leaves: the revert's precondition.
  const left: RegistryValueState = { path: seen.path, name: seen.name, exists: true, kind: 'DWord', data: 0 };
  const revert: Operation = seen.exists && seen.kind !== null && seen.data !== null
    ? regSet('revert-UserAuthentication', left, seen.kind, seen.data)
    : regDelete('revert-UserAuthentication', left);
  const ops: Operation[] = [
    {
      id: 'schedule-revert',
      op: 'task.scheduleRevert',
      name: revertTaskName('disable-nla-temporarily', ctx.facts.host, ctx.now),
      afterMinutes: NLA_TIME_BOX_MINUTES,
      plan: { version: 1, mode: 'write', ops: [revert] },
    },
    regSet('set-UserAuthentication', seen, 'DWord', 0),
  ];
  return makeFixPlan('disable-nla-temporarily', ctx, { ops, recheck: [], expectRdpTls: true, timeBoxMinutes: NLA_TIME_BOX_MINUTES });
});
