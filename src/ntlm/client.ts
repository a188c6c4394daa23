// NTLMv2 initiator (MS-NLMP 3.1.5): Type1 -> (server Type2) -> Type3, then session security.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { AV_FLAG_MIC_PROVIDED, AvId, Flags, MessageType, NTLMSSP_SIGNATURE, NtlmError, OUR_VERSION } from './tokens.ts';
import { hmacMd5, ntowfv2, rc4k } from './crypto.ts';
import { buildAvPairs, buildMessage, checkMessage, encodeString, fileTimeNow, parseAvPairs, readSecBuf } from './wire.ts';
import type { AvPair } from './wire.ts';
import { NtlmSessionImpl } from './session.ts';
import type { NtlmCredentials, NtlmSession } from './types.ts';

/** What the client asks for in its Type1 (also the upper bound of what it accepts from the Type2). */
export const CLIENT_FLAGS =
  (Flags.UNICODE |
    Flags.REQUEST_TARGET |
    Flags.SIGN |
    Flags.SEAL |
    Flags.NTLM |
    Flags.ALWAYS_SIGN |
    Flags.EXTENDED_SESSIONSECURITY |
    Flags.VERSION |
    Flags.NEGOTIATE_128 |
    Flags.KEY_EXCH |
    Flags.NEGOTIATE_56) >>>
  0;

/** Test seams: deterministic randomness and clock (for the MS-NLMP 4.2.4 vectors). */
export interface NtlmClientOptions {
  randomBytes?: (size: number) => Buffer;
  /** FILETIME, 8 bytes little-endian; used only when the server sends no MsvAvTimestamp. */
  now?: () => Buffer;
}

interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
}

function parseChallenge(type2: Buffer): Challenge {
  checkMessage(type2, MessageType.CHALLENGE, 32);
  const flags = type2.readUInt32LE(20);
  if (!(flags & Flags.EXTENDED_SESSIONSECURITY)) {
    throw new NtlmError('server does not offer NTLM extended session security (NTLMv1-only server); refusing');
  }
  const targetInfo = type2.length >= 48 ? readSecBuf(type2, 40, 'TargetInfo') : Buffer.alloc(0);
  if (targetInfo.length === 0) {
    throw new NtlmError('server sent no TargetInfo in its CHALLENGE_MESSAGE, so it does not offer NTLMv2; refusing');
  }
  return { flags, serverChallenge: Buffer.from(type2.subarray(24, 32)), targetInfo };
}

/** Adds MsvAvFlags.MIC_PROVIDED (keeping any other flags) to a TargetInfo list. */
function withMicFlag(pairs: AvPair[]): Buffer {
  const out = pairs.filter((p) => p.id !== AvId.FLAGS);
  const old = pairs.find((p) => p.id === AvId.FLAGS);
  const value = Buffer.alloc(4);
  value.writeUInt32LE(((old && old.value.length === 4 ? old.value.readUInt32LE(0) : 0) | AV_FLAG_MIC_PROVIDED) >>> 0);
  out.push({ id: AvId.FLAGS, value });
  return buildAvPairs(out);
}

export class NtlmClient {
  readonly #creds: NtlmCredentials;
  readonly #random: (size: number) => Buffer;
  readonly #now: () => Buffer;
  #type1: Buffer | undefined;
  #session: NtlmSession | undefined;

  constructor(creds: NtlmCredentials, options: NtlmClientOptions = {}) {
    this.#creds = creds;
    this.#random = options.randomBytes ?? cryptoRandomBytes;
    this.#now = options.now ?? fileTimeNow;
  }

  /** The Type1 (NEGOTIATE_MESSAGE). Calling it again restarts the handshake. */
  negotiate(): Buffer {
    const header = Buffer.alloc(40);
    NTLMSSP_SIGNATURE.copy(header, 0);
    header.writeUInt32LE(MessageType.NEGOTIATE, 8);
    header.writeUInt32LE(CLIENT_FLAGS, 12);
    OUR_VERSION.copy(header, 32);
    // No domain/workstation supplied: empty security buffers at 16 and 24.
    this.#type1 = buildMessage(header, [
      { at: 16, data: Buffer.alloc(0) },
      { at: 24, data: Buffer.alloc(0) },
    ]);
    this.#session = undefined;
    return this.#type1;
  }

  /** The Type3 (AUTHENTICATE_MESSAGE), NTLMv2 only. Afterwards `session` is available. */
  authenticate(type2: Buffer): Buffer {
    const type1 = this.#type1;
    if (!type1) throw new NtlmError('NtlmClient.authenticate() called before negotiate()');
    const challenge = parseChallenge(type2);

    // Keep only what both sides agreed to; pick the charset the server chose.
    const unicode = (challenge.flags & Flags.UNICODE) !== 0;
    let flags = (challenge.flags & CLIENT_FLAGS) >>> 0;
    if (!unicode) flags = (flags | Flags.OEM) >>> 0;

    // MS-NLMP 3.1.5.1.2: with a server MsvAvTimestamp, reuse it, send a MIC and Z(24) as the LM response.
    const pairs = parseAvPairs(challenge.targetInfo);
    const serverTime = pairs.find((p) => p.id === AvId.TIMESTAMP && p.value.length === 8);
    const withMic = serverTime !== undefined;
    const targetInfo = withMic ? withMicFlag(pairs) : challenge.targetInfo;
    const time = serverTime ? serverTime.value : this.#now();

    const clientChallenge = this.#random(8);
    const domain = this.#creds.domain === '.' ? '' : this.#creds.domain;
    const responseKey = ntowfv2(this.#creds.password, this.#creds.username, domain);
    const blob = Buffer.concat([
      Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
      time,
      clientChallenge,
      Buffer.alloc(4),
      targetInfo,
      Buffer.alloc(4),
    ]);
    const ntProof = hmacMd5(responseKey, challenge.serverChallenge, blob);
    const ntResponse = Buffer.concat([ntProof, blob]);
    const lmResponse = withMic
      ? Buffer.alloc(24)
      : Buffer.concat([hmacMd5(responseKey, challenge.serverChallenge, clientChallenge), clientChallenge]);
    const sessionBaseKey = hmacMd5(responseKey, ntProof); // = KeyExchangeKey for NTLMv2

    let exportedSessionKey: Buffer = sessionBaseKey;
    let encryptedKey: Buffer = Buffer.alloc(0);
    if (flags & Flags.KEY_EXCH) {
      exportedSessionKey = this.#random(16);
      encryptedKey = rc4k(sessionBaseKey, exportedSessionKey);
    }

    // Fixed part: 64 bytes, VERSION (always present so the MIC lands at its fixed offset 72), MIC.
    const header = Buffer.alloc(withMic ? 88 : 72);
    NTLMSSP_SIGNATURE.copy(header, 0);
    header.writeUInt32LE(MessageType.AUTHENTICATE, 8);
    header.writeUInt32LE(flags, 60);
    if (flags & Flags.VERSION) OUR_VERSION.copy(header, 64);
    const type3 = buildMessage(header, [
      { at: 28, data: encodeString(domain, unicode) },
      { at: 36, data: encodeString(this.#creds.username, unicode) },
      { at: 44, data: encodeString(this.#creds.workstation ?? '', unicode) },
      { at: 12, data: lmResponse },
      { at: 20, data: ntResponse },
      { at: 52, data: encryptedKey },
    ]);
    if (withMic) hmacMd5(exportedSessionKey, type1, type2, type3).copy(type3, 72);

    this.#session = new NtlmSessionImpl(exportedSessionKey, flags, 'client');
    return type3;
  }

  /** Session security, once authenticate() has produced the Type3. */
  get session(): NtlmSession | undefined {
    return this.#session;
  }
}
