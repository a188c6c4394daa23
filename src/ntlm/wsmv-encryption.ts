// MS-WSMV 2.2.9.1.1 message encryption over HTTP: a SOAP body sealed with the NTLM session, framed as
// multipart/encrypted exactly the way pywinrm (winrm/encryption.py) and Windows do it (winrm-protocol.md §5.6).
import { NtlmError } from './tokens.ts';
import type { NtlmSession } from './types.ts';

export const ENCRYPTED_CONTENT_TYPE =
  'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"';

const BOUNDARY = '--Encrypted Boundary';
const PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
const SIGNATURE_LENGTH = 16;

/** True for a multipart/encrypted body using the SPNEGO (NTLM) session-encryption protocol. */
export function isEncryptedContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  return /^\s*multipart\/encrypted\s*;/i.test(ct) && /protocol\s*=\s*"?application\/HTTP-SPNEGO-session-encrypted"?/i.test(ct);
}

/** Seals `soap` and frames it. Note the tabs before the part headers and no CRLF before the closing boundary. */
export function wrapEncrypted(session: NtlmSession, soap: Buffer): Buffer {
  const { signature, sealed } = session.seal(soap);
  const head =
    `${BOUNDARY}\r\n` +
    `\tContent-Type: ${PROTOCOL}\r\n` +
    `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${soap.length}\r\n` +
    `${BOUNDARY}\r\n` +
    `\tContent-Type: application/octet-stream\r\n`;
  const sigLen = Buffer.alloc(4);
  sigLen.writeUInt32LE(SIGNATURE_LENGTH);
  return Buffer.concat([Buffer.from(head, 'latin1'), sigLen, signature, sealed, Buffer.from(`${BOUNDARY}--\r\n`, 'latin1')]);
}

/** Reads one text line (LF or CRLF) starting at `pos`. */
function readLine(body: Buffer, pos: number): { line: string; next: number } {
  const nl = body.indexOf(0x0a, pos);
  if (nl < 0) throw new NtlmError('malformed encrypted WinRM body: truncated MIME headers');
  const end = nl > pos && body[nl - 1] === 0x0d ? nl - 1 : nl;
  return { line: body.toString('latin1', pos, end), next: nl + 1 };
}

function expectBoundary(body: Buffer, pos: number): number {
  const { line, next } = readLine(body, pos);
  if (line.trimEnd() !== BOUNDARY) {
    throw new NtlmError(`malformed encrypted WinRM body: expected "${BOUNDARY}" at byte ${pos}`);
  }
  return next;
}

/**
 * Parses the framing, then unseals every part and returns the concatenated plaintext SOAP. The whole body is
 * validated before anything is unsealed, so a framing error (NtlmError) leaves the session's RC4 state intact;
 * an NtlmIntegrityError does not (drop the connection).
 */
export function unwrapEncrypted(session: NtlmSession, body: Buffer): Buffer {
  const parts: { sealed: Buffer; signature: Buffer }[] = [];
  let pos = expectBoundary(body, 0);
  for (;;) {
    // Part 1: protocol header + OriginalContent (gives the plaintext length).
    let length: number | undefined;
    let protocolSeen = false;
    for (;;) {
      if (body.subarray(pos, pos + BOUNDARY.length).toString('latin1') === BOUNDARY) break;
      const { line, next } = readLine(body, pos);
      pos = next;
      const t = line.trim();
      if (/^content-type:/i.test(t)) protocolSeen = t.slice(13).trim().toLowerCase() === PROTOCOL.toLowerCase();
      const m = /^originalcontent:.*;\s*length=(\d+)\s*$/i.exec(t);
      if (m) length = Number(m[1]);
    }
    if (!protocolSeen) throw new NtlmError(`malformed encrypted WinRM body: first part is not ${PROTOCOL}`);
    if (length === undefined) throw new NtlmError('malformed encrypted WinRM body: no OriginalContent Length');

    // Part 2: octet-stream header line, then u32le(16) ‖ signature ‖ sealed bytes (exactly `length`).
    pos = expectBoundary(body, pos);
    const { line, next } = readLine(body, pos);
    if (line.trim().toLowerCase() !== 'content-type: application/octet-stream') {
      throw new NtlmError('malformed encrypted WinRM body: second part is not application/octet-stream');
    }
    pos = next;
    if (pos + 4 > body.length || body.readUInt32LE(pos) !== SIGNATURE_LENGTH) {
      throw new NtlmError('malformed encrypted WinRM body: signature length is not 16');
    }
    const sigStart = pos + 4;
    const dataStart = sigStart + SIGNATURE_LENGTH;
    const dataEnd = dataStart + length;
    if (dataEnd > body.length) throw new NtlmError('malformed encrypted WinRM body: sealed data shorter than Length');
    parts.push({ sealed: body.subarray(dataStart, dataEnd), signature: body.subarray(sigStart, dataStart) });
    pos = dataEnd;

    // Then the closing boundary (tolerating a CRLF before it), or the next encrypted pair.
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const rest = body.subarray(pos).toString('latin1');
    if (rest.startsWith(`${BOUNDARY}--`)) {
      if (rest.slice(BOUNDARY.length + 2).trim() !== '') {
        throw new NtlmError('malformed encrypted WinRM body: data after the closing boundary');
      }
      return Buffer.concat(parts.map((p) => session.unseal(p.sealed, p.signature)));
    }
    if (!rest.startsWith(BOUNDARY)) throw new NtlmError('malformed encrypted WinRM body: missing closing boundary');
    pos = expectBoundary(body, pos);
  }
}
