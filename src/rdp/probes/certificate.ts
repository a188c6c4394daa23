// Reads the server certificate into flat facts. Each problem (expired, not yet valid, self-signed,
// wrong name) is computed on its own: Node's authorizationError names only one of them.
import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { parseCertificate } from '../../lib/x509.ts';
import type { CertificateSummary } from './types.ts';

const DAY_MS = 86_400_000;

/** X509Certificate.subject/issuer are one RDN per line; a chat line wants them comma-separated. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function isoOrRaw(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

function isSelfSigned(x: X509Certificate): boolean {
  // checkIssued(self) is false when keyUsage lacks keyCertSign (typical RDP certs), so verify the signature instead.
  if (x.subject !== x.issuer) return false;
  try {
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

function keyFacts(x: X509Certificate, bits: number | undefined): { keyType: string | null; keySize: number | null } {
  try {
    const key = x.publicKey;
    const details = key.asymmetricKeyDetails;
    return {
      keyType: key.asymmetricKeyType ?? null,
      keySize: details?.modulusLength ?? (typeof bits === 'number' ? bits : null),
    };
  } catch {
    return { keyType: null, keySize: typeof bits === 'number' ? bits : null };
  }
}

/** Summarises the peer certificate; null when the server sent none. `checkName` is a DNS name or an IP literal. */
export function summarizeCertificate(socket: TLSSocket, checkName: string, at: Date = new Date()): CertificateSummary | null {
  const peer = socket.getPeerCertificate(false);
  if (!peer || !peer.raw) return null;
  const x = parseCertificate(peer.raw);
  const from = new Date(x.validFrom).getTime();
  const to = new Date(x.validTo).getTime();
  const nowMs = at.getTime();
  let nameMatches: boolean | null = null;
  let nameMismatch: string | null = null;
  if (checkName !== '') {
    // Matches IP literals against IP SANs and names against DNS SANs/CN, as a TLS client would.
    const err = tls.checkServerIdentity(checkName, peer);
    nameMatches = err === undefined;
    nameMismatch = err ? (err as { reason?: string }).reason ?? err.message : null;
  }
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    subjectAltName: x.subjectAltName ?? null,
    serialNumber: x.serialNumber.toUpperCase(),
    validFrom: isoOrRaw(x.validFrom),
    validTo: isoOrRaw(x.validTo),
    daysUntilExpiry: Math.floor((to - nowMs) / DAY_MS),
    expired: nowMs > to,
    notYetValid: nowMs < from,
    selfSigned: isSelfSigned(x),
    ...keyFacts(x, peer.bits),
    sha256: x.fingerprint256,
    sha1Thumbprint: x.fingerprint.replace(/:/g, '').toUpperCase(),
    nameMatches,
    nameMismatch,
  };
}
