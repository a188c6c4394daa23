// The RDP key file's ACL, judged as TermService meets it (issue 10, review point 3): TermService
// reads the key as NETWORK SERVICE (S-1-5-20), not as an administrator.
//  cert-key-acl-network-service: NETWORK SERVICE's entry on the key file lost its read rights (it
//    keeps ReadAttributes|Synchronize, so an entry is still there), Administrators keep Full control:
//    TLS fails (0x904), the cause is cert-machinekeys-acl. Cured by regenerating the certificate
//    (cert.move to a backup store, SessionEnv stop + start: the new key file gets the default ACL).
//  cert-key-acl-admins-removed: Administrators' entries removed, NETWORK SERVICE intact: RDP works;
//    no problem (an administrator-based test would misreport this one).
import { SID } from '../model/accounts.ts';
import { rdpKeyFilePath } from '../model/rdp-cert.ts';
import type { HostModel } from '../model/host-model.ts';
import { event, RCM_PROVIDER } from './helpers.ts';
import type { Scenario } from './types.ts';

/** ReadAttributes | Synchronize: an entry that no longer grants ReadData. */
const NO_READ_DATA = 0x100080;

function rdpKeyFileAcl(m: HostModel): NonNullable<HostModel['fileAcls'][string]> {
  const acl = m.fileAcls[rdpKeyFilePath(m).toLowerCase()];
  if (!acl) throw new Error('scenario: the model has no RDP key file');
  return acl;
}

export const certKeyAclNetworkService: Scenario = {
  name: 'cert-key-acl-network-service',
  description: "NETWORK SERVICE lost read on the RDP certificate's key file (Administrators still have Full control).",
  cause: ['cert-machinekeys-acl'],
  fix: "cert.move fromStore 'Remote Desktop' toStore 'RdpMedicBackup' thumbprint <cert>; service.control SessionEnv stop, start",
  apply: (m, { now }) => {
    const acl = rdpKeyFileAcl(m);
    acl.access = acl.access.map((a) => (a.sid === SID.networkService ? { ...a, rights: NO_READ_DATA } : a));
    m.events.push(event(now, 20, { log: 'System', provider: 'Schannel', id: 36870, level: 2, properties: ['0x8009030d'] }));
    m.events.push(event(now, 19, { log: 'System', provider: RCM_PROVIDER, id: 1057, level: 2, properties: ['Keyset does not exist'] }));
  },
};

export const certKeyAclAdminsRemoved: Scenario = {
  name: 'cert-key-acl-admins-removed',
  description: "Administrators' entries were removed from the RDP certificate's key file; NETWORK SERVICE can still read it.",
  cause: [],
  fix: '(nothing to fix for RDP: TermService reads the key as NETWORK SERVICE)',
  apply: (m) => {
    const acl = rdpKeyFileAcl(m);
    acl.access = acl.access.filter((a) => a.sid !== SID.administrators);
  },
};
