import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildConnectionConfirm,
  buildConnectionRequest,
  buildDisconnectUltimatum,
  failureName,
  parseConnectionConfirm,
  parseConnectionRequest,
  protocolName,
  protocolNames,
  readTpktFrame,
  HYBRID_REQUIRED_BY_SERVER,
  PROTOCOL_HYBRID_EX,
  PROTOCOL_SSL,
} from '../../src/rdp/probes/x224.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const SPEC_411 = hex('03 00 00 2c 27 e0 00 00 00 00 00 43 6f 6f 6b 69 65 3a 20 6d 73 74 73 68 61 73 68 3d 65 6c 74 6f 6e 73 0d 0a 01 00 08 00 00 00 00 00');
const DEFAULT_19 = hex('03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 0b 00 00 00');

test('buildConnectionRequest reproduces MS-RDPBCGR 4.1.1 byte for byte', () => {
  assert.deepEqual(buildConnectionRequest({ cookie: 'eltons', requestedProtocols: 0 }), SPEC_411);
});

test('buildConnectionRequest default is the 19-byte 0xB request', () => {
  assert.deepEqual(buildConnectionRequest(), DEFAULT_19);
  assert.deepEqual(buildConnectionRequest({ requestedProtocols: 0x0b, negFlags: 0 }), DEFAULT_19);
});

test('buildConnectionRequest without RDP_NEG_REQ, and input validation', () => {
  assert.deepEqual(buildConnectionRequest({ includeNegReq: false }), hex('03 00 00 0b 06 e0 00 00 00 00 00'));
  assert.throws(() => buildConnectionRequest({ cookie: 'a\r\nb' }), RangeError);
  assert.throws(() => buildConnectionRequest({ cookie: 'x'.repeat(222) }), RangeError);
  assert.equal(buildConnectionRequest({ cookie: 'x'.repeat(221) }).length, 4 + 1 + 254);
});

test('parseConnectionRequest reads the cookie and requestedProtocols (server side)', () => {
  assert.deepEqual(parseConnectionRequest(SPEC_411), { ok: true, requestedProtocols: 0, negFlags: 0, cookie: 'eltons' });
  assert.deepEqual(parseConnectionRequest(DEFAULT_19), { ok: true, requestedProtocols: 0x0b, negFlags: 0, cookie: undefined });
  assert.deepEqual(parseConnectionRequest(buildConnectionRequest({ includeNegReq: false })), {
    ok: true, requestedProtocols: undefined, negFlags: 0, cookie: undefined,
  });
  const bad = Buffer.from(DEFAULT_19);
  bad[10] = 0x02; // not class 0
  assert.equal(parseConnectionRequest(bad).ok, false);
  assert.equal(parseConnectionRequest(buildConnectionConfirm({ selected: 1 })).ok, false);
});

test('buildConnectionConfirm matches xrdp captures (rdp-probe.md §4)', () => {
  assert.deepEqual(buildConnectionConfirm({ selected: 1 }), hex('03 00 00 13 0e d0 00 00 12 34 00 02 01 08 00 01 00 00 00'));
  assert.deepEqual(buildConnectionConfirm({ selected: 0 }), hex('03 00 00 13 0e d0 00 00 12 34 00 02 01 08 00 00 00 00 00'));
  assert.deepEqual(buildConnectionConfirm({ failure: 3 }), hex('03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 03 00 00 00'));
  assert.deepEqual(buildConnectionConfirm({ noNegotiation: true }), hex('03 00 00 0b 06 d0 00 00 12 34 00'));
  assert.deepEqual(buildDisconnectUltimatum(), hex('03 00 00 09 02 f0 80 21 80'));
});

test('parseConnectionConfirm: RSP, FAILURE, no negotiation data, disconnect, not TPKT', () => {
  assert.deepEqual(parseConnectionConfirm(buildConnectionConfirm({ selected: PROTOCOL_HYBRID_EX, flags: 0x1f })), {
    kind: 'response', selected: 8, protocol: 'hybrid_ex', flags: 0x1f,
  });
  assert.deepEqual(parseConnectionConfirm(hex('03 00 00 13 0e d0 00 00 12 34 00 02 01 08 00 01 00 00 00')), {
    kind: 'response', selected: PROTOCOL_SSL, protocol: 'tls', flags: 1,
  });
  assert.deepEqual(parseConnectionConfirm(buildConnectionConfirm({ failure: HYBRID_REQUIRED_BY_SERVER })), {
    kind: 'failure', code: 5, name: 'HYBRID_REQUIRED_BY_SERVER',
  });
  assert.deepEqual(parseConnectionConfirm(buildConnectionConfirm({ failure: 9 })), { kind: 'failure', code: 9, name: 'UNKNOWN_0x9' });
  assert.deepEqual(parseConnectionConfirm(hex('03 00 00 0b 06 d0 00 00 12 34 00')), { kind: 'no-negotiation' });
  assert.deepEqual(parseConnectionConfirm(hex('03 00 00 09 02 f0 80 21 80')), { kind: 'disconnect', reason: 3 });
  assert.deepEqual(parseConnectionConfirm(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')), {
    kind: 'not-tpkt', firstBytes: '48 54 54 50 2f 31 2e 31',
  });
  assert.equal(parseConnectionConfirm(hex('03 00 00 13 0e d0')).kind, 'malformed');
  assert.equal(parseConnectionConfirm(DEFAULT_19).kind, 'malformed'); // a CR is not a CC
});

test('readTpktFrame accumulates chunks and keeps the rest', () => {
  const two = Buffer.concat([DEFAULT_19, hex('16 03 01')]);
  assert.deepEqual(readTpktFrame(two.subarray(0, 2)), { kind: 'incomplete' });
  assert.deepEqual(readTpktFrame(two.subarray(0, 18)), { kind: 'incomplete' });
  const r = readTpktFrame(two);
  assert.equal(r.kind, 'frame');
  if (r.kind === 'frame') {
    assert.deepEqual(r.frame, DEFAULT_19);
    assert.deepEqual(r.rest, hex('16 03 01'));
  }
  assert.deepEqual(readTpktFrame(hex('16 03 01 00')), { kind: 'not-tpkt', firstBytes: '16 03 01 00' });
  assert.deepEqual(readTpktFrame(hex('03 00 00 02')), { kind: 'bad-length', length: 2 });
  assert.deepEqual(readTpktFrame(Buffer.alloc(0)), { kind: 'incomplete' });
});

test('protocol and failure names', () => {
  assert.deepEqual([0, 1, 2, 4, 8].map(protocolName), ['rdp', 'tls', 'hybrid', 'rdstls', 'hybrid_ex']);
  assert.equal(protocolName(0x40), 'unknown(0x40)');
  assert.deepEqual(protocolNames(0x0b), ['tls', 'hybrid', 'hybrid_ex']);
  assert.deepEqual(protocolNames(0), ['rdp']);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(failureName), [
    'SSL_REQUIRED_BY_SERVER', 'SSL_NOT_ALLOWED_BY_SERVER', 'SSL_CERT_NOT_ON_SERVER',
    'INCONSISTENT_FLAGS', 'HYBRID_REQUIRED_BY_SERVER', 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER',
  ]);
});
