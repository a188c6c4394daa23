// fw-rdp-rules (§3.D): Windows Firewall must let TCP to the RDP port through on the active profile.
// The built-in Remote Desktop rules (group @FirewallAPI.dll,-28752) are judged together with the
// custom rules for the port the read plan also reads: an enabled inbound Block rule for the port
// wins over every Allow rule (the problem, named); a disabled built-in group is fine when an enabled
// custom Allow rule covers the port. GPO-delivered rules are escalated, never edited.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { RDP_FIREWALL_GROUP } from '../read-plan.ts';
import { activeBlockRules, activeProfiles, DEFAULT_RDP_PORT, rdpTcpAllowRules, ruleInProfile } from './lib/host.ts';
import { regNumber } from './lib/registry.ts';

export const fwRdpRules = defineCheck('fw-rdp-rules', 'Remote Desktop firewall rules allow RDP', 'critical', (input, f) => {
  const got = need(input, {
    rules: ['the Remote Desktop firewall rules', (h) => h.firewallRules],
    profiles: ['the firewall profiles', (h) => h.firewallProfiles],
    rdpTcp: ['the RDP-Tcp registry key (PortNumber)', (h) => h.rdpTcp],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the firewall allows RDP: ${got.missing}.`, undefined, got.evidence);
  const port = regNumber(got.v.rdpTcp, 'PortNumber') ?? DEFAULT_RDP_PORT;
  const active = activeProfiles(got.v.profiles);
  const candidates = rdpTcpAllowRules(got.v.rules, port);
  const evidence = {
    port,
    activeProfiles: active.map((p) => p.name),
    rules: got.v.rules.map((r) => ({ name: r.name, group: r.group, enabled: r.enabled, direction: r.direction, action: r.action, protocol: r.protocol, localPorts: r.localPorts, remoteAddresses: r.remoteAddresses, profiles: r.profiles.length ? r.profiles : ['Any'], source: r.policyStoreSourceType })),
  };
  // A Block rule beats every Allow rule (and a default inbound Allow): it comes first.
  const blocks = activeBlockRules(got.v.rules, got.v.profiles, port);
  if (blocks.length) {
    const names = blocks.map((r) => r.name).join(', ');
    const gpo = blocks.some((r) => r.policyStoreSourceType === 'GroupPolicy');
    return f.problem({
      summary: `The Windows Firewall rule ${names} blocks inbound TCP ${port}, so RDP connections are dropped: a Block rule wins over every Allow rule, including the Remote Desktop rules.`,
      explanation: gpo
        ? `The Block rule comes from a firewall GPO (PolicyStoreSourceType GroupPolicy); a local change would not stick. Ask the GPO owner to remove it or narrow it so it no longer covers TCP ${port} (escalate).`
        : `Enabling the Remote Desktop rules would not help. Disable or delete the Block rule (\`Disable-NetFirewallRule -Name '${blocks[0]?.name ?? ''}'\`), or narrow its ports or remote addresses so it no longer covers TCP ${port}; find out first who added it and why (escalate).`,
      evidence,
      ...(gpo ? { managedByPolicy: true } : {}),
    });
  }
  // A profile that is off, or allows inbound by default, needs no rule.
  const openProfile = active.find((p) => !p.enabled || p.defaultInboundAction === 'Allow');
  if (openProfile) {
    return f.ok(`Windows Firewall does not filter inbound RDP on the ${openProfile.name} profile (${openProfile.enabled ? 'inbound allowed by default' : 'profile off'}).`, 'No rule is needed for RDP to get through this profile.', evidence);
  }
  const working = candidates.filter((r) => r.enabled && active.some((p) => ruleInProfile(r, p)));
  const builtIn = working.filter((r) => r.group === RDP_FIREWALL_GROUP);
  if (builtIn.length) {
    return f.ok(`The Remote Desktop firewall rule ${builtIn.map((r) => r.name).join(', ')} allows TCP ${port} on the ${active.map((p) => p.name).join('/')} profile.`, 'Windows Firewall lets RDP through.', evidence);
  }
  if (working.length) {
    const scope = (r: (typeof working)[number]): string => {
      const any = r.remoteAddresses.length === 0 || r.remoteAddresses.some((a) => a.toLowerCase() === 'any');
      return `${r.name} (from ${any ? 'any address' : r.remoteAddresses.join(', ')})`;
    };
    return f.ok(
      `The built-in Remote Desktop firewall rules are ${candidates.some((r) => r.group === RDP_FIREWALL_GROUP) ? 'disabled' : 'not used'}, but the custom rule ${working.map(scope).join(', ')} allows TCP ${port} on the ${active.map((p) => p.name).join('/')} profile.`,
      'Windows Firewall lets RDP through from the addresses the custom rule allows; a client outside that scope is dropped.',
      evidence,
    );
  }
  // Rules are fine for 3389 but the port moved: that is listener-port's cause, not a rule to enable.
  if (port !== DEFAULT_RDP_PORT && rdpTcpAllowRules(got.v.rules, DEFAULT_RDP_PORT).some((r) => r.enabled)) {
    return f.warning({
      summary: `The Remote Desktop firewall rules allow TCP 3389, but RDP listens on ${port}, which no rule allows (see the RDP port finding).`,
      explanation: 'The rules themselves are enabled; the listener moved. Moving RDP back to 3389 (the port finding\'s fix) makes the existing rules match again.',
      evidence,
    });
  }
  const disabled = candidates.filter((r) => !r.enabled);
  if (disabled.length) {
    const gpo = disabled.some((r) => r.policyStoreSourceType === 'GroupPolicy');
    if (gpo) {
      return f.problem({
        summary: `Group Policy delivers the Remote Desktop firewall rules disabled (${disabled.map((r) => r.name).join(', ')}), so Windows Firewall drops RDP connections to port ${port}.`,
        explanation: 'These rules come from a firewall GPO (PolicyStoreSourceType GroupPolicy); a local change would not stick. Enable the Remote Desktop rules in that GPO (escalate to its owner).',
        evidence,
        managedByPolicy: true,
      });
    }
    return f.problem({
      summary: `The Remote Desktop firewall rules are disabled (${disabled.map((r) => r.name).join(', ')}), so Windows Firewall drops RDP connections to port ${port}.`,
      explanation: 'With the built-in RDP rules off, the firewall silently drops connections to the RDP port (clients time out, or a VPN/NAT device in between turns it into 0x904). The fix enables RemoteDesktop-UserMode-In-TCP and -UDP; nobody is disconnected. Consider scoping the rule to management networks afterwards.',
      evidence,
      fix: proposeFix('enable-rdp-firewall-rules', got.facts),
    });
  }
  if (candidates.length) {
    return f.problem({
      summary: `The Remote Desktop firewall rules are enabled but not for the active ${active.map((p) => p.name).join('/')} profile, so RDP is dropped on this network.`,
      explanation: 'The host is on a network category the rule does not cover (e.g. Public while the rule covers Domain/Private). Add the profile to the rule (`Set-NetFirewallRule -Name RemoteDesktop-UserMode-In-TCP -Profile Any`) or fix the network category; escalate.',
      evidence,
    });
  }
  return f.problem({
    summary: `No Remote Desktop firewall rule allows TCP ${port}, so Windows Firewall drops RDP connections.`,
    explanation: 'The built-in rule group is missing or does not cover the RDP port. Recreate the rule (or run `Enable-NetFirewallRule -Group \'@FirewallAPI.dll,-28752\'` if it exists under another port); escalate.',
    evidence,
  });
});
