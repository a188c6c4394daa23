// Firewall rules beyond the built-in Remote Desktop group (issue 10, review point 7): the read plan
// reads the rules for the RDP port too, and fw-rdp-rules judges them together with the group.
//  fw-custom-allow: the built-in rules are disabled, but a custom inbound Allow rule for TCP 3389
//    (scoped to a management network and the lab's loopback) is enabled: no firewall problem.
//  fw-block-rule: an enabled inbound Block rule for TCP 3389 beats the (enabled) built-in Allow
//    rules: RDP is dropped; the cause is fw-rdp-rules, and enabling the built-in rules is no fix.
import type { ModelFirewallRule } from '../model/host-model.ts';
import { RDP_FIREWALL_GROUP } from '../model/paths.ts';
import type { Scenario } from './types.ts';

export const CUSTOM_ALLOW_RULE = 'RDP-Mgmt-Allow-TCP-3389';
export const BLOCK_RULE = 'Block-Inbound-RDP-3389';

function customRule(name: string, action: 'Allow' | 'Block', remoteAddresses: string[]): ModelFirewallRule {
  return {
    name, group: null, enabled: true, direction: 'Inbound', action, profiles: [], protocol: 'TCP', localPorts: ['3389'],
    remoteAddresses, policyStoreSourceType: 'Local', program: null, service: null,
  };
}

export const fwCustomAllow: Scenario = {
  name: 'fw-custom-allow',
  description: 'The built-in Remote Desktop firewall rules are disabled; a custom rule allows TCP 3389 from the management network.',
  cause: [],
  fix: '(nothing to fix: the custom rule lets RDP through from its scope)',
  apply: (m) => {
    for (const r of m.firewall.rules) if (r.group === RDP_FIREWALL_GROUP) r.enabled = false;
    m.firewall.rules.push(customRule(CUSTOM_ALLOW_RULE, 'Allow', ['10.20.0.0/255.255.0.0', '127.0.0.1']));
  },
};

export const fwBlockRule: Scenario = {
  name: 'fw-block-rule',
  description: 'An inbound Block rule for TCP 3389 overrides the Remote Desktop allow rules.',
  cause: ['fw-rdp-rules'],
  fix: `(no rdp-medic fix) disable or narrow the Block rule ${BLOCK_RULE}; escalate to whoever added it`,
  apply: (m) => {
    m.firewall.rules.push(customRule(BLOCK_RULE, 'Block', ['Any']));
  },
};
