// Self-signed certificates for the model (RDP self-signed certs, custom bindings), made synchronously
// with node:crypto. One RSA-2048 key per process is reused for every certificate: key generation is
// the slow part, and the lab never needs distinct keys to tell certificates apart (thumbprints differ).
// The lead may fold this into src/lab/certs later; the output shape matches that factory's.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { bits, bool, explicit, nullValue, octets, oid, seq, set, tlv, time, uint, utf8 } from './der.ts';

export const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_RDP_AUTH = '1.3.6.1.4.1.311.54.1.2';

export interface MakeCertOptions {
  commonName: string;
  dnsNames?: string[];
  notBefore: Date;
  notAfter: Date;
  /** EKU OIDs; default Server Authentication (what the RDP self-signed certificate carries). */
  enhancedKeyUsages?: string[];
}

export interface MadeCert {
  certPem: string;
  keyPem: string;
  /** SHA-1 of the DER, upper-case hex: the Windows thumbprint. */
  thumbprint: string;
  sha256: string;
  subject: string; // "CN=name", as Windows shows it
  keyAlgorithm: 'RSA';
  keySize: number;
}

let cachedKey: { privateKey: KeyObject; publicKey: KeyObject; keyPem: string } | undefined;

function processKey(): NonNullable<typeof cachedKey> {
  if (!cachedKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cachedKey = { privateKey, publicKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }
  return cachedKey;
}

const ext = (id: string, value: Buffer, critical = false): Buffer =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

export function makeCertificate(o: MakeCertOptions): MadeCert {
  const key = processKey();
  const name = seq(set(seq(oid('2.5.4.3'), utf8(o.commonName))));
  const sigAlg = seq(oid('1.2.840.113549.1.1.11'), nullValue()); // sha256WithRSAEncryption
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const dnsNames = o.dnsNames ?? [o.commonName];
  const extensions = [
    // keyUsage: keyEncipherment + dataEncipherment, as on the Windows RDP self-signed certificate
    ext('2.5.29.15', bits(Buffer.from([0x30]), 4), true),
    ext('2.5.29.37', seq(...(o.enhancedKeyUsages ?? [OID_SERVER_AUTH]).map(oid))),
    ...(dnsNames.length ? [ext('2.5.29.17', seq(...dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii')))))] : []),
  ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))),
    uint(serial),
    sigAlg,
    name,
    seq(time(o.notBefore), time(o.notAfter)),
    name,
    key.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const der = seq(tbs, sigAlg, bits(sign('sha256', tbs, key.privateKey)));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`,
    keyPem: key.keyPem,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    subject: `CN=${o.commonName}`,
    keyAlgorithm: 'RSA',
    keySize: 2048,
  };
}
