// enable-rdp (rdp-enabled): let RDP connections in again.
// Why reg.set + fw.enable rather than SetAllowTSConnections(1, 1): the CIM method captures only the
// effective AllowTSConnections, so its undo (SetAllowTSConnections(0, 1)) would write
// fDenyTSConnections=1 where the value may have been absent and would disable the whole Remote
// Desktop firewall group, including rules that were enabled before. reg.set and fw.enable return the
// exact previous value and per-rule state, so the undo restores the host exactly.
// A Group Policy deny (policy fDenyTSConnections=1) is deleted: a temporary cure until the next
// policy refresh; the real fix is the GPO (the impact text says so).
import { REGISTRY_PATHS } from '../read-plan.ts';
import type { Operation } from '../../host/operations.ts';
import { dwordOf, fact, need, regState } from './lib/facts.ts';
import { ruleEnableOps } from './lib/firewall.ts';
import { defineFix, makeFixPlan, notApplicable, regDelete, regSet } from './lib/plan.ts';

export const enableRdp = defineFix('enable-rdp', (ctx) => {
  const local = need(regState(ctx.facts, REGISTRY_PATHS.terminalServer, 'fDenyTSConnections'));
  const policy = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'fDenyTSConnections'));
  const rules = need(fact(ctx.facts.firewallRules, 'the Remote Desktop firewall rules'));
  // Windows denies when the value is absent; a policy value wins over the local one.
  const policyDenies = policy.exists && dwordOf(policy) !== 0;
  const localDenies = dwordOf(local) !== 0;
  if (!policyDenies && (policy.exists || !localDenies)) return notApplicable('Remote Desktop connections are already allowed (fDenyTSConnections is 0)');
  const ops: Operation[] = [];
  if (policyDenies) ops.push(regDelete('delete-policy-fDenyTSConnections', policy));
  if (localDenies) ops.push(regSet('set-fDenyTSConnections', local, 'DWord', 0));
  // What SetAllowTSConnections(1, 1) also does: the Remote Desktop exception (rules left off only).
  const fw = ruleEnableOps(rules);
  ops.push(...fw.ops);
  return makeFixPlan('enable-rdp', ctx, { ops, recheck: fw.ops.length ? ['rdp-enabled', 'fw-rdp-rules'] : ['rdp-enabled'], expectRdpTls: true });
});
