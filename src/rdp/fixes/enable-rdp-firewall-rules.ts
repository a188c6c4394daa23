// enable-rdp-firewall-rules (fw-rdp-rules): enable RemoteDesktop-UserMode-In-TCP and -UDP where off.
import { activeBlockRules, rdpPort } from '../checks/lib/host.ts';
import { fact, Missing } from './lib/facts.ts';
import { RDP_RULES, ruleEnableOps } from './lib/firewall.ts';
import { makeFixPlan, notApplicable, defineFix } from './lib/plan.ts';

export const enableRdpFirewallRules = defineFix('enable-rdp-firewall-rules', (ctx) => {
  const rules = fact(ctx.facts.firewallRules, 'the Remote Desktop firewall rules');
  if (rules instanceof Missing) return notApplicable(rules.reason);
  const profiles = fact(ctx.facts.firewallProfiles, 'the firewall profiles');
  const port = rdpPort(ctx.facts);
  if (!(profiles instanceof Missing) && port !== undefined) {
    const blocks = activeBlockRules(rules, profiles, port);
    if (blocks.length) {
      return notApplicable(`the Block rule ${blocks.map((b) => b.name).join(', ')} drops TCP ${port} whatever the Remote Desktop rules say: disable or delete it, or narrow its ports or addresses (escalate)`);
    }
  }
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
