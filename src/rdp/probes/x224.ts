// X.224 / RDP negotiation PDUs (MS-RDPBCGR 2.2.1.1, 2.2.1.2): pure byte builders and parsers, no I/O.
// Shared by the bot-side probe (client) and the lab listener (server). Layouts: docs/rdp-probe.md §1.
// RDP fields are little-endian; the TPKT length and the X.224 DST-REF/SRC-REF are big-endian.

export const PROTOCOL_RDP = 0x0;
export const PROTOCOL_SSL = 0x1;
export const PROTOCOL_HYBRID = 0x2;
export const PROTOCOL_RDSTLS = 0x4;
export const PROTOCOL_HYBRID_EX = 0x8;
export const PROTOCOL_RDSAAD = 0x10;

export const SSL_REQUIRED_BY_SERVER = 0x1;
export const SSL_NOT_ALLOWED_BY_SERVER = 0x2;
export const SSL_CERT_NOT_ON_SERVER = 0x3;
export const INCONSISTENT_FLAGS = 0x4;
export const HYBRID_REQUIRED_BY_SERVER = 0x5;
export const SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER = 0x6;

/** RDP_NEG_RSP flags (2.2.1.2.1). */
export const EXTENDED_CLIENT_DATA_SUPPORTED = 0x01;
export const DYNVC_GFX_PROTOCOL_SUPPORTED = 0x02;
export const NEGRSP_FLAG_RESERVED = 0x04;
export const RESTRICTED_ADMIN_MODE_SUPPORTED = 0x08;
export const REDIRECTED_AUTHENTICATION_MODE_SUPPORTED = 0x10;

const TPKT_VERSION = 0x03;
const TPDU_CR = 0xe0;
const TPDU_CC = 0xd0;
const TPDU_DT = 0xf0;
const TYPE_RDP_NEG_REQ = 0x01;
const TYPE_RDP_NEG_RSP = 0x02;
const TYPE_RDP_NEG_FAILURE = 0x03;
/** Server SRC-REF in the Connection Confirm (3.3.5.3.2; xrdp sends the same). */
const SERVER_SRC_REF = 0x1234;
const COOKIE_PREFIX = 'Cookie: mstshash=';

export type ProtocolName = 'rdp' | 'tls' | 'hybrid' | 'hybrid_ex' | 'rdstls' | 'rdsaad';

const PROTOCOL_NAMES: ReadonlyMap<number, ProtocolName> = new Map([
  [PROTOCOL_RDP, 'rdp'],
  [PROTOCOL_SSL, 'tls'], // MS-RDPBCGR calls it PROTOCOL_SSL; it is TLS on the wire
  [PROTOCOL_HYBRID, 'hybrid'],
  [PROTOCOL_RDSTLS, 'rdstls'],
  [PROTOCOL_HYBRID_EX, 'hybrid_ex'],
  [PROTOCOL_RDSAAD, 'rdsaad'],
]);

const FAILURE_NAMES: ReadonlyMap<number, string> = new Map([
  [SSL_REQUIRED_BY_SERVER, 'SSL_REQUIRED_BY_SERVER'],
  [SSL_NOT_ALLOWED_BY_SERVER, 'SSL_NOT_ALLOWED_BY_SERVER'],
  [SSL_CERT_NOT_ON_SERVER, 'SSL_CERT_NOT_ON_SERVER'],
  [INCONSISTENT_FLAGS, 'INCONSISTENT_FLAGS'],
  [HYBRID_REQUIRED_BY_SERVER, 'HYBRID_REQUIRED_BY_SERVER'],
  [SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER, 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER'],
]);

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Name of one selected protocol value; unknown values come back as `unknown(0x..)`. */
export function protocolName(n: number): ProtocolName | `unknown(${string})` {
  return PROTOCOL_NAMES.get(n) ?? `unknown(${hex(n)})`;
}

/** Names of the bits set in a requestedProtocols mask (0 → ['rdp']). */
export function protocolNames(mask: number): string[] {
  if (mask === 0) return ['rdp'];
  const names: string[] = [];
  for (let i = 0; i < 32; i++) {
    if (((mask >>> i) & 1) === 1) names.push(protocolName(2 ** i));
  }
  return names;
}

/** Name of an RDP_NEG_FAILURE code; unknown codes come back as `UNKNOWN_0x..`. */
export function failureName(code: number): string {
  return FAILURE_NAMES.get(code) ?? `UNKNOWN_${hex(code)}`;
}

/** First bytes of a buffer as spaced hex, for messages such as "reply is not TPKT (48 54 54 50)". */
export function hexPreview(buf: Buffer, max = 8): string {
  return [...buf.subarray(0, max)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

// ---------------------------------------------------------------------------------------------
// TPKT framing (T.123 §8)

export type TpktRead =
  | { kind: 'frame'; frame: Buffer; rest: Buffer }
  | { kind: 'incomplete' }
  | { kind: 'not-tpkt'; firstBytes: string }
  | { kind: 'bad-length'; length: number };

/**
 * Takes one TPKT frame off the front of the bytes received so far. Callers accumulate chunks and
 * call again on 'incomplete'. Decides 'not-tpkt' on the first byte so a non-RDP peer (HTTP, a
 * TLS-only proxy) is recognised without waiting for a length that will never arrive.
 */
export function readTpktFrame(buffered: Buffer): TpktRead {
  if (buffered.length === 0) return { kind: 'incomplete' };
  if (buffered[0] !== TPKT_VERSION) return { kind: 'not-tpkt', firstBytes: hexPreview(buffered) };
  if (buffered.length < 4) return { kind: 'incomplete' };
  const length = buffered.readUInt16BE(2);
  // The smallest X.224 TPDU we handle (DT header) makes a 7-byte frame.
  if (length < 7) return { kind: 'bad-length', length };
  if (buffered.length < length) return { kind: 'incomplete' };
  return { kind: 'frame', frame: buffered.subarray(0, length), rest: buffered.subarray(length) };
}

function tpkt(x224: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = TPKT_VERSION;
  header.writeUInt16BE(4 + x224.length, 2);
  return Buffer.concat([header, x224]);
}

function negBlock(type: number, flags: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = flags;
  b.writeUInt16LE(8, 2);
  b.writeUInt32LE(value >>> 0, 4);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Connection Request (client → server)

export interface ConnectionRequestOptions {
  /** IDENTIFIER of `Cookie: mstshash=IDENTIFIER\r\n`; omitted when undefined. Servers ignore it. */
  cookie?: string;
  /** requestedProtocols bit mask; default SSL|HYBRID|HYBRID_EX (0xB), what modern clients offer. */
  requestedProtocols?: number;
  /** RDP_NEG_REQ flags (0x01 restricted admin, 0x02 redirected auth, 0x08 correlation info). */
  negFlags?: number;
  /** false sends a pre-RDP 5.2 style request without RDP_NEG_REQ. */
  includeNegReq?: boolean;
}

export function buildConnectionRequest(opts: ConnectionRequestOptions = {}): Buffer {
  const { cookie, requestedProtocols = 0x0b, negFlags = 0, includeNegReq = true } = opts;
  const parts: Buffer[] = [Buffer.from([0, TPDU_CR, 0, 0, 0, 0, 0])]; // LI placeholder, CR, DST-REF, SRC-REF, class 0
  if (cookie !== undefined) {
    // Printable ASCII only: CR/LF would end the cookie early and servers parse up to the first CR LF.
    if (!/^[\x20-\x7e]*$/.test(cookie)) throw new RangeError('cookie must be printable ASCII without CR/LF');
    parts.push(Buffer.from(`${COOKIE_PREFIX}${cookie}\r\n`, 'latin1'));
  }
  if (includeNegReq) parts.push(negBlock(TYPE_RDP_NEG_REQ, negFlags, requestedProtocols));
  const x224 = Buffer.concat(parts);
  const li = x224.length - 1;
  if (li > 254) throw new RangeError(`X.224 length indicator ${li} exceeds 254 (cookie too long)`);
  x224[0] = li;
  return tpkt(x224);
}

export type ParsedConnectionRequest =
  | {
      ok: true;
      /** undefined when the client sent no RDP_NEG_REQ (legacy client: Standard RDP Security). */
      requestedProtocols: number | undefined;
      negFlags: number;
      /** mstshash IDENTIFIER, or the whole token line for other cookies (routing tokens). */
      cookie: string | undefined;
    }
  | { ok: false; reason: string };

/** Server side: parses one whole TPKT frame holding an X.224 Connection Request. */
export function parseConnectionRequest(frame: Buffer): ParsedConnectionRequest {
  const head = checkTpdu(frame, TPDU_CR);
  if (typeof head === 'string') return { ok: false, reason: head };
  // 3.3.5.3.1: a CR that is not class 0 or shorter than 11 bytes is dropped.
  if (frame.length < 11) return { ok: false, reason: 'Connection Request shorter than 11 bytes' };
  if (frame[10] !== 0) return { ok: false, reason: `X.224 class/options ${hex(frame[10] ?? 0)} is not class 0` };
  let body = frame.subarray(11, head.end);
  let cookie: string | undefined;
  if (body.subarray(0, 7).toString('latin1') === 'Cookie:') {
    const crlf = body.indexOf('\r\n', 0, 'latin1');
    if (crlf < 0) return { ok: false, reason: 'cookie without CR LF' };
    const line = body.subarray(0, crlf).toString('latin1');
    cookie = line.startsWith(COOKIE_PREFIX) ? line.slice(COOKIE_PREFIX.length) : line;
    body = body.subarray(crlf + 2);
  }
  if (body.length >= 8 && body[0] === TYPE_RDP_NEG_REQ) {
    return { ok: true, requestedProtocols: body.readUInt32LE(4), negFlags: body[1] ?? 0, cookie };
  }
  return { ok: true, requestedProtocols: undefined, negFlags: 0, cookie };
}

// ---------------------------------------------------------------------------------------------
// Connection Confirm (server → client)

export type ConnectionConfirmInput =
  | { selected: number; flags?: number }
  | { failure: number }
  | { noNegotiation: true };

export function buildConnectionConfirm(input: ConnectionConfirmInput): Buffer {
  const header = Buffer.from([0, TPDU_CC, 0, 0, SERVER_SRC_REF >> 8, SERVER_SRC_REF & 0xff, 0]);
  let neg: Buffer | undefined;
  if ('selected' in input) neg = negBlock(TYPE_RDP_NEG_RSP, input.flags ?? EXTENDED_CLIENT_DATA_SUPPORTED, input.selected);
  else if ('failure' in input) neg = negBlock(TYPE_RDP_NEG_FAILURE, 0, input.failure);
  const x224 = neg ? Buffer.concat([header, neg]) : header;
  x224[0] = x224.length - 1;
  return tpkt(x224);
}

/**
 * X.224 DT carrying an MCS Disconnect Provider Ultimatum (reason rn-user-requested):
 * `03 00 00 09 02 f0 80 21 80`, which is how xrdp rejects a request it does not accept.
 */
export function buildDisconnectUltimatum(): Buffer {
  return Buffer.from([0x03, 0x00, 0x00, 0x09, 0x02, TPDU_DT, 0x80, 0x21, 0x80]);
}

export type ParsedConnectionConfirm =
  | { kind: 'response'; selected: number; protocol: string; flags: number }
  | { kind: 'failure'; code: number; name: string }
  | { kind: 'no-negotiation' }
  | { kind: 'disconnect'; reason: number | undefined }
  | { kind: 'not-tpkt'; firstBytes: string }
  | { kind: 'malformed'; reason: string };

/** Client side: parses the server's first TPKT frame (or whatever the server sent instead). */
export function parseConnectionConfirm(buf: Buffer): ParsedConnectionConfirm {
  const framed = readTpktFrame(buf);
  if (framed.kind === 'not-tpkt') return framed;
  if (framed.kind === 'incomplete') return { kind: 'malformed', reason: `truncated TPKT frame (${buf.length} bytes)` };
  if (framed.kind === 'bad-length') return { kind: 'malformed', reason: `TPKT length ${framed.length} too small` };
  const frame = framed.frame;
  const code = (frame[5] ?? 0) & 0xf0;
  if (code === TPDU_DT) {
    // MCS DomainMCSPDU is PER-encoded: choice index 8 (disconnectProviderUltimatum) in the top 6 bits,
    // then the 3-bit reason across the next bit boundary (0x21 0x80 → reason 3, rn-user-requested).
    const mcs = frame.subarray(4 + 1 + (frame[4] ?? 0));
    const first = mcs[0];
    if (first !== undefined && first >> 2 === 8) {
      const second = mcs[1];
      return { kind: 'disconnect', reason: second === undefined ? undefined : ((first & 0x03) << 1) | (second >> 7) };
    }
    return { kind: 'malformed', reason: `unexpected X.224 DT before Connection Confirm (${hexPreview(mcs)})` };
  }
  const head = checkTpdu(frame, TPDU_CC);
  if (typeof head === 'string') return { kind: 'malformed', reason: head };
  const neg = frame.subarray(11, head.end);
  if (neg.length < 8) return { kind: 'no-negotiation' };
  const type = neg[0];
  const value = neg.readUInt32LE(4);
  if (type === TYPE_RDP_NEG_RSP) return { kind: 'response', selected: value, protocol: protocolName(value), flags: neg[1] ?? 0 };
  if (type === TYPE_RDP_NEG_FAILURE) return { kind: 'failure', code: value, name: failureName(value) };
  return { kind: 'malformed', reason: `unknown negotiation type ${hex(type ?? 0)}` };
}

/** Checks TPKT version/length and the TPDU code; returns the end offset of the X.224 TPDU or an error text. */
function checkTpdu(frame: Buffer, expected: number): { end: number } | string {
  if (frame.length < 7 || frame[0] !== TPKT_VERSION) return 'not a TPKT frame';
  const length = frame.readUInt16BE(2);
  if (length !== frame.length) return `TPKT length ${length} does not match frame size ${frame.length}`;
  const li = frame[4] ?? 0;
  const end = 5 + li;
  if (end > frame.length || li < 6) return `X.224 length indicator ${li} does not fit the frame`;
  const code = (frame[5] ?? 0) & 0xf0;
  if (code !== expected) return `X.224 TPDU code ${hex(code)} (expected ${hex(expected)})`;
  return { end };
}
