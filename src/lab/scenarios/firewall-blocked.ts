// firewall-blocked: every rule of the Remote Desktop group (@FirewallAPI.dll,-28752) is disabled;
// profiles block inbound by default, so 3389 is filtered. Cured by fw.enable
// [RemoteDesktop-UserMode-In-TCP, RemoteDesktop-UserMode-In-UDP] enabled=true (expect both false).
import { RDP_FIREWALL_GROUP } from '../model/paths.ts';
import type { Scenario } from './types.ts';

export const firewallBlocked: Scenario = {
  name: 'firewall-blocked',
  description: 'The Remote Desktop firewall rules are disabled.',
  cause: ['fw-rdp-rules'],
  fix: 'fw.enable names [RemoteDesktop-UserMode-In-TCP, RemoteDesktop-UserMode-In-UDP] enabled true (expect both false)',
  apply: (m) => {
    for (const r of m.firewall.rules) if (r.group === RDP_FIREWALL_GROUP) r.enabled = false;
  },
};
