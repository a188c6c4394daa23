// Channel binding over TLS: RFC 5929 tls-server-end-point, carried the way NTLM (MS-NLMP 2.2.2.1
// MsvAvChannelBindings) and GSSAPI (RFC 2744 gss_channel_bindings_struct) expect it.
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { md5 } from './crypto.ts';

/** Signature algorithm OID -> the hash RFC 5929 §4.1 prescribes (MD5 and SHA-1 are replaced by SHA-256). */
const HASH_OF_SIGNATURE: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};
const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha256', // SHA-1 -> SHA-256
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

type Asn1 = forge.asn1.Asn1;
const children = (node: Asn1 | undefined): Asn1[] => (node && Array.isArray(node.value) ? node.value : []);
const oidOf = (node: Asn1 | undefined): string | undefined =>
  node && node.type === forge.asn1.Type.OID && typeof node.value === 'string' ? forge.asn1.derToOid(node.value) : undefined;

/**
 * The hash tls-server-end-point uses for a certificate: the one of its signature algorithm. For an
 * algorithm RFC 5929 does not cover (Ed25519, unknown OIDs) SHA-256, as Windows and pyspnego do.
 */
export function endPointHashAlgorithm(certDer: Buffer): string {
  const cert = forge.asn1.fromDer(forge.util.createBuffer(certDer.toString('binary')), false);
  const algorithm = children(cert)[1];
  const oid = oidOf(children(algorithm)[0]);
  if (oid === RSASSA_PSS) {
    // RSASSA-PSS-params: [0] hashAlgorithm AlgorithmIdentifier DEFAULT sha1
    const hashField = children(children(algorithm)[1]).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
    const hashOid = oidOf(children(children(hashField)[0])[0]);
    return (hashOid && HASH_OIDS[hashOid]) ?? 'sha256';
  }
  return (oid && HASH_OF_SIGNATURE[oid]) ?? 'sha256';
}

/** RFC 5929 application data: "tls-server-end-point:" followed by the certificate's hash. */
export function tlsServerEndPoint(certDer: Buffer): Buffer {
  const hash = createHash(endPointHashAlgorithm(certDer)).update(certDer).digest();
  return Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), hash]);
}

/** MD5 of gss_channel_bindings_struct{initiator 0/empty, acceptor 0/empty, application_data}: MsvAvChannelBindings. */
export function channelBindingsHash(applicationData: Buffer): Buffer {
  const head = Buffer.alloc(20); // four u32le zeros (address types and lengths), then the data length
  head.writeUInt32LE(applicationData.length, 16);
  return md5(head, applicationData);
}
