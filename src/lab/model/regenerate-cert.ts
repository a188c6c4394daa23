// Windows regenerates the RDP self-signed certificate when TermService or SessionEnv starts and the
// 'Remote Desktop' store holds no usable certificate (valid now, key readable) [S5][S7][S9]. It needs
// CryptSvc and KeyIso able to run and NETWORK SERVICE able to write MachineKeys; otherwise RCM logs
// 1057 and nothing changes. That is how the cert-expired / cert-key-unreadable fixes cure the host.
import type { EventRecord } from '../../host/operations.ts';
import { SID } from './accounts.ts';
import { isCurrentlyValid } from './effective.ts';
import type { HostModel } from './host-model.ts';
import { MACHINE_KEYS, RDP_STORE } from './paths.ts';
import { addKeyFile, keyReadableByTermService, newRdpCertificate, WRITE } from './rdp-cert.ts';

const RCM = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager';

function event(id: number, level: number, now: Date, properties: string[]): EventRecord {
  return { log: 'System', provider: RCM, id, level, timeCreated: now.toISOString(), properties };
}

function machineKeysWritable(m: HostModel): boolean {
  const acl = m.fileAcls[MACHINE_KEYS.toLowerCase()];
  if (!acl?.exists) return false;
  const who = new Set<string>([SID.networkService, SID.everyone]);
  const aces = acl.access.filter((a) => who.has(a.sid));
  return !aces.some((a) => a.type === 'Deny' && (a.rights & WRITE) !== 0) && aces.some((a) => a.type === 'Allow' && (a.rights & WRITE) === WRITE);
}

export function hasUsableRdpCertificate(m: HostModel, now: Date): boolean {
  return (m.certStores[RDP_STORE.toLowerCase()]?.certs ?? []).some((c) => isCurrentlyValid(c, now) && keyReadableByTermService(m, c));
}

/** Returns true when a new certificate was made. */
export function ensureRdpCertificate(m: HostModel, now: Date): boolean {
  if (hasUsableRdpCertificate(m, now)) return false;
  const cryptoOk = ['cryptsvc', 'keyiso'].every((n) => m.services[n] && m.services[n].startType !== 'Disabled');
  if (!cryptoOk || !machineKeysWritable(m)) {
    m.events.push(event(1057, 2, now, ['Keyset does not exist']));
    return false;
  }
  let store = m.certStores[RDP_STORE.toLowerCase()];
  if (!store) {
    store = { name: RDP_STORE, certs: [] };
    m.certStores[RDP_STORE.toLowerCase()] = store;
  }
  const cert = newRdpCertificate(m, now, undefined, true);
  store.certs.push(cert);
  // The new key file gets the default ACL (SYSTEM and Administrators full, NETWORK SERVICE read).
  if (cert.keyContainer) addKeyFile(m, cert.keyContainer);
  m.events.push(event(1056, 4, now, [cert.thumbprint]));
  return true;
}
