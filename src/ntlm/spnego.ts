// Minimal SPNEGO (RFC 4178) unwrapping: just enough DER to pull the mechToken / responseToken out of a
// NegTokenInit or NegTokenResp. Anything unexpected yields null; the caller then answers 401.

const SPNEGO_OID = Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]); // 1.3.6.1.5.5.2

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(buf: Buffer, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  return end <= limit ? { tag, start, end } : null;
}

/** Finds the context-tagged [2] field (mechToken / responseToken) of a NegTokenInit/NegTokenResp SEQUENCE. */
function innerToken(buf: Buffer, seq: Tlv | null): Buffer | null {
  if (!seq || seq.tag !== 0x30) return null;
  for (let pos = seq.start; pos < seq.end; ) {
    const field = readTlv(buf, pos, seq.end);
    if (!field) return null;
    if (field.tag === 0xa2) {
      const octets = readTlv(buf, field.start, field.end);
      return octets && octets.tag === 0x04 ? buf.subarray(octets.start, octets.end) : null;
    }
    pos = field.end;
  }
  return null;
}

/** Returns the inner mechanism token of a SPNEGO token, or null if it is not a simple SPNEGO token. */
export function unwrapSpnego(buf: Buffer): Buffer | null {
  const outer = readTlv(buf, 0, buf.length);
  if (!outer) return null;
  if (outer.tag === 0xa1) return innerToken(buf, readTlv(buf, outer.start, outer.end));
  if (outer.tag !== 0x60) return null;
  const oid = readTlv(buf, outer.start, outer.end);
  if (!oid || oid.tag !== 0x06 || !buf.subarray(oid.start, oid.end).equals(SPNEGO_OID)) return null;
  const init = readTlv(buf, oid.end, outer.end);
  if (!init || init.tag !== 0xa0) return null;
  return innerToken(buf, readTlv(buf, init.start, init.end));
}
