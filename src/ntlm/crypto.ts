// Crypto primitives for NTLM. Node 20 runs on OpenSSL 3, which refuses MD4 and RC4 (legacy provider),
// so MD4 comes from the pure-JS js-md4 and RC4 is implemented here; MD5/HMAC-MD5 stay on node:crypto.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

interface Md4Hasher {
  update(data: Uint8Array): Md4Hasher;
  arrayBuffer(): ArrayBuffer;
}
interface Md4Module {
  create(): Md4Hasher;
}

// js-md4 ships no types; load it through require so no ambient module declaration is needed.
const md4Module = createRequire(import.meta.url)('js-md4') as Md4Module;

/** MD4 via js-md4's pure-JS path (its top-level call would delegate to OpenSSL under Node). */
export function md4(data: Uint8Array): Buffer {
  return Buffer.from(md4Module.create().update(data).arrayBuffer());
}

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time equality that also tolerates different lengths (returns false, no throw). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RC4 with persistent state: NTLM session security keeps one keystream per direction for the whole session. */
export class Rc4 {
  readonly #s = new Uint8Array(256);
  #i = 0;
  #j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0) throw new RangeError('RC4 key must not be empty');
    const s = this.#s;
    for (let i = 0; i < 256; i++) s[i] = i;
    let j = 0;
    for (let i = 0; i < 256; i++) {
      const si = s[i]!;
      j = (j + si + key[i % key.length]!) & 0xff;
      s[i] = s[j]!;
      s[j] = si;
    }
  }

  /** Encrypts or decrypts (same operation), advancing the keystream. */
  update(data: Uint8Array): Buffer {
    const s = this.#s;
    const out = Buffer.allocUnsafe(data.length);
    let i = this.#i;
    let j = this.#j;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      out[k] = data[k]! ^ s[(si + sj) & 0xff]!;
    }
    this.#i = i;
    this.#j = j;
    return out;
  }
}

/** One-shot RC4 (MS-NLMP RC4K), used for the KEY_EXCH session-key wrap. */
export function rc4k(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}

/** NT hash: MD4(UTF-16LE(password)). */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(NTHash, UTF-16LE(UPPER(user) + domain)); the domain is not upper-cased. */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return ntowfv2FromHash(ntHash(password), user, domain);
}

export function ntowfv2FromHash(hash: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(hash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}
