// fw-profile-policy (§3.D): a firewall profile that blocks all inbound (AllowInboundRules=False), or a
// GPO that ignores local rules (AllowLocalFirewallRules=False) with no GPO-delivered RDP rule.
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { activeProfiles, DEFAULT_RDP_PORT, rdpPort, rdpTcpAllowRules, ruleInProfile } from './lib/host.ts';

export const fwProfilePolicy = defineCheck('fw-profile-policy', 'Firewall profile lets allow rules work', 'critical', (input, f) => {
  const got = need(input, {
    profiles: ['the firewall profiles', (h) => h.firewallProfiles],
    rules: ['the Remote Desktop firewall rules', (h) => h.firewallRules],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the firewall profile lets RDP rules work: ${got.missing}.`, undefined, got.evidence);
  const active = activeProfiles(got.v.profiles);
  const port = rdpPort(got.facts) ?? DEFAULT_RDP_PORT;
  const evidence = { profiles: got.v.profiles.map((p) => ({ name: p.name, active: p.active, enabled: p.enabled, defaultInbound: p.defaultInboundAction, allowInboundRules: p.allowInboundRules, allowLocalFirewallRules: p.allowLocalFirewallRules })) };
  const blockAll = active.filter((p) => p.enabled && p.allowInboundRules === 'False');
  if (blockAll.length) {
    return f.problem({
      summary: `The ${blockAll.map((p) => p.name).join('/')} firewall profile blocks all inbound connections (AllowInboundRules=False), so the Remote Desktop allow rules are ignored and RDP is dropped.`,
      explanation: 'In "block all incoming connections" mode Windows Firewall ignores every allow rule. If this is set by Group Policy, change the GPO; otherwise `Set-NetFirewallProfile -Profile <name> -AllowInboundRules True` re-enables rule processing (a policy decision if block-all was deliberate). rdp-medic has no automatic fix for it.',
      evidence,
    });
  }
  const gpoRule = rdpTcpAllowRules(got.v.rules, port).some((r) => r.enabled && r.policyStoreSourceType === 'GroupPolicy');
  const noLocal = active.filter((p) => p.enabled && p.allowLocalFirewallRules === 'False' && p.defaultInboundAction !== 'Allow');
  if (noLocal.length && !gpoRule) {
    return f.problem({
      summary: `Group Policy disables local firewall rules on the ${noLocal.map((p) => p.name).join('/')} profile (AllowLocalFirewallRules=False) and delivers no RDP allow rule, so RDP is blocked whatever the local rules say.`,
      explanation: 'Only rules from Group Policy count on this profile, and the GPO has no Remote Desktop rule. Enabling a local rule would have no effect; add the Remote Desktop rule to the firewall GPO (escalate to its owner).',
      evidence,
      managedByPolicy: true,
    });
  }
  const covered = active.some((p) => !p.enabled || p.defaultInboundAction === 'Allow' || rdpTcpAllowRules(got.v.rules, port).some((r) => ruleInProfile(r, p)));
  return f.ok(
    `The active firewall profile (${active.map((p) => p.name).join(', ')}) processes allow rules normally${covered ? '' : ' (whether a rule allows RDP is the firewall-rules finding)'}.`,
    'No block-all setting overrides the Remote Desktop rules.',
    evidence,
  );
});
