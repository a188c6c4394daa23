// What a certificate's DER says, read with node:crypto: the runtime returns the DER and only what
// the host alone knows (key association, key file ACL). Parsing here instead of in PowerShell keeps
// the runtime small and means the RDP probe and the host facts read certificates the same way.
import type { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parseCertificate } from '../lib/x509.ts';

/** A file's ACL (a certificate's key file): TermService reads the key as NETWORK SERVICE. */
export const AccessRule = z.object({
  sid: z.string(),
  rights: z.number().int(), // FileSystemRights bit mask
  type: z.enum(['Allow', 'Deny']),
  inherited: z.boolean(),
});
export const FileAcl = z.object({
  path: z.string(),
  exists: z.boolean(),
  ownerSid: z.string().nullable(),
  access: z.array(AccessRule),
});
export type FileAcl = z.infer<typeof FileAcl>;

/**
 * A certificate as the host reports it: the DER and what only the host knows (the key association,
 * the key file's ACL). Everything that can be read from the DER (names, dates, key size, SANs) is
 * parsed in TypeScript (certificates.ts), never by the runtime.
 */
export const HostCertificate = z.object({
  store: z.string(),
  der: z.string(), // base64
  hasPrivateKey: z.boolean(),
  /** The CNG/CAPI unique key container name (the key file's name), when the host could tell. */
  keyContainer: z.string().nullable(),
  /** The key file under MachineKeys or Crypto\Keys with its ACL: TermService reads it as NETWORK SERVICE. */
  keyFile: FileAcl.nullable(),
});
export type HostCertificate = z.infer<typeof HostCertificate>;

/** A certificate as the checks see it: HostCertificate with the DER parsed (certificates.ts). */
export const CertificateInfo = z.object({
  store: z.string(),
  thumbprint: z.string(), // upper-case hex SHA-1, as Windows shows it
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.string(), // ISO 8601 UTC
  notAfter: z.string(),
  dnsNames: z.array(z.string()),
  enhancedKeyUsages: z.array(z.string()), // OIDs
  hasPrivateKey: z.boolean(),
  keyAlgorithm: z.string().nullable(), // "RSA", "ECDSA"
  keySize: z.number().int().nullable(),
  keyContainer: z.string().nullable(),
  keyFile: FileAcl.nullable(),
});
export type CertificateInfo = z.infer<typeof CertificateInfo>;

const EC_CURVE_BITS: Record<string, number> = { prime256v1: 256, 'P-256': 256, secp384r1: 384, 'P-384': 384, secp521r1: 521, 'P-521': 521 };

/** Windows' X509Certificate2.Subject: RDNs most specific first, comma-separated. */
function windowsDn(dn: string): string {
  return dn.split('\n').filter(Boolean).reverse().join(', ');
}

function iso(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? date : d.toISOString();
}

/** dNSName entries of the SAN; like Windows' DnsNameList, the subject CN when there is no SAN. */
function dnsNames(x: X509Certificate): string[] {
  const san = x.subjectAltName;
  if (san) {
    return san.split(/,\s*/).filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
  }
  const cn = /^CN=(.*)$/m.exec(x.subject)?.[1];
  return cn ? [cn] : [];
}

function keyFacts(x: X509Certificate): { keyAlgorithm: string | null; keySize: number | null } {
  try {
    const key = x.publicKey;
    const details = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return { keyAlgorithm: 'RSA', keySize: details?.modulusLength ?? null };
    if (key.asymmetricKeyType === 'ec') return { keyAlgorithm: 'ECDSA', keySize: EC_CURVE_BITS[details?.namedCurve ?? ''] ?? null };
    if (key.asymmetricKeyType === 'dsa') return { keyAlgorithm: 'DSA', keySize: details?.modulusLength ?? null };
    return { keyAlgorithm: key.asymmetricKeyType ?? null, keySize: null };
  } catch {
    return { keyAlgorithm: null, keySize: null };
  }
}

/** HostCertificate -> CertificateInfo. A DER node:crypto cannot read keeps its host facts and says so in the subject. */
export function describeCertificate(c: HostCertificate): CertificateInfo {
  const host = { store: c.store, hasPrivateKey: c.hasPrivateKey, keyContainer: c.keyContainer, keyFile: c.keyFile };
  let x: X509Certificate;
  try {
    x = parseCertificate(c.der);
  } catch {
    return { ...host, thumbprint: '', subject: '(unreadable certificate)', issuer: '', notBefore: '', notAfter: '', dnsNames: [], enhancedKeyUsages: [], keyAlgorithm: null, keySize: null };
  }
  return {
    ...host,
    thumbprint: x.fingerprint.replace(/:/g, '').toUpperCase(),
    subject: windowsDn(x.subject),
    issuer: windowsDn(x.issuer),
    notBefore: iso(x.validFrom),
    notAfter: iso(x.validTo),
    dnsNames: dnsNames(x),
    enhancedKeyUsages: x.keyUsage ?? [],
    ...keyFacts(x),
  };
}
