// listener-port (§3.C): RDP-Tcp PortNumber vs the port clients use (the inventory's rdpPort, 3389 by
// default) and the firewall; another process owning the port.
import { isFactError } from '../read-plan.ts';
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { DEFAULT_RDP_PORT, rdpTcpAllowRules } from './lib/host.ts';
import { regNumber } from './lib/registry.ts';

export const listenerPort = defineCheck('listener-port', 'RDP port matches what clients use', 'high', (input, f) => {
  const got = need(input, {
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
    sockets: ['the TCP listeners', (h) => h.tcpListeners],
    svc: ['the TermService state', (h) => h.services.TermService],
  });
  if (!got.ok) return f.unknown(`Could not tell which port RDP listens on: ${got.missing}.`, undefined, got.evidence);
  const port = regNumber(got.v.rdpTcp, 'PortNumber') ?? DEFAULT_RDP_PORT;
  const expected = input.target.rdpPort;
  const pid = got.v.svc.processId;
  const owners = got.v.sockets.filter((l) => l.localPort === port);
  const foreign = got.v.svc.state === 'Running' ? owners.filter((l) => l.owningProcess !== pid && !l.services.some((s) => /^termservice$/i.test(s))) : [];
  const rules = got.facts.firewallRules;
  const covering = isFactError(rules) ? null : rdpTcpAllowRules(rules, port).filter((r) => r.enabled).map((r) => r.name);
  const evidence = { PortNumber: port, clientPort: expected, owners: owners.map((l) => ({ pid: l.owningProcess, process: l.processName, services: l.services })), termServicePid: pid, firewallRulesCovering: covering };
  if (foreign.length) {
    const o = foreign[0];
    return f.problem({
      summary: `RDP port ${port} is taken by ${o?.processName ?? 'another process'} (PID ${o?.owningProcess}${o?.services.length ? `, ${o.services.join(', ')}` : ''}), so TermService cannot listen on it.`,
      explanation: 'Another application holds the RDP port. The preferred fix is to move that application to another port or remove it; stopping it affects that application, so this is escalated rather than fixed automatically.',
      evidence,
    });
  }
  // The inventory port may be a NAT (or lab) mapping of 3389; only a PortNumber that is neither 3389
  // nor the inventory port is one clients cannot reach.
  if (port !== DEFAULT_RDP_PORT && port !== expected) {
    return f.problem({
      summary: `RDP listens on port ${port}, but clients and the firewall rules expect ${DEFAULT_RDP_PORT}${covering && covering.length === 0 ? ` and no firewall rule allows ${port}` : ''}, so RDP connections are refused.`,
      explanation: `Someone moved RDP-Tcp's PortNumber to ${port} without updating clients and firewall rules. The fix sets PortNumber back to ${DEFAULT_RDP_PORT} and restarts Remote Desktop Services (drops open RDP sessions). To keep the custom port instead, update the firewall rule and every client (host:${port}) and the inventory.`,
      evidence,
      fix: proposeFix('reset-rdp-port', got.facts),
    });
  }
  if (port !== DEFAULT_RDP_PORT && covering !== null && covering.length === 0) {
    return f.problem({
      summary: `RDP uses the custom port ${port}, but no enabled firewall rule allows it, so Windows Firewall drops the connections.`,
      explanation: `A non-default port needs a matching firewall rule. Either move RDP back to ${DEFAULT_RDP_PORT} (the fix; restarts Remote Desktop Services) or align the rule with \`Set-NetFirewallRule -Name RemoteDesktop-UserMode-In-TCP -LocalPort ${port}\`.`,
      evidence,
      fix: proposeFix('reset-rdp-port', got.facts),
    });
  }
  return f.ok(`RDP listens on port ${port}${port !== DEFAULT_RDP_PORT ? ', the custom port clients use, allowed by the firewall' : ', the standard RDP port'}.`, 'The port setting matches the clients and the firewall.', evidence);
});
