// The RDP self-signed certificate as Windows makes it: CN = computer name, Server Authentication EKU,
// valid six months, key in MachineKeys under the fixed RDP container name with the healthy ACL.
import { createHash } from 'node:crypto';
import type { FileAcl, HostCertificate } from '../../host/operations.ts';
import { SID } from './accounts.ts';
import { createCertificate, LAB_KEY_ALGORITHM, LAB_KEY_BITS, OID_SERVER_AUTH } from '../certs/index.ts';
import type { HostModel, ModelCertificate } from './host-model.ts';
import { KEY_FILE_DIRS, RDP_KEY_CONTAINER_HASH } from './paths.ts';

export const FULL_CONTROL = 2032127; // FileSystemRights.FullControl
export const READ = 131209; // FileSystemRights.Read
/** FileSystemRights.Read as Windows shows it on a key file (with Synchronize): 0x120089. */
export const KEY_READ = 0x120089;
/** FileSystemRights.ReadData: the bit TermService needs on its key file. */
export const READ_DATA = 0x1;
export const WRITE = 278; // FileSystemRights.Write
const DAY = 86_400_000;

export const rdpKeyContainer = (model: HostModel): string => `${RDP_KEY_CONTAINER_HASH}_${model.os.machineGuid ?? ''}`;
/** The key file of a container under MachineKeys, unexpanded (%ProgramData%), as model.fileAcls keeps it. */
export const keyFilePathFor = (container: string): string => `${KEY_FILE_DIRS[0]}\\${container}`;
export const rdpKeyFilePath = (model: HostModel): string => keyFilePathFor(rdpKeyContainer(model));

/** The ACL [S5] requires on the RDP key file: SYSTEM full, Administrators full, NETWORK SERVICE read. */
export function healthyKeyFileAcl(path: string): FileAcl {
  return {
    path,
    exists: true,
    ownerSid: SID.administrators,
    access: [
      { sid: SID.system, rights: FULL_CONTROL, type: 'Allow', inherited: false },
      { sid: SID.administrators, rights: FULL_CONTROL, type: 'Allow', inherited: false },
      { sid: SID.networkService, rights: KEY_READ, type: 'Allow', inherited: false },
    ],
  };
}

/** Creates (or replaces) the key file of `container` under MachineKeys with the healthy ACL. */
export function addKeyFile(model: HostModel, container: string): FileAcl {
  const path = keyFilePathFor(container);
  const acl = healthyKeyFileAcl(path);
  model.fileAcls[path.toLowerCase()] = acl;
  return acl;
}

/**
 * The key file of a certificate: the first of MachineKeys\<container>, Crypto\Keys\<container>
 * that model.fileAcls holds (and that exists); null without a key or container.
 */
export function keyFileOf(model: HostModel, c: ModelCertificate): FileAcl | null {
  if (!c.hasPrivateKey || c.keyPem === null || !c.keyContainer) return null;
  for (const dir of KEY_FILE_DIRS) {
    const acl = model.fileAcls[`${dir}\\${c.keyContainer}`.toLowerCase()];
    if (acl?.exists) return acl;
  }
  return null;
}

/** Deletes a certificate's key file unless another certificate of the model still uses its container. */
export function removeKeyFileOf(model: HostModel, c: ModelCertificate): void {
  if (!c.keyContainer) return;
  const shared = Object.values(model.certStores).some((s) => s.certs.some((x) => x !== c && x.keyContainer === c.keyContainer));
  if (shared) return;
  for (const dir of KEY_FILE_DIRS) delete model.fileAcls[`${dir}\\${c.keyContainer}`.toLowerCase()];
}

/** NETWORK SERVICE (TermService's account) may read the file: an Allow entry with ReadData and no Deny entry with it. */
export function networkServiceCanRead(acl: FileAcl | null): boolean {
  if (!acl?.exists) return false;
  const ns = acl.access.filter((a) => a.sid === SID.networkService && (a.rights & READ_DATA) !== 0);
  return ns.some((a) => a.type === 'Allow') && !ns.some((a) => a.type === 'Deny');
}

/** Can TermService open the certificate's private key (present, key file readable by NETWORK SERVICE)? */
export function keyReadableByTermService(model: HostModel, c: ModelCertificate): boolean {
  return c.hasPrivateKey && c.keyPem !== null && networkServiceCanRead(keyFileOf(model, c));
}

/** The certificate as cert.list / cert.move report it (HostCertificate). */
export function hostCertificate(model: HostModel, c: ModelCertificate, store: string): HostCertificate {
  const hasKey = c.hasPrivateKey && c.keyPem !== null;
  const der = Buffer.from(c.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64').toString('base64');
  const keyFile = keyFileOf(model, c);
  return { store, der, hasPrivateKey: hasKey, keyContainer: hasKey ? c.keyContainer : null, keyFile: keyFile ? structuredClone(keyFile) : null };
}

export interface CertDates {
  notBefore: Date;
  notAfter: Date;
}

/**
 * A certificate for the 'Remote Desktop' store; validity defaults to six months from `now`. The
 * first one uses the fixed RDP container name; `freshContainer` (a regenerated certificate) gets a
 * container of its own, so the old certificate keeps its key file (and its ACL) for an undo.
 */
export function newRdpCertificate(model: HostModel, now: Date, dates?: CertDates, freshContainer = false): ModelCertificate {
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
    keyContainer: freshContainer ? `${createHash('sha1').update(made.thumbprint).digest('hex').slice(0, 32)}_${model.os.machineGuid ?? ''}` : rdpKeyContainer(model),
    certPem: made.certPem,
    keyPem: made.keyPem,
  };
}
