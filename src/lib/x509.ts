// Parsed certificates, by their DER. Parsing one costs about a third of a millisecond, and a
// diagnosis meets the same certificate twice: the RDP probe's peer and the host's certificate
// store. Bounded; X509Certificate objects are immutable, so sharing one is safe.
import { X509Certificate } from 'node:crypto';

const MAX = 512;
const parsed = new Map<string, X509Certificate>();

/** The certificate in `der` (bytes, or their base64); throws as X509Certificate does. */
export function parseCertificate(der: Buffer | string): X509Certificate {
  const key = typeof der === 'string' ? der : der.toString('base64');
  let x = parsed.get(key);
  if (!x) {
    x = new X509Certificate(typeof der === 'string' ? Buffer.from(der, 'base64') : der);
    if (parsed.size >= MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, x);
  }
  return x;
}
