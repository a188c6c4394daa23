// Server-side TLS settings derived from the model's Schannel protocol switches, and a cache of
// secure contexts (building one parses the PEM key; a lab run re-serves the same few certs a lot).
import { constants as cryptoConstants, createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { SecureContext, SecureVersion } from 'node:tls';
import type { RdpListenerState } from '../types.ts';

export interface TlsPolicy {
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** SSL_OP_NO_* bits for a hole between min and max (TLS 1.0 and 1.2 on, 1.1 off). */
  secureOptions: number;
  /** OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 MACs) unless the security level is 0. */
  ciphers: string | undefined;
}

const VERSIONS = [
  { key: 'tls10', version: 'TLSv1', noFlag: cryptoConstants.SSL_OP_NO_TLSv1 },
  { key: 'tls11', version: 'TLSv1.1', noFlag: cryptoConstants.SSL_OP_NO_TLSv1_1 },
  { key: 'tls12', version: 'TLSv1.2', noFlag: cryptoConstants.SSL_OP_NO_TLSv1_2 },
] as const;

/**
 * null when Schannel has no server protocol enabled: the handshake cannot succeed. TLS 1.3 is not
 * in the model, so the maximum is TLS 1.2 (which also keeps the handshake a single flight).
 */
export function tlsPolicy(tls: RdpListenerState['tls']): TlsPolicy | null {
  const enabled = VERSIONS.filter((v) => tls[v.key]);
  const first = enabled[0];
  const last = enabled[enabled.length - 1];
  if (!first || !last) return null;
  let secureOptions = 0;
  for (const v of VERSIONS.slice(VERSIONS.indexOf(first), VERSIONS.indexOf(last) + 1)) {
    if (!tls[v.key]) secureOptions |= v.noFlag;
  }
  return {
    minVersion: first.version,
    maxVersion: last.version,
    secureOptions,
    ciphers: tls.tls10 || tls.tls11 ? 'DEFAULT:@SECLEVEL=0' : undefined,
  };
}

// Enough for every host of a 1,000-host lab, plus changed certificates (a few MB of OpenSSL state).
const MAX_CONTEXTS = 4096;
const contexts = new Map<string, SecureContext>();

export function secureContextFor(cert: { certPem: string; keyPem: string }, policy: TlsPolicy): SecureContext {
  const id = createHash('sha256').update(cert.certPem).update('\0').update(cert.keyPem).update('\0').update(JSON.stringify(policy)).digest('hex');
  let ctx = contexts.get(id);
  if (!ctx) {
    ctx = createSecureContext({
      cert: cert.certPem,
      key: cert.keyPem,
      minVersion: policy.minVersion,
      maxVersion: policy.maxVersion,
      secureOptions: policy.secureOptions,
      ...(policy.ciphers ? { ciphers: policy.ciphers } : {}),
    });
    // Bounded so a long lab run cannot grow it without limit; Map keeps insertion order.
    if (contexts.size >= MAX_CONTEXTS) {
      const oldest = contexts.keys().next().value;
      if (oldest !== undefined) contexts.delete(oldest);
    }
    contexts.set(id, ctx);
  }
  return ctx;
}
