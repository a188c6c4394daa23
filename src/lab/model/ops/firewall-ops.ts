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

/** localPorts names `port` as a number or inside a range 'a-b' ('Any' does not count: it is not a rule for the port). */
export function localPortsContain(localPorts: string[], port: number): boolean {
  return localPorts.some((p) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(p);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return port >= lo && port <= hi;
  });
}

/** Ordinal, case-sensitive (String.CompareOrdinal / [StringComparer]::Ordinal). */
const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The union of the rules of `group`, the rules named in `names`, and (with `port`) the inbound TCP/Any
 * rules whose local ports name the port; deduplicated by name, sorted by name (ordinal). None of the
 * three: every rule.
 */
export function fwRules({ model }: OpContext, op: OpOf<'fw.rules'>): OpOutcome {
  const all = op.group === undefined && op.names === undefined && op.port === undefined;
  const port = op.port;
  const picked = model.firewall.rules.filter(
    (r) =>
      all ||
      (op.group !== undefined && r.group !== null && same(r.group, op.group)) ||
      (op.names !== undefined && op.names.some((n) => same(n, r.name))) ||
      (port !== undefined && r.direction === 'Inbound' && r.protocol !== null && /^(tcp|any)$/i.test(r.protocol) && localPortsContain(r.localPorts, port)),
  );
  const byName = new Map<string, ModelFirewallRule>();
  for (const r of picked) if (!byName.has(r.name)) byName.set(r.name, r);
  return ok([...byName.values()].sort((a, b) => ordinal(a.name, b.name)).map(ruleInfo));
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
