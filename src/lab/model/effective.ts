// Effective Terminal Services settings with Group Policy precedence (rdp-checks.md §1, §5): a value
// under ...\Policies\Microsoft\Windows NT\Terminal Services wins over the RDP-Tcp / Terminal Server value.
import type { HostModel, ModelCertificate } from './host-model.ts';
import { POLICY, RDP_STORE, RDP_TCP, SCHANNEL_PROTOCOLS, TS } from './paths.ts';
import { getNumber, getValue, keyExists } from './registry.ts';

/** PolicySource* numbering of the TS WMI classes: 0 server (local), 1 group policy, 2 default. */
export interface Effective {
  value: number;
  source: 0 | 1 | 2;
}

export function effective(model: HostModel, localPath: string, name: string, defaultValue: number): Effective {
  const pol = getNumber(model, POLICY, name);
  if (pol !== undefined) return { value: pol, source: 1 };
  const local = getNumber(model, localPath, name);
  if (local !== undefined) return { value: local, source: 0 };
  return { value: defaultValue, source: 2 };
}

export const effDeny = (m: HostModel): Effective => effective(m, TS, 'fDenyTSConnections', 1);
export const effSecurityLayer = (m: HostModel): Effective => effective(m, RDP_TCP, 'SecurityLayer', 1);
export const effUserAuth = (m: HostModel): Effective => effective(m, RDP_TCP, 'UserAuthentication', 0);
export const effMinEncryption = (m: HostModel): Effective => effective(m, RDP_TCP, 'MinEncryptionLevel', 2);

export const portNumber = (m: HostModel): number => getNumber(m, RDP_TCP, 'PortNumber') ?? 3389;

export function termServiceRunning(m: HostModel): boolean {
  return m.services['termservice']?.state === 'Running';
}

/** TermService running, RDP allowed (policy included), the RDP-Tcp winstation present and enabled. */
export function listenerUp(m: HostModel): boolean {
  return termServiceRunning(m) && effDeny(m).value === 0 && keyExists(m, RDP_TCP) && (getNumber(m, RDP_TCP, 'fEnableWinStation') ?? 1) !== 0;
}

export function isCurrentlyValid(c: ModelCertificate, now: Date): boolean {
  return Date.parse(c.notBefore) <= now.getTime() && now.getTime() < Date.parse(c.notAfter);
}

/** The custom binding (REG_BINARY SSLCertificateSHA1Hash under RDP-Tcp) as an upper-case thumbprint. */
export function boundThumbprint(m: HostModel): string | null {
  const v = getValue(m, RDP_TCP, 'SSLCertificateSHA1Hash');
  return v && typeof v.data === 'string' && v.data.length > 0 ? v.data.toUpperCase() : null;
}

/**
 * The certificate TermService presents: the bound one (searched in My, then Remote Desktop) when a
 * binding exists and resolves, else the newest certificate in the Remote Desktop store, valid or not
 * (Windows falls back to the self-signed certificate when the binding is stale: RCM 1051).
 */
export function selectedCertificate(m: HostModel): { cert: ModelCertificate; store: string; hashType: 1 | 3 } | null {
  const bound = boundThumbprint(m);
  if (bound) {
    for (const key of ['my', RDP_STORE.toLowerCase()]) {
      const cert = m.certStores[key]?.certs.find((c) => c.thumbprint === bound);
      if (cert) return { cert, store: m.certStores[key]?.name ?? key, hashType: 3 };
    }
  }
  const store = m.certStores[RDP_STORE.toLowerCase()];
  const newest = [...(store?.certs ?? [])].sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore))[0];
  return newest && store ? { cert: newest, store: store.name, hashType: 1 } : null;
}

/** Schannel server protocol state: Enabled=0 or DisabledByDefault!=0 turns a version off; absent = on (Server 2022). */
export function schannelServer(m: HostModel, protocol: string): boolean {
  const path = `${SCHANNEL_PROTOCOLS}\\${protocol}\\Server`;
  const enabled = getNumber(m, path, 'Enabled');
  const dbd = getNumber(m, path, 'DisabledByDefault');
  return enabled !== 0 && (dbd === undefined || dbd === 0);
}
