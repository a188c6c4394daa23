// The RDP self-signed certificate as Windows makes it: CN = computer name, Server Authentication EKU,
// valid six months, key in MachineKeys under the fixed RDP container name with the healthy ACL.
import type { FileAcl } from '../../host/operations.ts';
import { SID } from './accounts.ts';
import { createCertificate, LAB_KEY_ALGORITHM, LAB_KEY_BITS, OID_SERVER_AUTH } from '../certs/index.ts';
import type { HostModel, ModelCertificate } from './host-model.ts';
import { MACHINE_KEYS, RDP_KEY_CONTAINER_HASH } from './paths.ts';

export const FULL_CONTROL = 2032127; // FileSystemRights.FullControl
export const READ = 131209; // FileSystemRights.Read
export const WRITE = 278; // FileSystemRights.Write
const DAY = 86_400_000;

export const rdpKeyContainer = (model: HostModel): string => `${RDP_KEY_CONTAINER_HASH}_${model.os.machineGuid ?? ''}`;
export const rdpKeyFilePath = (model: HostModel): string => `${MACHINE_KEYS}\\${rdpKeyContainer(model)}`;

/** The ACL [S5] requires on the RDP key file: SYSTEM full, NETWORK SERVICE read, Administrators full. */
export function healthyKeyFileAcl(path: string): FileAcl {
  return {
    path,
    exists: true,
    ownerSid: SID.administrators,
    access: [
      { sid: SID.system, rights: FULL_CONTROL, type: 'Allow', inherited: false },
      { sid: SID.networkService, rights: READ, type: 'Allow', inherited: false },
      { sid: SID.administrators, rights: FULL_CONTROL, type: 'Allow', inherited: false },
    ],
  };
}

export interface CertDates {
  notBefore: Date;
  notAfter: Date;
}

/** A certificate for the 'Remote Desktop' store; validity defaults to six months from `now`. */
export function newRdpCertificate(model: HostModel, now: Date, dates?: CertDates): ModelCertificate {
  const notBefore = dates?.notBefore ?? new Date(now.getTime() - 5 * 60_000);
  const notAfter = dates?.notAfter ?? new Date(notBefore.getTime() + 182 * DAY);
  // Self-signed, serverAuth EKU, SAN = the computer name; RSA-2048 like Windows' own.
  const made = createCertificate({ commonName: model.computerName, dnsNames: [model.computerName], notBefore, notAfter });
  const subject = `CN=${model.computerName}`; // as Windows shows it
  return {
    thumbprint: made.thumbprint,
    subject,
    issuer: subject,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    dnsNames: [model.computerName],
    enhancedKeyUsages: [OID_SERVER_AUTH],
    hasPrivateKey: true,
    keyAlgorithm: LAB_KEY_ALGORITHM,
    keySize: LAB_KEY_BITS,
    keyContainer: rdpKeyContainer(model),
    certPem: made.certPem,
    keyPem: made.keyPem,
    keyReadable: true,
  };
}
