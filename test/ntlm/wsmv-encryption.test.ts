// MS-WSMV multipart/encrypted framing: exact bytes pywinrm sends, round trips, and garbage handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENCRYPTED_CONTENT_TYPE,
  NtlmClient,
  NtlmError,
  NtlmIntegrityError,
  NtlmServerContext,
  isEncryptedContentType,
  unwrapEncrypted,
  wrapEncrypted,
} from '../../src/ntlm/index.ts';
import type { NtlmSession } from '../../src/ntlm/index.ts';

function sessions(): { client: NtlmSession; server: NtlmSession } {
  const client = new NtlmClient({ username: 'operator', password: 'pw', domain: 'SIM' });
  const ctx = new NtlmServerContext({ netbiosName: 'LAB', dnsName: 'lab.test' });
  const user = ctx.authenticate(client.authenticate(ctx.challenge(client.negotiate())), () => 'pw');
  assert.ok(user && client.session);
  return { client: client.session, server: user.session };
}

const SOAP = Buffer.from('<?xml version="1.0" encoding="utf-8"?><env:Envelope>é</env:Envelope>');

test('content type helpers', () => {
  assert.equal(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE), true);
  assert.equal(isEncryptedContentType('multipart/encrypted; protocol="application/HTTP-SPNEGO-session-encrypted"; boundary="Encrypted Boundary"'), true);
  assert.equal(isEncryptedContentType('application/soap+xml;charset=UTF-8'), false);
  assert.equal(isEncryptedContentType('multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted"'), false);
  assert.equal(isEncryptedContentType(undefined), false);
});

test('framing is byte-for-byte what pywinrm emits', () => {
  const { client } = sessions();
  const body = wrapEncrypted(client, SOAP);
  const head =
    '--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
    `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${SOAP.length}\r\n` +
    '--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n';
  assert.equal(body.subarray(0, head.length).toString('latin1'), head);
  assert.equal(body.readUInt32LE(head.length), 16);
  assert.equal(body.readUInt32LE(head.length + 4), 1); // signature version
  assert.equal(body.length, head.length + 4 + 16 + SOAP.length + '--Encrypted Boundary--\r\n'.length);
  assert.equal(body.subarray(-24).toString('latin1'), '--Encrypted Boundary--\r\n');
});

test('round trips in both directions, many messages', () => {
  const { client, server } = sessions();
  for (let i = 0; i < 20; i++) {
    const req = Buffer.from(`${SOAP.toString()}<!-- ${i} -->`);
    assert.deepEqual(unwrapEncrypted(server, wrapEncrypted(client, req)), req);
    const res = Buffer.from(`response ${i}`.repeat(i + 1));
    assert.deepEqual(unwrapEncrypted(client, wrapEncrypted(server, res)), res);
  }
  assert.deepEqual(unwrapEncrypted(server, wrapEncrypted(client, Buffer.alloc(0))), Buffer.alloc(0));
});

test('tolerates LF-only lines, missing tabs, a CRLF before the closing boundary, and several parts', () => {
  const { client, server } = sessions();
  const loose = (b: Buffer): Buffer => {
    const s = b.toString('latin1');
    const bin = s.indexOf('octet-stream\r\n') + 'octet-stream\r\n'.length;
    const text = s.slice(0, bin).replace(/\r\n/g, '\n').replace(/\t/g, '');
    return Buffer.concat([Buffer.from(text, 'latin1'), b.subarray(bin, -24), Buffer.from('\r\n--Encrypted Boundary--\r\n')]);
  };
  assert.deepEqual(unwrapEncrypted(server, loose(wrapEncrypted(client, SOAP))), SOAP);

  const a = wrapEncrypted(client, Buffer.from('first;'));
  const b = wrapEncrypted(client, Buffer.from('second'));
  const multi = Buffer.concat([a.subarray(0, -24), b]);
  assert.deepEqual(unwrapEncrypted(server, multi), Buffer.from('first;second'));
});

test('garbage and broken framing throw NtlmError (not an integrity error)', () => {
  const { client, server } = sessions();
  const good = wrapEncrypted(client, SOAP);
  const text = good.toString('latin1');
  const garbage: Buffer[] = [
    Buffer.alloc(0),
    Buffer.from('<?xml version="1.0"?><env:Envelope/>'),
    Buffer.from('--Encrypted Boundary\r\n'),
    good.subarray(0, good.length - 40),
    Buffer.from(text.replace('Length=', 'Length=9'), 'latin1'),
    Buffer.from(text.replace('HTTP-SPNEGO', 'HTTP-CredSSP'), 'latin1'),
    Buffer.from(text.replace('OriginalContent', 'Original'), 'latin1'),
    Buffer.from(text.replace('octet-stream', 'text/plain'), 'latin1'),
    Buffer.concat([good.subarray(0, -24), Buffer.from('--Other Boundary--\r\n')]),
    Buffer.concat([good, Buffer.from('trailing junk')]),
  ];
  for (const body of garbage) {
    assert.throws(
      () => unwrapEncrypted(server, body),
      (e: unknown) => e instanceof NtlmError && !(e instanceof NtlmIntegrityError) && /encrypted WinRM body/.test(e.message),
      JSON.stringify(body.toString('latin1').slice(0, 60)),
    );
  }
  const sigLen = Buffer.from(good);
  sigLen.writeUInt32LE(12, text.indexOf('octet-stream\r\n') + 14);
  assert.throws(() => unwrapEncrypted(server, sigLen), /signature length is not 16/);
  // Framing is validated before unsealing, so none of the above consumed the session's RC4 state.
  assert.deepEqual(unwrapEncrypted(server, good), SOAP);
});

test('a bad signature or altered ciphertext inside valid framing throws NtlmIntegrityError', () => {
  const { client, server } = sessions();
  const body = Buffer.from(wrapEncrypted(client, SOAP));
  body[body.length - 30]! ^= 0x40; // inside the sealed bytes
  assert.throws(() => unwrapEncrypted(server, body), NtlmIntegrityError);
  const s2 = sessions();
  const body2 = Buffer.from(wrapEncrypted(s2.client, SOAP));
  const sigAt = body2.toString('latin1').indexOf('octet-stream\r\n') + 14 + 4 + 5;
  body2[sigAt]! ^= 0xff;
  assert.throws(() => unwrapEncrypted(s2.server, body2), NtlmIntegrityError);
});
