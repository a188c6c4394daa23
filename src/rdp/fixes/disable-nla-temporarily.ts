// disable-nla-temporarily (sec-layer-nla, break-glass [S12]): NLA off for 60 minutes so an
// administrator can reach the logon screen. The FIRST op registers the one-shot SYSTEM task that
// puts UserAuthentication back exactly as seen (set, or deleted when it did not exist, §1/§6) if it
// still holds the 0 this fix writes (a RegistryRestore); only then is NLA turned off. So the host
// reverts itself even if rdp-medic loses contact right after the change.
import { createHash } from 'node:crypto';
import { REGISTRY_PATHS } from '../read-plan.ts';
import type { Operation, RegistryRestore } from '../../host/operations.ts';
import { dwordOf, need, regState } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, regSet } from './lib/plan.ts';

export const NLA_TIME_BOX_MINUTES = 60;

/**
 * `rdp-medic-revert-<fixId>-<8 hex>`, from the host and what the task restores, never from the
 * clock: the plan rebuilt when the approved fix is applied must hash as the one that was approved.
 */
export function revertTaskName(fixId: string, host: string, restore: readonly RegistryRestore[]): string {
  const short = createHash('sha256').update(`${host.toUpperCase()}|${JSON.stringify(restore)}`).digest('hex').slice(0, 8);
  return `rdp-medic-revert-${fixId}-${short}`;
}

export const disableNlaTemporarily = defineFix('disable-nla-temporarily', (ctx) => {
  const policy = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'UserAuthentication'));
  if (policy.exists) return notApplicable(`NLA is set by Group Policy (UserAuthentication ${String(policy.data)}); a local change would not take effect`);
  const seen = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'UserAuthentication'));
  if ((dwordOf(seen) ?? 0) === 0) return notApplicable('NLA is already off on RDP-Tcp (UserAuthentication is 0 or absent)');
  if (seen.exists && seen.kind === null) return notApplicable('UserAuthentication has no registry kind; cannot record it for the revert');
  // What this fix writes (the revert's precondition) and what the revert puts back.
  const restore: RegistryRestore = {
    path: seen.path,
    name: seen.name,
    wrote: { kind: 'DWord', data: 0 },
    previous: { exists: seen.exists, kind: seen.exists ? seen.kind : null, data: seen.exists ? seen.data : null },
  };
  const ops: Operation[] = [
    {
      id: 'schedule-revert',
      op: 'task.scheduleRevert',
      name: revertTaskName('disable-nla-temporarily', ctx.facts.host, [restore]),
      afterMinutes: NLA_TIME_BOX_MINUTES,
      restore: [restore],
    },
    regSet('set-UserAuthentication', seen, 'DWord', 0),
  ];
  return makeFixPlan('disable-nla-temporarily', ctx, { ops, recheck: [], expectRdpTls: true, timeBoxMinutes: NLA_TIME_BOX_MINUTES });
});
