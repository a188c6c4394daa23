// NTLM session security with extended session security (MS-NLMP 3.4.3, 3.4.4.2): one RC4 stream and one
// sequence number per direction. Order matters: the message is sealed first, then the checksum is
// encrypted with the same RC4 handle (when KEY_EXCH), so both ends must process messages in order.
import { Flags, NtlmIntegrityError } from './tokens.ts';
import { Rc4, hmacMd5, md5, safeEqual } from './crypto.ts';
import type { NtlmSession } from './types.ts';

const magic = (s: string): Buffer => Buffer.from(`session key to ${s} key magic constant\0`, 'latin1');
const CLIENT_SIGN = magic('client-to-server signing');
const SERVER_SIGN = magic('server-to-client signing');
const CLIENT_SEAL = magic('client-to-server sealing');
const SERVER_SEAL = magic('server-to-client sealing');

const SIGNATURE_VERSION = Buffer.from([1, 0, 0, 0]);

/** SIGNKEY (MS-NLMP 3.4.5.2). */
export function signKey(exportedSessionKey: Buffer, role: 'client' | 'server'): Buffer {
  return md5(exportedSessionKey, role === 'client' ? CLIENT_SIGN : SERVER_SIGN);
}

/** SEALKEY with extended session security (MS-NLMP 3.4.5.3): the key is first cut to 128/56/40 bits. */
export function sealKey(exportedSessionKey: Buffer, flags: number, role: 'client' | 'server'): Buffer {
  const len = flags & Flags.NEGOTIATE_128 ? 16 : flags & Flags.NEGOTIATE_56 ? 7 : 5;
  return md5(exportedSessionKey.subarray(0, len), role === 'client' ? CLIENT_SEAL : SERVER_SEAL);
}

class Direction {
  seq = 0;
  constructor(
    readonly signKey: Buffer,
    readonly rc4: Rc4,
  ) {}

  /** The 8-byte checksum for `message` at the current sequence number (advances RC4 when KEY_EXCH). */
  checksum(message: Buffer, keyExch: boolean): { checksum: Buffer; seq: Buffer } {
    const seq = Buffer.alloc(4);
    seq.writeUInt32LE(this.seq >>> 0);
    const mac = hmacMd5(this.signKey, seq, message).subarray(0, 8);
    return { checksum: keyExch ? this.rc4.update(mac) : mac, seq };
  }
}

export class NtlmSessionImpl implements NtlmSession {
  readonly #out: Direction;
  readonly #in: Direction;
  readonly #keyExch: boolean;

  /** `role` is this end: the client seals with client-to-server keys, the server with server-to-client. */
  constructor(exportedSessionKey: Buffer, flags: number, role: 'client' | 'server') {
    const peer = role === 'client' ? 'server' : 'client';
    this.#keyExch = (flags & Flags.KEY_EXCH) !== 0;
    this.#out = new Direction(signKey(exportedSessionKey, role), new Rc4(sealKey(exportedSessionKey, flags, role)));
    this.#in = new Direction(signKey(exportedSessionKey, peer), new Rc4(sealKey(exportedSessionKey, flags, peer)));
  }

  seal(message: Buffer): { signature: Buffer; sealed: Buffer } {
    const sealed = this.#out.rc4.update(message);
    const { checksum, seq } = this.#out.checksum(message, this.#keyExch);
    this.#out.seq++;
    return { signature: Buffer.concat([SIGNATURE_VERSION, checksum, seq]), sealed };
  }

  /** Throws NtlmIntegrityError on a bad signature; the RC4 stream has then advanced, so drop the session. */
  unseal(sealed: Buffer, signature: Buffer): Buffer {
    if (signature.length !== 16 || !signature.subarray(0, 4).equals(SIGNATURE_VERSION)) {
      throw new NtlmIntegrityError('NTLM message signature is malformed (expected 16 bytes, version 1)');
    }
    const message = this.#in.rc4.update(sealed);
    const { checksum, seq } = this.#in.checksum(message, this.#keyExch);
    // Evaluate both comparisons before branching, so timing does not tell which part failed.
    const sumOk = safeEqual(checksum, signature.subarray(4, 12));
    const seqOk = safeEqual(seq, signature.subarray(12, 16));
    if (!sumOk) throw new NtlmIntegrityError('NTLM message signature does not verify: message altered or wrong key');
    if (!seqOk) {
      throw new NtlmIntegrityError(
        `NTLM message out of sequence: expected ${this.#in.seq}, got ${signature.readUInt32LE(12)}`,
      );
    }
    this.#in.seq++;
    return message;
  }
}
