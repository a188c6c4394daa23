// Host-side derivations several checks share (and the symptom checks use to name a cause).
// Each takes HostFacts and returns undefined when the fact it needs is missing.
import { isFactError, type HostFacts, type SchannelProtocol } from '../../read-plan.ts';
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

/**
 * Enabled inbound Block rules that cover TCP `port` (TCP/Any protocol; local ports naming it, a range
 * containing it, 'Any' or none). A Block rule beats every Allow rule.
 */
export function rdpTcpBlockRules(rules: FirewallRule[], port: number): FirewallRule[] {
  return rules.filter(
    (r) => r.enabled && r.direction === 'Inbound' && r.action === 'Block' && (r.protocol === null || /^(tcp|any|6)$/i.test(r.protocol)) && portCovered(r, port),
  );
}

/** Block rules for `port` that apply on an active, enabled profile. */
export function activeBlockRules(rules: FirewallRule[], profiles: FirewallProfile[], port: number): FirewallRule[] {
  const active = activeProfiles(profiles).filter((p) => p.enabled);
  return rdpTcpBlockRules(rules, port).filter((r) => active.some((p) => ruleInProfile(r, p)));
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
  const blocks = rdpTcpBlockRules(f.firewallRules, port);
  return activeProfiles(f.firewallProfiles).some((p) => {
    if (!p.enabled) return true;
    if (p.allowInboundRules === 'False') return false;
    if (blocks.some((r) => ruleInProfile(r, p))) return false;
    return p.defaultInboundAction === 'Allow' || rules.some((r) => ruleInProfile(r, p));
  });
}

export const SID_NETWORK_SERVICE = 'S-1-5-20';
/** FileSystemRights.ReadData: what TermService needs on its key file. */
export const READ_DATA = 0x1;

/**
 * Can TermService (NETWORK SERVICE, S-1-5-20) read the certificate's private key file? Judged by
 * the key file's ACL only: an Allow entry with ReadData and no Deny entry with it. Administrators'
 * entries do not matter (TermService is not an administrator).
 */
export type KeyAccess =
  | { state: 'no-key' }
  | { state: 'readable'; file: string }
  | { state: 'denied'; file: string; reason: string }
  | { state: 'unknown'; reason: string };

export const keyFileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

export function keyAccess(c: CertificateInfo): KeyAccess {
  if (!c.hasPrivateKey) return { state: 'no-key' };
  const f = c.keyFile;
  if (!f) {
    return {
      state: 'unknown',
      reason: c.keyContainer
        ? `the host did not find the key file of container ${c.keyContainer} under MachineKeys or Crypto\\Keys, so its ACL could not be read`
        : 'the host could not tell which key container holds the private key, so its key file ACL could not be read',
    };
  }
  const file = keyFileName(f.path);
  if (!f.exists) return { state: 'denied', file, reason: `the certificate's private key file ${file} does not exist` };
  const ns = f.access.filter((a) => a.sid === SID_NETWORK_SERVICE && (a.rights & READ_DATA) !== 0);
  if (ns.some((a) => a.type === 'Deny')) return { state: 'denied', file, reason: `NETWORK SERVICE (which TermService runs as) is denied read on the certificate's private key file ${file}` };
  if (!ns.some((a) => a.type === 'Allow')) return { state: 'denied', file, reason: `NETWORK SERVICE (which TermService runs as) cannot read the certificate's private key file ${file}` };
  return { state: 'readable', file };
}

/** Is the certificate's private key usable (present, and not known to be unreadable by TermService)? */
export function keyUsable(c: CertificateInfo): boolean {
  return c.hasPrivateKey && keyAccess(c).state !== 'denied';
}

/** Why TermService cannot read the key, or null when it can (or it cannot be told). */
export function keyDenied(c: CertificateInfo): string | null {
  const a = keyAccess(c);
  return a.state === 'denied' ? a.reason : null;
}

/** What the evidence shows of a certificate's key. */
export function keyEvidence(c: CertificateInfo): Record<string, unknown> {
  const a = keyAccess(c);
  return { hasPrivateKey: c.hasPrivateKey, keyContainer: c.keyContainer, keyFile: c.keyFile ? { path: c.keyFile.path, owner: c.keyFile.ownerSid, access: c.keyFile.access } : null, termServiceCanRead: a.state === 'readable' ? true : a.state === 'denied' ? false : null };
}
