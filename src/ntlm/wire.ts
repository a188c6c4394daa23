// Byte-level helpers shared by the NTLM messages: header checks, security buffers (len/maxlen/offset),
// negotiated-charset strings and AV_PAIR lists.
import { AvId, NTLMSSP_SIGNATURE, NtlmError } from './tokens.ts';

const NAMES = ['', 'NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'];

/** Throws NtlmError unless `msg` is an NTLMSSP message of `type` at least `minLength` bytes long. */
export function checkMessage(msg: Buffer, type: 1 | 2 | 3, minLength: number): void {
  const name = `${NAMES[type]}_MESSAGE (Type${type})`;
  if (msg.length < 12 || !msg.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) {
    throw new NtlmError(`malformed ${name}: missing the NTLMSSP signature`);
  }
  const actual = msg.readUInt32LE(8);
  if (actual !== type) throw new NtlmError(`expected an NTLM ${name}, got message type ${actual}`);
  if (msg.length < minLength) throw new NtlmError(`malformed ${name}: ${msg.length} bytes, need at least ${minLength}`);
}

/** Reads the payload a security buffer at `at` points to, bounds-checked. */
export function readSecBuf(msg: Buffer, at: number, field: string): Buffer {
  const len = msg.readUInt16LE(at);
  const off = msg.readUInt32LE(at + 4);
  if (len === 0) return Buffer.alloc(0);
  if (off + len > msg.length) throw new NtlmError(`malformed NTLM message: ${field} points past the end of the message`);
  return msg.subarray(off, off + len);
}

/** The smallest payload offset of the given non-empty security buffers (where the fixed header ends). */
export function payloadStart(msg: Buffer, secBufs: number[]): number {
  let min = msg.length;
  for (const at of secBufs) if (msg.readUInt16LE(at) > 0) min = Math.min(min, msg.readUInt32LE(at + 4));
  return min;
}

/** Lays out a message: `header` (fixed part) followed by the payloads, patching each security buffer. */
export function buildMessage(header: Buffer, fields: { at: number; data: Buffer }[]): Buffer {
  let offset = header.length;
  for (const { at, data } of fields) {
    header.writeUInt16LE(data.length, at);
    header.writeUInt16LE(data.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += data.length;
  }
  return Buffer.concat([header, ...fields.map((f) => f.data)]);
}

export function encodeString(s: string, unicode: boolean): Buffer {
  return Buffer.from(s, unicode ? 'utf16le' : 'latin1');
}

export function decodeString(b: Buffer, unicode: boolean): string {
  return b.toString(unicode ? 'utf16le' : 'latin1');
}

export interface AvPair {
  id: number;
  value: Buffer;
}

/** Parses an AV_PAIR list up to MsvAvEOL; bytes after EOL are ignored (the NTLMv2 blob pads with zeros). */
export function parseAvPairs(buf: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const id = buf.readUInt16LE(pos);
    const len = buf.readUInt16LE(pos + 2);
    if (id === AvId.EOL) return pairs;
    if (pos + 4 + len > buf.length) break;
    pairs.push({ id, value: buf.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
  }
  throw new NtlmError('malformed TargetInfo: AV_PAIR list is truncated or has no MsvAvEOL');
}

/** Serialises AV pairs and appends MsvAvEOL. */
export function buildAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const { id, value } of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** Current time as a Windows FILETIME (100 ns ticks since 1601-01-01), little-endian. */
export function fileTimeNow(): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Date.now()) + 11644473600000n) * 10000n);
  return b;
}
