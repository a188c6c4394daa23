// NTLMv2 acceptor for the lab's WinRM endpoint (winrm-protocol.md §5.3-5.4): issues the Type2, verifies the
// Type3 against a local password store, and derives session security. One instance per TCP connection.
import { randomBytes } from 'node:crypto';
import { AV_FLAG_MIC_PROVIDED, AvId, Flags, MessageType, NTLMSSP_SIGNATURE, NtlmError, OUR_VERSION } from './tokens.ts';
import { hmacMd5, ntHash, ntowfv2FromHash, rc4k, safeEqual } from './crypto.ts';
import { buildAvPairs, buildMessage, checkMessage, decodeString, encodeString, fileTimeNow, parseAvPairs, payloadStart, readSecBuf } from './wire.ts';
import type { AvPair } from './wire.ts';
import { NtlmSessionImpl } from './session.ts';
import type { AuthenticatedUser, PasswordLookup } from './types.ts';

export interface NtlmServerOptions {
  netbiosName: string;
  dnsName: string;
  netbiosDomain?: string;
  dnsDomain?: string;
  /** Add MsvAvTimestamp to TargetInfo, like Windows does (default true); clients then send a MIC, which is verified. */
  timestamp?: boolean;
  /** Test seam: the source of the 8-byte server challenge. */
  randomBytes?: (size: number) => Buffer;
}

/** Always offered (§5.3, verified against winrm-client and pywinrm). */
const BASE_FLAGS =
  (Flags.REQUEST_TARGET |
    Flags.NTLM |
    Flags.ALWAYS_SIGN |
    Flags.TARGET_TYPE_DOMAIN |
    Flags.EXTENDED_SESSIONSECURITY |
    Flags.TARGET_INFO |
    Flags.NEGOTIATE_128 |
    Flags.NEGOTIATE_56) >>>
  0;
/** Echoed only when the client's Type1 asks for them. */
const ECHOED_FLAGS = (Flags.SIGN | Flags.SEAL | Flags.KEY_EXCH | Flags.VERSION) >>> 0;

interface Pending {
  type1: Buffer;
  type2: Buffer;
  serverChallenge: Buffer;
  unicode: boolean;
}

const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

export class NtlmServerContext {
  readonly #opts: NtlmServerOptions;
  #pending: Pending | undefined;

  constructor(opts: NtlmServerOptions) {
    this.#opts = opts;
  }

  /** Answers a Type1 with a fresh Type2 (new random challenge). A new Type1 restarts the handshake. */
  challenge(type1: Buffer): Buffer {
    checkMessage(type1, MessageType.NEGOTIATE, 16);
    const requested = type1.readUInt32LE(12);
    const unicode = (requested & Flags.UNICODE) !== 0;
    const flags = (BASE_FLAGS | (requested & ECHOED_FLAGS) | (unicode ? Flags.UNICODE : Flags.OEM)) >>> 0;

    const o = this.#opts;
    const nbDomain = o.netbiosDomain ?? o.netbiosName;
    const pairs: AvPair[] = [
      { id: AvId.NB_DOMAIN, value: utf16(nbDomain) },
      { id: AvId.NB_COMPUTER, value: utf16(o.netbiosName) },
      { id: AvId.DNS_DOMAIN, value: utf16(o.dnsDomain ?? o.dnsName) },
      { id: AvId.DNS_COMPUTER, value: utf16(o.dnsName) },
    ];
    if (o.timestamp !== false) pairs.push({ id: AvId.TIMESTAMP, value: fileTimeNow() });

    const serverChallenge = (o.randomBytes ?? randomBytes)(8);
    const header = Buffer.alloc(flags & Flags.VERSION ? 56 : 48);
    NTLMSSP_SIGNATURE.copy(header, 0);
    header.writeUInt32LE(MessageType.CHALLENGE, 8);
    header.writeUInt32LE(flags, 20);
    serverChallenge.copy(header, 24);
    if (flags & Flags.VERSION) OUR_VERSION.copy(header, 48);
    const type2 = buildMessage(header, [
      { at: 12, data: encodeString(nbDomain, unicode) },
      { at: 40, data: buildAvPairs(pairs) },
    ]);
    this.#pending = { type1: Buffer.from(type1), type2, serverChallenge, unicode };
    return type2;
  }

  /**
   * Verifies a Type3 (§5.4). Returns null when authentication fails (unknown user, wrong password, empty
   * user, NTLMv1, bad MIC); throws NtlmError for a structurally malformed message or a missing challenge.
   * The challenge is single-use: after this call a new Type1 is needed either way.
   */
  authenticate(type3: Buffer, lookup: PasswordLookup): AuthenticatedUser | null {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) throw new NtlmError('AUTHENTICATE_MESSAGE received without a preceding CHALLENGE on this connection');
    checkMessage(type3, MessageType.AUTHENTICATE, 64);

    const flags = type3.readUInt32LE(60);
    const unicode = flags & Flags.UNICODE ? true : flags & Flags.OEM ? false : pending.unicode;
    const nt = readSecBuf(type3, 20, 'NtChallengeResponse');
    const domain = decodeString(readSecBuf(type3, 28, 'DomainName'), unicode);
    const user = decodeString(readSecBuf(type3, 36, 'UserName'), unicode);
    const encryptedKey = readSecBuf(type3, 52, 'EncryptedRandomSessionKey');
    readSecBuf(type3, 12, 'LmChallengeResponse');
    readSecBuf(type3, 44, 'Workstation');

    if (user === '') return null; // anonymous
    if (nt.length <= 24) return null; // NTLMv1 (or LM): refused
    const ntProof = nt.subarray(0, 16);
    const blob = nt.subarray(16);
    if (blob.length < 28 || blob[0] !== 1 || blob[1] !== 1) return null; // not an NTLMv2_CLIENT_CHALLENGE

    const password = lookup(user, domain);
    if (password === undefined) return null;

    // winrm-client hashes UPPER(domain) but sends the domain as typed, so try both (§5.4 step 3).
    const hash = ntHash(password);
    let responseKey: Buffer | undefined;
    for (const d of new Set([domain, domain.toUpperCase()])) {
      const key = ntowfv2FromHash(hash, user, d);
      if (safeEqual(hmacMd5(key, pending.serverChallenge, blob), ntProof)) responseKey = key;
    }
    if (!responseKey) return null;

    const sessionBaseKey = hmacMd5(responseKey, ntProof);
    let exportedSessionKey = sessionBaseKey;
    if (flags & Flags.KEY_EXCH) {
      if (encryptedKey.length !== 16) return null;
      exportedSessionKey = rc4k(sessionBaseKey, encryptedKey);
    }

    const clientPairs = blobPairs(blob);
    if (claimsMic(clientPairs)) {
      // The MIC sits at 72..88 (after VERSION); the payload must start after it.
      if (payloadStart(type3, [12, 20, 28, 36, 44, 52]) < 88 || type3.length < 88) return null;
      const zeroed = Buffer.from(type3);
      zeroed.fill(0, 72, 88);
      const mic = hmacMd5(exportedSessionKey, pending.type1, pending.type2, zeroed);
      if (!safeEqual(mic, type3.subarray(72, 88))) return null;
    }

    const bindings = clientPairs.find((p) => p.id === AvId.CHANNEL_BINDINGS && p.value.length === 16);
    return {
      username: user,
      domain,
      session: new NtlmSessionImpl(exportedSessionKey, flags, 'server'),
      // All zeros is how Windows clients say "no bindings".
      channelBindings: bindings && bindings.value.some((b) => b !== 0) ? Buffer.from(bindings.value) : undefined,
    };
  }
}

/** The client's AV pairs, inside the NTProofStr-protected blob. */
function blobPairs(blob: Buffer): AvPair[] {
  try {
    return parseAvPairs(blob.subarray(28));
  } catch {
    return []; // lenient: an unparseable list claims neither a MIC nor bindings, and the blob is already authenticated
  }
}

/** True if the client's AV pairs say a MIC was sent. */
function claimsMic(pairs: AvPair[]): boolean {
  const f = pairs.find((p) => p.id === AvId.FLAGS);
  return f !== undefined && f.value.length === 4 && (f.value.readUInt32LE(0) & AV_FLAG_MIC_PROVIDED) !== 0;
}
