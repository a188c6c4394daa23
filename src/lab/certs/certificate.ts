// Certificate factory for the lab's RDP (and WinRM HTTPS) certificates, synchronous so the host model
// can regenerate the RDP certificate inside a synchronous plan step (a SessionEnv restart). Certificates
// are built and signed (sha256WithRSAEncryption) with node-forge; keys come from keys.ts.
// Leaf certificates look like the self-signed ones Windows makes for RDP: serverAuth EKU,
// digitalSignature|keyEncipherment and no keyCertSign (rdp-probe.md §7: that is what trips
// X509Certificate.checkIssued for self-signed certs).
import { X509Certificate as NodeX509, createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { issuerSigningKey, labKeyPair } from './keys.ts';

export const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export interface CreateCertificateOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore: Date;
  notAfter: Date;
  /** Signs with this CA (an RSA key, e.g. from createLabCa) when given; self-signed otherwise. */
  issuer?: { certPem: string; keyPem: string };
  /** A CA certificate (basicConstraints CA, keyCertSign|cRLSign) instead of a server leaf. */
  isCa?: boolean;
}

export interface LabCertificate {
  certPem: string;
  /** PKCS#8 PEM (RSA-2048; shared by every certificate of the same role, see keys.ts). */
  keyPem: string;
  /** SHA-1 of the DER, upper-case hex without separators, as Windows shows a thumbprint. */
  thumbprint: string;
  /** SHA-256 of the DER, lower-case hex without separators. */
  sha256: string;
}

export function createCertificate(opts: CreateCertificateOptions): LabCertificate {
  const isCa = opts.isCa ?? false;
  const pair = labKeyPair(isCa ? 'ca' : 'leaf');
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: opts.commonName }];

  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = opts.notBefore;
  cert.validity.notAfter = opts.notAfter;
  cert.setSubject(subject);

  // forge fills the subjectKeyIdentifier value from cert.publicKey.
  const extensions: object[] = [{ name: 'subjectKeyIdentifier' }];
  if (isCa) {
    extensions.push(
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    );
  } else {
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
    );
  }
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 2, value })), // dNSName
    ...(opts.ipAddresses ?? []).map((ip) => ({ type: 7, ip })), // iPAddress
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });

  let signingKey = pair.privateKey;
  if (opts.issuer) {
    const issuerCert = forge.pki.certificateFromPem(opts.issuer.certPem);
    cert.setIssuer(issuerCert.subject.attributes);
    // The issuer's own key identifier (forge's `keyIdentifier: true` would use the subject's key).
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() });
    signingKey = issuerSigningKey(opts.issuer.keyPem);
  } else {
    cert.setIssuer(subject);
  }
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());

  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    certPem: forge.pki.certificateToPem(cert).replaceAll('\r\n', '\n'),
    keyPem: pair.keyPem,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

export interface LabCaOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
}

/** A CA for CA-signed leaves (e.g. WinRM HTTPS tests with a CA bundle). Default: 10 years from yesterday. */
export function createLabCa(opts: LabCaOptions = {}): LabCertificate {
  const now = Date.now();
  return createCertificate({
    commonName: opts.commonName ?? 'rdp-medic Lab CA',
    notBefore: opts.notBefore ?? new Date(now - 86_400_000),
    notAfter: opts.notAfter ?? new Date(now + 10 * 365 * 86_400_000),
    isCa: true,
  });
}

/** Thumbprint (SHA-1, upper hex) of a PEM certificate, for comparing with Windows' view. */
export function thumbprintOf(certPem: string): string {
  return new NodeX509(certPem).fingerprint.replaceAll(':', '');
}

// Positive, non-zero 16-byte serial (RFC 5280 §4.1.2.2 wants positive and at most 20 octets). forge
// writes the hex as the INTEGER's bytes, so the top bit must be clear and the first byte non-zero
// (a leading zero byte would be a non-minimal DER encoding).
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b.toString('hex');
}
