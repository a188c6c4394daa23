// fw.rules, fw.profiles, fw.enable. Rules are matched by their locale-free Name; the group is the
// indirect string (@FirewallAPI.dll,-28752). Reads strip the model's program/service scoping.
import type { FirewallRule } from '../../../host/operations.ts';
import type { ModelFirewallRule } from '../host-model.ts';
import { fail, ok, preconditionFailed, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export function ruleInfo(r: ModelFirewallRule): FirewallRule {
  const { program: _p, service: _s, ...rest } = r;
  return structuredClone(rest);
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function fwRules({ model }: OpContext, op: OpOf<'fw.rules'>): OpOutcome {
  const rules = model.firewall.rules.filter(
    (r) => (op.group === undefined || (r.group !== null && same(r.group, op.group))) && (op.names === undefined || op.names.some((n) => same(n, r.name))),
  );
  return ok(rules.map(ruleInfo));
}

export function fwProfiles({ model }: OpContext): OpOutcome {
  return ok(structuredClone(model.firewall.profiles));
}

export function fwEnable({ model }: OpContext, op: OpOf<'fw.enable'>): OpOutcome {
  const rules: ModelFirewallRule[] = [];
  for (const name of op.names) {
    const r = model.firewall.rules.find((x) => same(x.name, name));
    if (!r) return fail('NotFound', `No MSFT_NetFirewallRule objects found with property 'Name' equal to '${name}'.`);
    rules.push(r);
  }
  const previous: Record<string, boolean> = Object.fromEntries(rules.map((r) => [r.name, r.enabled]));
  if (op.expect) {
    for (const [name, want] of Object.entries(op.expect)) {
      const r = rules.find((x) => same(x.name, name)) ?? model.firewall.rules.find((x) => same(x.name, name));
      if (!r || r.enabled !== want) return preconditionFailed(`Firewall rule ${name}`, previous);
    }
  }
  for (const r of rules) r.enabled = op.enabled;
  return ok(Object.fromEntries(rules.map((r) => [r.name, r.enabled])), previous);
}
