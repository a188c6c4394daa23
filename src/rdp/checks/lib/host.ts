// Host-side derivations several checks share (and the symptom checks use to name a cause).
// Each takes HostFacts and returns undefined when the fact it needs is missing.
import { isFactError, type HostFacts, type SchannelProtocol } from '../../../host/read-plan.ts';
import type { CertificateInfo, FirewallProfile, FirewallRule, ServiceInfo } from '../../../host/operations.ts';
import { effectiveNumber, regData, regNumber, type Effective } from './registry.ts';

export const DEFAULT_RDP_PORT = 3389;
export const SID_RDU = 'S-1-5-32-555';
export const SID_ADMINS = 'S-1-5-32-544';

export function termService(f: HostFacts): ServiceInfo | undefined {
  const s = f.services.TermService;
  return isFactError(s) ? undefined : s;
}

export function rdpPort(f: HostFacts): number | undefined {
  if (isFactError(f.rdpTcp)) return undefined;
  return regNumber(f.rdpTcp, 'PortNumber') ?? DEFAULT_RDP_PORT;
}

/** Effective fDenyTSConnections (policy wins; absent everywhere = denied, as Windows ships). */
export function denyConnections(f: HostFacts): Effective | undefined {
  if (isFactError(f.tsPolicy) || isFactError(f.terminalServer)) return undefined;
  return effectiveNumber(f.tsPolicy, f.terminalServer, 'fDenyTSConnections', 1);
}

export function rdpTcpSetting(f: HostFacts, name: string, defaultValue?: number): Effective | undefined {
  if (isFactError(f.tsPolicy) || isFactError(f.rdpTcp)) return undefined;
  return effectiveNumber(f.tsPolicy, f.rdpTcp, name, defaultValue);
}

/** Listener switches that stop RDP-Tcp from listening or accepting logons. */
export function listenerSwitchesOff(f: HostFacts): string[] | undefined {
  if (isFactError(f.rdpTcp)) return undefined;
  const out: string[] = [];
  if (regNumber(f.rdpTcp, 'fEnableWinStation') === 0) out.push('fEnableWinStation=0');
  if (regNumber(f.rdpTcp, 'fLogonDisabled') === 1) out.push('fLogonDisabled=1');
  if (!isFactError(f.terminalServer) && regNumber(f.terminalServer, 'TSEnabled') === 0) out.push('TSEnabled=0');
  return out;
}

/** Schannel server-side protocol state: Enabled=0 or DisabledByDefault≠0 turns it off; no value = OS default (on). */
export function schannelServerEnabled(f: HostFacts, p: SchannelProtocol): boolean | undefined {
  const key = f.schannel[p];
  if (isFactError(key)) return undefined;
  const enabled = regNumber(key, 'Enabled');
  const dbd = regNumber(key, 'DisabledByDefault');
  return enabled !== 0 && (dbd === undefined || dbd === 0);
}

export function cimFirst(fact: HostFacts['tsGeneral']): Record<string, unknown> | undefined {
  return isFactError(fact) ? undefined : fact[0];
}

export interface InUseCert {
  cert: CertificateInfo | undefined;
  thumbprint: string | null;
  hashType: number | null;
  /** A custom binding (REG_BINARY SSLCertificateSHA1Hash under RDP-Tcp) as upper-case hex. */
  boundThumbprint: string | null;
}

const hex = (s: unknown): string | null => (typeof s === 'string' && s.replace(/[^0-9a-f]/gi, '').length > 0 ? s.replace(/[^0-9a-f]/gi, '').toUpperCase() : null);

/** The certificate TermService uses: SSLCertificateSHA1Hash from Win32_TSGeneralSetting, found in My or Remote Desktop. */
export function inUseCertificate(f: HostFacts): InUseCert | undefined {
  const g = cimFirst(f.tsGeneral);
  if (!g || isFactError(f.certsRemoteDesktop)) return undefined;
  const thumbprint = hex(g['SSLCertificateSHA1Hash']);
  const hashType = typeof g['SSLCertificateSHA1HashType'] === 'number' ? g['SSLCertificateSHA1HashType'] : null;
  const bound = isFactError(f.rdpTcp) ? null : hex(regData(f.rdpTcp, 'SSLCertificateSHA1Hash'));
  const pool = [...f.certsRemoteDesktop, ...(isFactError(f.certsMy) ? [] : f.certsMy)];
  const cert = thumbprint ? pool.find((c) => c.thumbprint.toUpperCase() === thumbprint) : undefined;
  return { cert, thumbprint, hashType, boundThumbprint: bound };
}

export function isServerAuthCapable(c: CertificateInfo): boolean {
  // Remote Desktop Authentication or Server Authentication EKU; no EKU extension means any purpose.
  return c.enhancedKeyUsages.length === 0 || c.enhancedKeyUsages.some((o) => o === '1.3.6.1.4.1.311.54.1.2' || o === '1.3.6.1.5.5.7.3.1');
}

function portCovered(rule: FirewallRule, port: number): boolean {
  return rule.localPorts.length === 0 || rule.localPorts.some((p) => {
    if (p.toLowerCase() === 'any') return true;
    const [lo, hi] = p.split('-').map((x) => Number(x.trim()));
    if (lo === undefined || Number.isNaN(lo)) return false;
    return hi === undefined ? lo === port : port >= lo && port <= hi;
  });
}

/** Inbound TCP allow rules for TermService's port (the Shadow rule is for RdpSa.exe, not the listener). */
export function rdpTcpAllowRules(rules: FirewallRule[], port: number): FirewallRule[] {
  return rules.filter(
    (r) =>
      r.direction === 'Inbound' && r.action === 'Allow' && !/shadow/i.test(r.name) &&
      (r.protocol === null || /^(tcp|any|6)$/i.test(r.protocol)) && portCovered(r, port),
  );
}

export function activeProfiles(profiles: FirewallProfile[]): FirewallProfile[] {
  const active = profiles.filter((p) => p.active);
  return active.length ? active : profiles;
}

export const ruleInProfile = (r: FirewallRule, p: FirewallProfile): boolean => r.profiles.length === 0 || r.profiles.includes(p.name);

/** Does Windows Firewall let inbound TCP to `port` through on some active profile? */
export function firewallAllows(f: HostFacts, port: number): boolean | undefined {
  if (isFactError(f.firewallRules) || isFactError(f.firewallProfiles)) return undefined;
  const rules = rdpTcpAllowRules(f.firewallRules, port).filter((r) => r.enabled);
  return activeProfiles(f.firewallProfiles).some((p) => {
    if (!p.enabled) return true;
    if (p.allowInboundRules === 'False') return false;
    return p.defaultInboundAction === 'Allow' || rules.some((r) => ruleInProfile(r, p));
  });
}

/** Is the certificate's private key usable (present and opened by the runtime)? */
export function keyUsable(c: CertificateInfo): boolean {
  return c.hasPrivateKey && c.privateKeyAccessible !== false;
}
