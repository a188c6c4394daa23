// Key pairs for lab certificates: RSA-2048 only. node-forge (which signs the certificates, see
// certificate.ts) can sign with RSA keys only, and nothing in the lab needs another key type (the
// CA-signed EC certificate the xrdp conformance tests use is made by the openssl CLI, test/fakes/xrdp.ts).
//
// Keys are generated with node:crypto (native, tens of milliseconds, where forge's pure-JS RSA key
// generation takes seconds) and handed to forge as PEM. Generation is still the slow part and a lab run
// makes hundreds of certificates (every scenario: valid, expired, wrong name, CA-signed, and the host
// model regenerating the RDP certificate), so one key pair per role is generated per process and reused.
// Nothing in the lab depends on keys being distinct: probes compare certificates by thumbprint, and a
// new certificate over the same key still gets a new serial, dates and thumbprint. CA keys are kept
// apart from leaf keys so a CA never certifies its own key (a leaf sharing the CA's key would also look
// CA-issued to anything matching by key identifier).
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export const LAB_KEY_ALGORITHM = 'RSA';
export const LAB_KEY_BITS = 2048;

export type KeyRole = 'leaf' | 'ca';

export interface LabKeyPair {
  /** PKCS#8 PEM, as node:crypto, OpenSSL and the model's key files take it. */
  keyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

const cache = new Map<KeyRole, LabKeyPair>();

/** The process-wide key pair for this role (generated on first use). */
export function labKeyPair(role: KeyRole): LabKeyPair {
  let pair = cache.get(role);
  if (!pair) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: LAB_KEY_BITS,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    pair = { keyPem: privateKey, privateKey: rsaPrivateKey(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey };
    cache.set(role, pair);
  }
  return pair;
}

const imported = new Map<string, forge.pki.rsa.PrivateKey>();

/** An issuer's PEM private key (PKCS#8 or PKCS#1) as a forge key for signing; cached by PEM. */
export function issuerSigningKey(keyPem: string): forge.pki.rsa.PrivateKey {
  let key = imported.get(keyPem);
  if (!key) {
    key = rsaPrivateKey(keyPem);
    imported.set(keyPem, key);
  }
  return key;
}

function rsaPrivateKey(pem: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  } catch (e) {
    throw new Error(`lab certificates are RSA only (node-forge cannot sign with other keys): ${(e as Error).message}`);
  }
}
