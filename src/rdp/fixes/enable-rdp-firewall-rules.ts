// enable-rdp-firewall-rules (fw-rdp-rules): enable RemoteDesktop-UserMode-In-TCP and -UDP where off.
import { fact, Missing } from './lib/facts.ts';
import { RDP_RULES, ruleEnableOps } from './lib/firewall.ts';
import { makeFixPlan, notApplicable, defineFix } from './lib/plan.ts';

export const enableRdpFirewallRules = defineFix('enable-rdp-firewall-rules', (ctx) => {
  const rules = fact(ctx.facts.firewallRules, 'the Remote Desktop firewall rules');
  if (rules instanceof Missing) return notApplicable(rules.reason);
  const r = ruleEnableOps(rules);
  if (r.missing.includes(RDP_RULES[0])) {
    return notApplicable(`the built-in rule ${RDP_RULES[0]} does not exist on the host; it has to be recreated (escalate)`);
  }
  if (r.byPolicy.length) {
    return notApplicable(`${r.byPolicy.join(' and ')} ${r.byPolicy.length > 1 ? 'are' : 'is'} disabled by Group Policy; a local change is not the fix: ask the GPO owner`);
  }
  if (!r.ops.length) return notApplicable('the Remote Desktop firewall rules are already enabled');
  return makeFixPlan('enable-rdp-firewall-rules', ctx, { ops: r.ops, recheck: ['fw-rdp-rules'], expectRdpTls: true });
});
