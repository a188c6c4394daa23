// cert-key-unreadable: the RDP key file (MachineKeys\f686aace..._<MachineGuid>) lost its NETWORK
// SERVICE (S-1-5-20) read ACE, so TermService cannot open the private key: TLS fails, Schannel
// logs 36870 (0x8009030D) and RCM 1057. The catalogue's targeted fix is an icacls grant, for which
// the plan language has no op; the op-level cure is the regeneration path: cert.move the
// certificate to a backup store and service.control SessionEnv restart (the new key gets the
// healthy ACL).
import { SID } from '../model/accounts.ts';
import { rdpKeyFilePath } from '../model/rdp-cert.ts';
import { event, RCM_PROVIDER } from './helpers.ts';
import type { Scenario } from './types.ts';

export const certKeyUnreadable: Scenario = {
  name: 'cert-key-unreadable',
  description: 'NETWORK SERVICE cannot read the RDP certificate private key (MachineKeys ACL).',
  cause: ['cert-machinekeys-acl'],
  fix: "(no ACL op) cert.move fromStore 'Remote Desktop' toStore 'RdpMedicBackup' thumbprint <cert>; service.control SessionEnv stop + start",
  apply: (m, { now }) => {
    const acl = m.fileAcls[rdpKeyFilePath(m).toLowerCase()];
    if (acl) acl.access = acl.access.filter((a) => a.sid !== SID.networkService);
    m.events.push(
      event(now, 40, { log: 'System', provider: 'Schannel', id: 36870, level: 2, properties: ['0x8009030d'] }),
      event(now, 39, { log: 'System', provider: RCM_PROVIDER, id: 1057, level: 2, properties: ['Keyset does not exist'] }),
      event(now, 12, { log: 'System', provider: 'Schannel', id: 36870, level: 2, properties: ['0x8009030d'] }),
    );
  },
};
