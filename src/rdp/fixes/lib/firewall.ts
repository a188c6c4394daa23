// The built-in Remote Desktop inbound rules (locale-free names) and the fw.enable that turns the
// disabled ones on, with each rule's current state as precondition.
import type { FirewallRule, Operation } from '../../../host/operations.ts';

export const RDP_RULES = ['RemoteDesktop-UserMode-In-TCP', 'RemoteDesktop-UserMode-In-UDP'] as const;

export interface RuleOps {
  ops: Operation[];
  /** Rules that are off but delivered by Group Policy: a local change is not the fix. */
  byPolicy: string[];
  missing: string[];
}

export function ruleEnableOps(rules: FirewallRule[]): RuleOps {
  const find = (n: string) => rules.find((r) => r.name.toLowerCase() === n.toLowerCase());
  const off = RDP_RULES.map(find).filter((r): r is FirewallRule => r !== undefined && !r.enabled);
  const local = off.filter((r) => r.policyStoreSourceType !== 'GroupPolicy');
  const ops: Operation[] = local.length
    ? [{ id: 'enable-rdp-firewall-rules', op: 'fw.enable', names: local.map((r) => r.name), enabled: true, expect: Object.fromEntries(local.map((r) => [r.name, false])) }]
    : [];
  return {
    ops,
    byPolicy: off.filter((r) => r.policyStoreSourceType === 'GroupPolicy').map((r) => r.name),
    missing: RDP_RULES.filter((n) => !find(n)),
  };
}
