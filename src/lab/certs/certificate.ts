// Certificate factory for the lab's RDP (and WinRM HTTPS) certificates. Leaf certificates look like
// the self-signed ones Windows makes for RDP: serverAuth EKU, digitalSignature|keyEncipherment and
// no keyCertSign (rdp-probe.md §7: that is what trips X509Certificate.checkIssued for self-signed certs).
import { X509Certificate as NodeX509, createHash, randomBytes } from 'node:crypto';
import 'reflect-metadata'; // tsyringe (inside @peculiar/x509) requires the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { importSigningKey, labKeyPair, toPem } from './keys.ts';
import type { KeyType } from './keys.ts';

export interface CreateCertificateOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore: Date;
  notAfter: Date;
  /** Default 'rsa' (RSA-2048), like Windows' self-signed RDP certificates. 'ec' is P-256. */
  keyType?: KeyType;
  /** Signs with this CA when given; self-signed otherwise. */
  issuer?: { certPem: string; keyPem: string };
  /** A CA certificate (basicConstraints CA, keyCertSign|cRLSign) instead of a server leaf. */
  isCa?: boolean;
}

export interface LabCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-1 of the DER, upper-case hex without separators, as Windows shows a thumbprint. */
  thumbprint: string;
  /** SHA-256 of the DER, lower-case hex without separators. */
  sha256: string;
}

export async function createCertificate(opts: CreateCertificateOptions): Promise<LabCertificate> {
  const keyType = opts.keyType ?? 'rsa';
  const isCa = opts.isCa ?? false;
  const pair = await labKeyPair(keyType, isCa ? 'ca' : 'leaf');
  const subject: x509.JsonName = [{ CN: [opts.commonName] }];

  const extensions: x509.Extension[] = [await x509.SubjectKeyIdentifierExtension.create(pair.keys.publicKey)];
  if (isCa) {
    extensions.push(
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    );
  } else {
    // keyEncipherment only makes sense for RSA (RSA key transport); an EC key only signs.
    const usages = keyType === 'rsa'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
    extensions.push(new x509.KeyUsagesExtension(usages, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  }
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));

  const common = { serialNumber: serialNumber(), notBefore: opts.notBefore, notAfter: opts.notAfter };
  let cert: x509.X509Certificate;
  if (opts.issuer) {
    const issuerCert = new x509.X509Certificate(opts.issuer.certPem);
    const signer = await importSigningKey(opts.issuer.keyPem);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      ...common,
      subject,
      issuer: issuerCert.subject,
      publicKey: pair.keys.publicKey,
      signingKey: signer.key,
      signingAlgorithm: signer.signingAlgorithm,
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...common,
      name: subject,
      keys: pair.keys,
      signingAlgorithm: pair.signingAlgorithm,
      extensions,
    });
  }
  const der = Buffer.from(cert.rawData);
  return {
    certPem: toPem(der, 'CERTIFICATE'),
    keyPem: pair.keyPem,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

export interface LabCaOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyType?: KeyType;
}

/** A CA for CA-signed leaves (e.g. WinRM HTTPS tests with a CA bundle). Default: 10 years from yesterday. */
export function createLabCa(opts: LabCaOptions = {}): Promise<LabCertificate> {
  const now = Date.now();
  return createCertificate({
    commonName: opts.commonName ?? 'rdp-medic Lab CA',
    notBefore: opts.notBefore ?? new Date(now - 86_400_000),
    notAfter: opts.notAfter ?? new Date(now + 10 * 365 * 86_400_000),
    keyType: opts.keyType ?? 'rsa',
    isCa: true,
  });
}

/** Thumbprint (SHA-1, upper hex) of a PEM certificate, for comparing with Windows' view. */
export function thumbprintOf(certPem: string): string {
  return new NodeX509(certPem).fingerprint.replaceAll(':', '');
}

// Positive, non-zero 16-byte serial (RFC 5280 §4.1.2.2 wants positive and at most 20 octets).
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b.toString('hex');
}
