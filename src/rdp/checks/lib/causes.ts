// Plain-words causes behind a symptom, read from the host facts. Symptom checks
// (net-tcp-reachability, net-rdp-probe, listener-state) use them so their summaries point at the
// cause ("RDP port 3389 refuses connections: TermService is stopped"). null = no host-side cause seen.
// Each cause names the check that finds it, so chat shows the symptom inside that finding.
import { isFactError, SCHANNEL_PROTOCOLS, type HostFacts } from '../../read-plan.ts';
import type { CheckId } from '../../types.ts';
import { ymd } from './dates.ts';
import {
  activeBlockRules, activeProfiles, DEFAULT_RDP_PORT, denyConnections, firewallAllows, inUseCertificate, keyDenied, listenerSwitchesOff, rdpPort, rdpTcpAllowRules, rdpTcpSetting,
  schannelServerEnabled, termService,
} from './host.ts';

/**
 * PortNumber moved away from what clients expect: 3389, or the inventory's rdpPort when the host
 * deliberately uses that custom port. (The inventory port may also be a NAT/lab mapping of 3389.)
 */
export function movedPort(f: HostFacts, clientPort: number): number | null {
  const port = rdpPort(f);
  return port !== undefined && port !== DEFAULT_RDP_PORT && port !== clientPort ? port : null;
}

/** A host-side cause in plain words, and the check whose finding proposes what to do about it. */
export interface Cause {
  text: string;
  check: CheckId;
}

const cause = (check: CheckId, text: string): Cause => ({ text, check });

/** Why nothing listens on the RDP port (TCP refused). `clientPort` is the inventory's rdpPort. */
export function whyNotListening(f: HostFacts | null, clientPort: number): Cause | null {
  if (!f) return null;
  const ts = termService(f);
  if (ts && ts.exists && ts.state !== 'Running') {
    return cause('svc-termservice', `TermService is ${ts.startType === 'Disabled' ? 'disabled and ' : ''}${(ts.state ?? 'not running').toLowerCase()}`);
  }
  const deny = denyConnections(f);
  if (deny && deny.value !== 0) {
    return cause('rdp-enabled', deny.source === 'policy' ? 'Group Policy turns Remote Desktop off (fDenyTSConnections=1)' : 'Remote Desktop is turned off (fDenyTSConnections=1)');
  }
  const off = listenerSwitchesOff(f);
  if (off && off.length) return cause('rdp-logon-modes', `the RDP-Tcp listener is disabled (${off.join(', ')})`);
  const moved = movedPort(f, clientPort);
  if (moved !== null) return cause('listener-port', `RDP listens on port ${moved}, not ${DEFAULT_RDP_PORT}`);
  return null;
}

/** Why TCP to the RDP port times out or an accepted connection never gets an answer (filtered). */
export function whyFiltered(f: HostFacts | null, clientPort: number): Cause | null {
  if (!f) return null;
  const port = rdpPort(f);
  const moved = movedPort(f, clientPort);
  if (moved !== null) return cause('listener-port', `RDP listens on port ${moved}, not ${DEFAULT_RDP_PORT}`);
  if (!isFactError(f.firewallProfiles)) {
    const blockAll = activeProfiles(f.firewallProfiles).find((p) => p.enabled && p.allowInboundRules === 'False');
    if (blockAll) return cause('fw-profile-policy', `the ${blockAll.name} firewall profile blocks all inbound connections`);
  }
  if (port !== undefined && firewallAllows(f, port) === false && !isFactError(f.firewallRules)) {
    const blocks = isFactError(f.firewallProfiles) ? [] : activeBlockRules(f.firewallRules, f.firewallProfiles, port);
    if (blocks.length) return cause('fw-rdp-rules', `the Windows Firewall Block rule ${blocks.map((r) => r.name).join(', ')} drops TCP ${port}`);
    const rules = rdpTcpAllowRules(f.firewallRules, port);
    if (rules.length && rules.every((r) => !r.enabled)) return cause('fw-rdp-rules', 'the Remote Desktop firewall rules are disabled');
    return cause('fw-rdp-rules', `Windows Firewall has no enabled rule allowing TCP ${port}`);
  }
  return null;
}

/** Why the TLS handshake fails after the server selected TLS/CredSSP. */
export function whyTlsFails(f: HostFacts | null, now: Date): Cause | null {
  if (!f) return null;
  const inUse = inUseCertificate(f);
  if (inUse?.cert) {
    const c = inUse.cert;
    if (!c.hasPrivateKey) return cause('cert-rdp-store', 'the RDP certificate has no private key');
    const denied = keyDenied(c);
    if (denied) return cause('cert-machinekeys-acl', denied);
    if (Date.parse(c.notAfter) < now.getTime()) return cause('cert-rdp-store', `the RDP certificate expired on ${ymd(c.notAfter)}`);
  }
  const states = SCHANNEL_PROTOCOLS.map((p) => schannelServerEnabled(f, p));
  if (states.every((s) => s === false)) return cause('tls-schannel-protocols', 'every server-side TLS version is disabled in Schannel');
  if (schannelServerEnabled(f, 'TLS 1.2') === false) return cause('tls-schannel-protocols', 'TLS 1.2 is disabled for the server side of Schannel');
  return null;
}

/** Why the server refuses the negotiation or picks legacy RDP security. */
export function whyNegotiationFails(f: HostFacts | null): Cause | null {
  if (!f) return null;
  const sl = rdpTcpSetting(f, 'SecurityLayer', 1);
  if (sl?.value === 0) return cause('sec-layer-nla', `${sl.source === 'policy' ? 'Group Policy sets' : 'RDP-Tcp is set to'} the legacy RDP security layer (SecurityLayer 0)`);
  return null;
}
