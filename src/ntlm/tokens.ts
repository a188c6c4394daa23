// NTLMSSP constants, the errors of this module, and the HTTP Authorization header parser.
import { unwrapSpnego } from './spnego.ts';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const MessageType = { NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3 } as const;

/** NegotiateFlags (MS-NLMP 2.2.2.5). Combine with `|` and normalise with `>>> 0` (bit 31 is set). */
export const Flags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** AV_PAIR ids (MS-NLMP 2.2.2.1). */
export const AvId = {
  EOL: 0,
  NB_COMPUTER: 1,
  NB_DOMAIN: 2,
  DNS_COMPUTER: 3,
  DNS_DOMAIN: 4,
  DNS_TREE: 5,
  FLAGS: 6,
  TIMESTAMP: 7,
  SINGLE_HOST: 8,
  TARGET_NAME: 9,
  CHANNEL_BINDINGS: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC. */
export const AV_FLAG_MIC_PROVIDED = 0x2;

/** 8-byte VERSION structure we advertise (10.0.20348, NTLMSSP_REVISION_W2K3); informational only. */
export const OUR_VERSION = Buffer.from([10, 0, 0x7c, 0x4f, 0, 0, 0, 15]);

/** Malformed or unacceptable NTLM input (bad message, unsupported server, broken framing). */
export class NtlmError extends Error {
  override name = 'NtlmError';
}

/**
 * The server's CHALLENGE asks for less than Windows' default minimum (no 128-bit keys, no SIGN/SEAL while we
 * seal, no MsvAvTimestamp): a misconfigured host, or someone on the path stripping flags. Never answered.
 */
export class NtlmDowngradeError extends NtlmError {
  override name = 'NtlmDowngradeError';
  readonly missing: readonly string[];
  constructor(missing: string[]) {
    super(`the server asked for weaker security than Windows' default minimum (missing: ${missing.join(', ')}); refusing to answer its challenge`);
    this.missing = missing;
  }
}

/** A sealed message whose signature does not verify: tampering, or the two ends are out of sequence. */
export class NtlmIntegrityError extends NtlmError {
  override name = 'NtlmIntegrityError';
}

export interface AuthorizationToken {
  scheme: 'NTLM' | 'Negotiate';
  /** The raw NTLMSSP message (unwrapped from SPNEGO if it came wrapped). */
  token: Buffer;
  /** True if the client wrapped the token in SPNEGO; such a client expects SPNEGO answers too. */
  spnego: boolean;
}

const HEADER_RE = /^\s*(NTLM|Negotiate)\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

/**
 * Parses `Authorization: NTLM <b64>` / `Negotiate <b64>`. Returns null for other schemes, a missing
 * token, or a token that is neither a raw NTLMSSP message nor a simple SPNEGO wrapper around one.
 */
export function parseAuthorizationHeader(header: string | undefined): AuthorizationToken | null {
  if (!header) return null;
  const m = HEADER_RE.exec(header);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() === 'ntlm' ? 'NTLM' : 'Negotiate';
  const raw = Buffer.from(m[2]!, 'base64');
  if (isNtlmssp(raw)) return { scheme, token: raw, spnego: false };
  // 0x60: GSS InitialContextToken (NegTokenInit); 0xa1: NegTokenResp.
  if (raw[0] === 0x60 || raw[0] === 0xa1) {
    const inner = unwrapSpnego(raw);
    if (inner && isNtlmssp(inner)) return { scheme, token: inner, spnego: true };
  }
  return null;
}

function isNtlmssp(b: Buffer): boolean {
  return b.length >= 12 && b.subarray(0, 8).equals(NTLMSSP_SIGNATURE);
}
