// NTLMv2 initiator (MS-NLMP 3.1.5): Type1 -> (server Type2) -> Type3, then session security.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { AV_FLAG_MIC_PROVIDED, AvId, Flags, MessageType, NTLMSSP_SIGNATURE, NtlmDowngradeError, NtlmError, OUR_VERSION } from './tokens.ts';
import { channelBindingsHash } from './channel-bindings.ts';
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

export interface NtlmClientOptions {
  /** Session security will be used (MS-WSMV message encryption): the server must grant SIGN and SEAL. */
  requireSealing?: boolean;
  /**
   * RFC 5929 channel-binding application data (`tls-server-end-point:` ‖ certificate hash), sent as
   * MsvAvChannelBindings so hosts with CbtHardeningLevel=Strict accept us over HTTPS.
   */
  channelBindings?: Buffer;
  /** Test seam: deterministic randomness (for the MS-NLMP 4.2.4 vectors). */
  randomBytes?: (size: number) => Buffer;
  /** Test seam: FILETIME, 8 bytes little-endian; used only when the server sends no MsvAvTimestamp. */
  now?: () => Buffer;
  /**
   * Only for the MS-NLMP 4.2.4 vectors, which predate MsvAvTimestamp: accept a challenge without it (and
   * so send no MIC). Every Windows since Server 2008 sends it; without it a tampered handshake goes unseen.
   */
  allowMissingTimestamp?: boolean;
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

/**
 * What Windows' default minimum session security (NTLMMinClientSec) requires, plus SIGN and SEAL when we
 * seal, plus the MsvAvTimestamp that makes us send a MIC (which lets the server detect a tampered
 * challenge). Returns what the challenge lacks; empty when it is acceptable.
 */
function missingSecurity(flags: number, pairs: AvPair[], requireSealing: boolean, allowMissingTimestamp: boolean): string[] {
  const missing: string[] = [];
  if (!(flags & Flags.NEGOTIATE_128)) missing.push('128-bit session keys');
  if (requireSealing && !(flags & Flags.SIGN)) missing.push('message signing');
  if (requireSealing && !(flags & Flags.SEAL)) missing.push('message sealing');
  if (!allowMissingTimestamp && !pairs.some((p) => p.id === AvId.TIMESTAMP && p.value.length === 8)) {
    missing.push('the MsvAvTimestamp that makes the handshake carry a MIC');
  }
  return missing;
}

/** The client's TargetInfo: the server's pairs with MsvAvFlags.MIC_PROVIDED (keeping other flags) and channel bindings. */
function clientTargetInfo(pairs: AvPair[], withMic: boolean, bindings: Buffer | undefined): Buffer {
  const out = pairs.filter((p) => p.id !== AvId.FLAGS && p.id !== AvId.CHANNEL_BINDINGS);
  const old = pairs.find((p) => p.id === AvId.FLAGS);
  const oldFlags = old && old.value.length === 4 ? old.value.readUInt32LE(0) : 0;
  const flags = (withMic ? oldFlags | AV_FLAG_MIC_PROVIDED : oldFlags) >>> 0;
  if (flags !== 0 || old) {
    const value = Buffer.alloc(4);
    value.writeUInt32LE(flags);
    out.push({ id: AvId.FLAGS, value });
  }
  if (bindings) out.push({ id: AvId.CHANNEL_BINDINGS, value: channelBindingsHash(bindings) });
  return buildAvPairs(out);
}

export class NtlmClient {
  readonly #creds: NtlmCredentials;
  readonly #random: (size: number) => Buffer;
  readonly #now: () => Buffer;
  readonly #opts: NtlmClientOptions;
  #type1: Buffer | undefined;
  #session: NtlmSession | undefined;

  constructor(creds: NtlmCredentials, options: NtlmClientOptions = {}) {
    this.#creds = creds;
    this.#random = options.randomBytes ?? cryptoRandomBytes;
    this.#now = options.now ?? fileTimeNow;
    this.#opts = options;
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
    const pairs = parseAvPairs(challenge.targetInfo);
    const missing = missingSecurity(challenge.flags, pairs, this.#opts.requireSealing === true, this.#opts.allowMissingTimestamp === true);
    if (missing.length > 0) throw new NtlmDowngradeError(missing);

    // Keep only what both sides agreed to; pick the charset the server chose.
    const unicode = (challenge.flags & Flags.UNICODE) !== 0;
    let flags = (challenge.flags & CLIENT_FLAGS) >>> 0;
    if (!unicode) flags = (flags | Flags.OEM) >>> 0;

    // MS-NLMP 3.1.5.1.2: with a server MsvAvTimestamp, reuse it, send a MIC and Z(24) as the LM response.
    const serverTime = pairs.find((p) => p.id === AvId.TIMESTAMP && p.value.length === 8);
    const withMic = serverTime !== undefined;
    const bindings = this.#opts.channelBindings;
    const targetInfo = withMic || bindings ? clientTargetInfo(pairs, withMic, bindings) : challenge.targetInfo;
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
