// Conformance: probeRdp against real xrdp 0.9.21 in each security_layer × certificate, checked against
// the answers recorded in docs/rdp-probe.md §4.1 (and §4.2, §3). Cells the doc did not record are derived
// from its §4.3 source reading (dates never checked; tls mode: 0x3 without cert files, 0x1 without the
// SSL bit; rdp mode: always RDP) and marked 'derived'.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { probeRdp } from '../../src/rdp/probes/index.ts';
import type { RdpProbeResult } from '../../src/rdp/probes/index.ts';
import { makeTestCerts, startXrdp } from '../fakes/xrdp.ts';
import type { CertFiles, SecurityLayer, TestCerts, XrdpInstance } from '../fakes/xrdp.ts';

type CertKind = 'valid' | 'expired' | 'notYetValid' | 'caSignedEc' | 'missing';
/** RSP0: RDP_NEG_RSP selecting PROTOCOL_RDP; TLS: RSP selecting SSL, then a TLS handshake; FAILn: RDP_NEG_FAILURE n; DISC: MCS disconnect. */
type Answer = 'RSP0' | 'TLS' | 'FAIL1' | 'FAIL3' | 'DISC';

const PROTOCOLS = [0x0, 0x1, 0x3, 0xb, 0x2] as const;

interface Row {
  mode: SecurityLayer;
  cert: CertKind;
  /** Answers for requestedProtocols 0x0, 0x1, 0x3, 0xB, 0x2 (the §4.1 column order). */
  answers: [Answer, Answer, Answer, Answer, Answer];
  source: 'recorded §4.1' | 'derived §4.3';
}

const MATRIX: Row[] = [
  { mode: 'negotiate', cert: 'valid', answers: ['RSP0', 'TLS', 'TLS', 'TLS', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'negotiate', cert: 'expired', answers: ['RSP0', 'TLS', 'TLS', 'TLS', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'negotiate', cert: 'notYetValid', answers: ['RSP0', 'TLS', 'TLS', 'TLS', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'negotiate', cert: 'caSignedEc', answers: ['RSP0', 'TLS', 'TLS', 'TLS', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'negotiate', cert: 'missing', answers: ['RSP0', 'RSP0', 'RSP0', 'RSP0', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'tls', cert: 'valid', answers: ['FAIL1', 'TLS', 'TLS', 'TLS', 'FAIL1'], source: 'recorded §4.1' },
  { mode: 'tls', cert: 'expired', answers: ['FAIL1', 'TLS', 'TLS', 'TLS', 'FAIL1'], source: 'recorded §4.1' },
  { mode: 'tls', cert: 'notYetValid', answers: ['FAIL1', 'TLS', 'TLS', 'TLS', 'FAIL1'], source: 'derived §4.3' },
  { mode: 'tls', cert: 'missing', answers: ['FAIL3', 'FAIL3', 'FAIL3', 'FAIL3', 'FAIL3'], source: 'recorded §4.1' },
  { mode: 'rdp', cert: 'valid', answers: ['RSP0', 'RSP0', 'RSP0', 'RSP0', 'RSP0'], source: 'recorded §4.1' },
  { mode: 'rdp', cert: 'expired', answers: ['RSP0', 'RSP0', 'RSP0', 'RSP0', 'RSP0'], source: 'derived §4.3' },
  { mode: 'rdp', cert: 'notYetValid', answers: ['RSP0', 'RSP0', 'RSP0', 'RSP0', 'RSP0'], source: 'derived §4.3' },
  { mode: 'rdp', cert: 'missing', answers: ['RSP0', 'RSP0', 'RSP0', 'RSP0', 'RSP0'], source: 'derived §4.3' },
];

/** Certificate facts the probe must read (§3 table); xrdp serves the dates unchecked. */
const CERT_FACTS: Record<Exclude<CertKind, 'missing'>, { subject: string; expired: boolean; notYetValid: boolean; selfSigned: boolean; keyType: string; keySize: number }> = {
  valid: { subject: 'CN=rdp-valid.local', expired: false, notYetValid: false, selfSigned: true, keyType: 'rsa', keySize: 2048 },
  expired: { subject: 'CN=rdp-expired.local', expired: true, notYetValid: false, selfSigned: true, keyType: 'rsa', keySize: 2048 },
  notYetValid: { subject: 'CN=rdp-future.local', expired: false, notYetValid: true, selfSigned: true, keyType: 'rsa', keySize: 2048 },
  caSignedEc: { subject: 'CN=rdp-ec.local', expired: false, notYetValid: false, selfSigned: false, keyType: 'ec', keySize: 256 },
};

const FAILURES: Record<'FAIL1' | 'FAIL3', [number, string]> = {
  FAIL1: [1, 'SSL_REQUIRED_BY_SERVER'],
  FAIL3: [3, 'SSL_CERT_NOT_ON_SERVER'],
};

let certs: TestCerts;
const totals: number[] = [];

function certFiles(kind: CertKind): CertFiles | 'missing' {
  return kind === 'missing' ? 'missing' : certs[kind];
}

function assertAnswer(r: RdpProbeResult, expected: Answer, cert: CertKind): void {
  const why = JSON.stringify({ stage: r.stage, error: r.error, negotiation: r.negotiation });
  switch (expected) {
    case 'RSP0':
      assert.equal(r.ok, true, why);
      assert.equal(r.stage, 'done');
      assert.equal(r.negotiation?.selected, 'rdp', why);
      assert.equal(r.negotiation?.flags, 0x01); // xrdp hardcodes EXTENDED_CLIENT_DATA_SUPPORTED
      assert.equal(r.tls, null);
      assert.equal(r.certificate, null);
      break;
    case 'TLS': {
      assert.equal(r.ok, true, why);
      assert.equal(r.stage, 'done');
      assert.equal(r.negotiation?.selected, 'tls', why);
      assert.equal(r.negotiation?.flags, 0x01);
      assert.deepEqual(r.tls, { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', legacy: false });
      assert.notEqual(cert, 'missing');
      if (cert === 'missing') break;
      const facts = CERT_FACTS[cert];
      const c = r.certificate;
      assert.ok(c, 'certificate read');
      assert.deepEqual(
        { subject: c.subject, expired: c.expired, notYetValid: c.notYetValid, selfSigned: c.selfSigned, keyType: c.keyType, keySize: c.keySize },
        facts,
      );
      assert.equal(c.nameMatches, true); // every test cert has IP:127.0.0.1 in its SAN
      assert.ok(r.timingsMs.tlsHandshake !== null);
      break;
    }
    case 'FAIL1':
    case 'FAIL3': {
      const [code, name] = FAILURES[expected];
      assert.equal(r.ok, false);
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'RDP_NEG_FAILURE');
      assert.equal(r.negotiation?.failureCode, code, why);
      assert.equal(r.negotiation?.failure, name);
      assert.equal(r.negotiation?.selected, null);
      break;
    }
    case 'DISC':
      assert.equal(r.ok, false);
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'DISCONNECT', why);
      break;
  }
}

before(() => {
  certs = makeTestCerts();
});
after(() => {
  certs.cleanup();
  if (totals.length) {
    const sorted = [...totals].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    process.stdout.write(`xrdp TLS probes: ${totals.length}, total ms median ${median}, min ${sorted[0]}, max ${sorted.at(-1)}\n`);
  }
});

for (const row of MATRIX) {
  describe(`xrdp security_layer=${row.mode}, cert=${row.cert} (${row.source})`, () => {
    let xrdp: XrdpInstance;
    before(async () => {
      xrdp = await startXrdp({ securityLayer: row.mode, cert: certFiles(row.cert) });
    });
    after(() => xrdp?.stop());

    PROTOCOLS.forEach((requestedProtocols, i) => {
      const expected = row.answers[i] as Answer;
      test(`requestedProtocols 0x${requestedProtocols.toString(16)} → ${expected}`, async () => {
        const r = await probeRdp({ host: '127.0.0.1', port: xrdp.port, requestedProtocols, timeoutMs: 3000 });
        assertAnswer(r, expected, row.cert);
        if (expected === 'TLS') totals.push(r.timingsMs.total);
      });
    });
  });
}

describe('xrdp negotiate/valid extras (§4.2)', () => {
  let xrdp: XrdpInstance;
  before(async () => {
    xrdp = await startXrdp({ securityLayer: 'negotiate', cert: certs.valid });
  });
  after(() => xrdp?.stop());

  test('requestedProtocols 0x4 (RDSTLS) → RSP 0', async () => {
    assertAnswer(await probeRdp({ host: '127.0.0.1', port: xrdp.port, requestedProtocols: 0x4, timeoutMs: 3000 }), 'RSP0', 'valid');
  });

  test('requestedProtocols 0x1B → disconnect ultimatum (xrdp rejects any value > 0xB)', async () => {
    assertAnswer(await probeRdp({ host: '127.0.0.1', port: xrdp.port, requestedProtocols: 0x1b, timeoutMs: 3000 }), 'DISC', 'valid');
  });

  test('servername decides the name check; the IP literal is checked against IP SANs', async () => {
    const wrong = await probeRdp({ host: '127.0.0.1', port: xrdp.port, servername: 'wrong.example', timeoutMs: 3000 });
    assert.equal(wrong.certificate?.nameMatches, false);
    assert.equal(wrong.certificate?.nameMismatch, "Host: wrong.example. is not in the cert's altnames: DNS:rdp-valid.local, IP Address:127.0.0.1");
    const right = await probeRdp({ host: '127.0.0.1', port: xrdp.port, servername: 'rdp-valid.local', timeoutMs: 3000 });
    assert.equal(right.certificate?.nameMatches, true);
  });
});

describe('xrdp TLS versions (§3)', () => {
  test('ssl_protocols=TLSv1.2 → TLSv1.2, ECDHE-RSA AES-GCM (AES-256 with the lenient list, AES-128 with Node defaults)', async () => {
    const xrdp = await startXrdp({ securityLayer: 'tls', cert: certs.valid, sslProtocols: 'TLSv1.2' });
    try {
      const r = await probeRdp({ host: '127.0.0.1', port: xrdp.port, timeoutMs: 3000 });
      assert.deepEqual(r.tls, { version: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', legacy: false });
      const strict = await probeRdp({ host: '127.0.0.1', port: xrdp.port, timeoutMs: 3000, strictTls: true });
      assert.deepEqual(strict.tls, { version: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', legacy: false });
    } finally {
      await xrdp.stop();
    }
  });

  test('ssl_protocols=TLSv1 + tls_ciphers=DEFAULT:@SECLEVEL=0 → TLSv1 legacy; strict → ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', async () => {
    const xrdp = await startXrdp({ securityLayer: 'tls', cert: certs.valid, sslProtocols: 'TLSv1', tlsCiphers: 'DEFAULT:@SECLEVEL=0' });
    try {
      const r = await probeRdp({ host: '127.0.0.1', port: xrdp.port, timeoutMs: 3000 });
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.deepEqual(r.tls, { version: 'TLSv1', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', legacy: true });
      assert.equal(r.certificate?.subject, 'CN=rdp-valid.local');
      const strict = await probeRdp({ host: '127.0.0.1', port: xrdp.port, timeoutMs: 3000, strictTls: true });
      assert.equal(strict.ok, false);
      assert.equal(strict.stage, 'tls');
      assert.equal(strict.error?.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    } finally {
      await xrdp.stop();
    }
  });
});
