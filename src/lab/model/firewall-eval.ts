// Does the Windows Firewall let inbound TCP to TermService's port through? Evaluated per active
// profile; the user arrives on one interface, so any active profile that lets it through counts.
//   profile off -> allowed; AllowInboundRules=False -> blocked (BlockInboundAlways);
//   an enabled Block rule covering the port -> blocked (block wins);
//   default inbound Allow, or an enabled Allow rule for the port -> allowed.
// Rules scoped to another program (the Shadow rule: RdpSa.exe) do not cover TermService.
import type { FirewallProfile } from '../../host/operations.ts';
import type { HostModel, ModelFirewallRule } from './host-model.ts';

function coversTermService(r: ModelFirewallRule, port: number): boolean {
  const programOk = r.program === null || /svchost\.exe$/i.test(r.program);
  const serviceOk = r.service === null || r.service.toLowerCase() === 'termservice';
  const protoOk = r.protocol === null || /^(tcp|any|6)$/i.test(r.protocol);
  const portOk = r.localPorts.length === 0 || r.localPorts.some((p) => p.toLowerCase() === 'any' || portInRange(p, port));
  return r.enabled && r.direction === 'Inbound' && programOk && serviceOk && protoOk && portOk;
}

function portInRange(spec: string, port: number): boolean {
  const [lo, hi] = spec.split('-').map((s) => Number(s.trim()));
  if (lo === undefined || Number.isNaN(lo)) return false;
  return hi === undefined ? lo === port : port >= lo && !Number.isNaN(hi) && port <= hi;
}

const inProfile = (r: ModelFirewallRule, p: FirewallProfile): boolean => r.profiles.length === 0 || r.profiles.includes(p.name);

export function firewallAllowsTcp(m: HostModel, port: number): boolean {
  return m.firewall.profiles
    .filter((p) => p.active)
    .some((p) => {
      if (!p.enabled) return true;
      if (p.allowInboundRules === 'False') return false;
      const rules = m.firewall.rules.filter((r) => inProfile(r, p) && coversTermService(r, port));
      if (rules.some((r) => r.action === 'Block')) return false;
      return p.defaultInboundAction === 'Allow' || rules.some((r) => r.action === 'Allow');
    });
}
