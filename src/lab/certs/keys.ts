// Key pairs for lab certificates. RSA-2048 generation costs tens to hundreds of milliseconds and a
// lab run makes hundreds of certificates (every scenario: valid, expired, wrong name, CA-signed...),
// so one key pair per (key type, role) is generated per process and reused. Nothing in the lab
// depends on keys being distinct: probes compare certificates by thumbprint, and a new certificate
// over the same key still gets a new serial, dates and thumbprint.
import { createPrivateKey, webcrypto } from 'node:crypto';
import 'reflect-metadata'; // tsyringe (inside @peculiar/x509) requires the Reflect metadata API
import * as x509 from '@peculiar/x509';

// @peculiar/x509 needs a WebCrypto provider; Node's is complete.
x509.cryptoProvider.set(webcrypto);

// The project compiles without the DOM lib, so WebCrypto types come from node:crypto.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

export type KeyType = 'rsa' | 'ec';
/** CA keys are kept apart from leaf keys so a CA never certifies its own key. */
export type KeyRole = 'leaf' | 'ca';

export type { CryptoKey, CryptoKeyPair, Algorithm, EcdsaParams };

export interface LabKeyPair {
  keys: CryptoKeyPair;
  keyPem: string;
  algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  signingAlgorithm: Algorithm | EcdsaParams;
}

const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};
const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

const cache = new Map<string, Promise<LabKeyPair>>();

/** The process-wide key pair for this type and role (generated on first use). */
export function labKeyPair(keyType: KeyType, role: KeyRole): Promise<LabKeyPair> {
  const id = `${keyType}:${role}`;
  let pending = cache.get(id);
  if (!pending) {
    pending = generate(keyType);
    cache.set(id, pending);
    // A failed generation must not poison the cache.
    pending.catch(() => cache.delete(id));
  }
  return pending;
}

async function generate(keyType: KeyType): Promise<LabKeyPair> {
  const params = keyType === 'rsa' ? RSA : EC;
  const keys = await webcrypto.subtle.generateKey(params, true, ['sign', 'verify']);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, keyPem: toPem(pkcs8, 'PRIVATE KEY'), ...algorithmsFor(keyType) };
}

function algorithmsFor(keyType: KeyType): Pick<LabKeyPair, 'algorithm' | 'signingAlgorithm'> {
  return keyType === 'rsa'
    ? { algorithm: { name: RSA.name, hash: 'SHA-256' }, signingAlgorithm: { name: RSA.name, hash: 'SHA-256' } as Algorithm }
    : { algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams };
}

const imported = new Map<string, Promise<{ key: CryptoKey; signingAlgorithm: Algorithm | EcdsaParams }>>();

/** Imports an issuer's PEM private key (PKCS#8 or traditional) for signing; cached by PEM. */
export function importSigningKey(keyPem: string): Promise<{ key: CryptoKey; signingAlgorithm: Algorithm | EcdsaParams }> {
  let pending = imported.get(keyPem);
  if (!pending) {
    pending = (async () => {
      const key = createPrivateKey(keyPem);
      const type = key.asymmetricKeyType;
      if (type !== 'rsa' && type !== 'ec') throw new Error(`unsupported issuer key type ${String(type)}`);
      if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error('EC issuer keys must be P-256');
      }
      const der = key.export({ format: 'der', type: 'pkcs8' });
      const { algorithm, signingAlgorithm } = algorithmsFor(type);
      const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
      return { key: cryptoKey, signingAlgorithm };
    })();
    imported.set(keyPem, pending);
    pending.catch(() => imported.delete(keyPem));
  }
  return pending;
}

export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
