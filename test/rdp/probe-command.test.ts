// The `probe` command: target parsing, exit codes, JSON contract and human output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Command } from 'commander';
import { certificateProblems, register, runProbeCommand } from '../../src/commands/probe.ts';
import type { CertificateSummary, RdpProbeResult } from '../../src/rdp/probes/index.ts';
import { parseTarget } from '../../src/rdp/probes/index.ts';
import { buildConnectionConfirm } from '../../src/rdp/probes/x224.ts';
import { makeTestCerts, startXrdp } from '../fakes/xrdp.ts';
import type { TestCerts, XrdpInstance } from '../fakes/xrdp.ts';

function capture(): { out: (s: string) => void; text: () => string } {
  let buf = '';
  return { out: (s) => (buf += s), text: () => buf };
}

describe('parseTarget', () => {
  const cases: [string, ReturnType<typeof parseTarget>][] = [
    ['host.example', { host: 'host.example', port: 3389 }],
    ['host.example:3390', { host: 'host.example', port: 3390 }],
    ['10.0.0.5', { host: '10.0.0.5', port: 3389 }],
    ['10.0.0.5:13389', { host: '10.0.0.5', port: 13389 }],
    ['[::1]:3389', { host: '::1', port: 3389 }],
    ['[2001:db8::5]', { host: '2001:db8::5', port: 3389 }],
    ['2001:db8::5', { host: '2001:db8::5', port: 3389 }],
  ];
  for (const [text, expected] of cases) test(text, () => assert.deepEqual(parseTarget(text), expected));

  for (const bad of ['', 'host:0', 'host:65536', 'host:abc', 'host:', ':3389', '[::1', '[host]:3389', 'ho st', '1:2:3']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.ok('error' in parseTarget(bad)));
  }
});

describe('runProbeCommand', () => {
  let refusedPort: number;
  let fake: net.Server;
  let fakePort: number;
  before(async () => {
    const tmp = net.createServer();
    await new Promise<void>((resolve) => tmp.listen(0, '127.0.0.1', resolve));
    refusedPort = (tmp.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => tmp.close(() => resolve()));
    // Answers any Connection Request with RDP_NEG_FAILURE 0x5 (NLA required), like a Windows host would.
    fake = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end(buildConnectionConfirm({ failure: 5 })));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakePort = (fake.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => fake.close(() => resolve())));

  for (const [target, opts, pattern] of [
    ['127.0.0.1:99999', {}, /port "99999" is not a number in 1-65535/],
    ['127.0.0.1', { timeout: 'soon' }, /--timeout "soon"/],
    ['127.0.0.1', { protocols: 'xyz' }, /--protocols "xyz"/],
    ['127.0.0.1', { servername: ' ' }, /--servername is empty/],
  ] as const) {
    test(`bad input ${target} ${JSON.stringify(opts)} → exit 2`, async () => {
      const out = capture();
      const err = capture();
      assert.equal(await runProbeCommand(target, opts, out.out, err.out), 2);
      assert.match(err.text(), pattern);
      assert.equal(out.text(), '');
    });
  }

  test('refused port → exit 1, JSON with stage tcp', async () => {
    const out = capture();
    assert.equal(await runProbeCommand(`127.0.0.1:${refusedPort}`, { json: true, timeout: '2000' }, out.out), 1);
    const r = JSON.parse(out.text());
    assert.equal(r.stage, 'tcp');
    assert.deepEqual(r.error.code, 'ECONNREFUSED');
  });

  test('negotiation failure → exit 1, plain words in the human output', async () => {
    const out = capture();
    assert.equal(await runProbeCommand(`127.0.0.1:${fakePort}`, { protocols: '0x1' }, out.out), 1);
    const text = out.text();
    assert.match(text, /FAILED \(stage x224\)/);
    assert.match(text, /offered tls; server refused: HYBRID_REQUIRED_BY_SERVER \(0x5\): the server requires Network Level Authentication/);
  });
});

describe('certificateProblems: what a client would reject in a completed handshake', () => {
  const cert = (c: Partial<CertificateSummary>): RdpProbeResult =>
    ({
      target: { host: 'rdp.example', port: 3389 },
      ok: true,
      stage: 'done',
      certificate: { validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', daysUntilExpiry: 30, expired: false, notYetValid: false, selfSigned: false, nameMatches: true, nameMismatch: null, ...c },
    }) as RdpProbeResult;
  test('valid, matching: none', () => assert.deepEqual(certificateProblems(cert({})), []));
  test('not yet valid', () => assert.match(certificateProblems(cert({ notYetValid: true })).join(), /not valid before 2026-01-01: clients reject it/));
  test('a CA-issued certificate for another name', () => assert.match(certificateProblems(cert({ nameMatches: false, nameMismatch: 'Host: rdp.example. is not in the cert\'s altnames' })).join(), /does not name rdp\.example/));
  test("Windows' self-signed certificate under another name is the normal one-time prompt, not a problem", () => assert.deepEqual(certificateProblems(cert({ selfSigned: true, nameMatches: false })), []));
  test('a failed probe has no certificate verdict (its stage is the problem)', () => assert.deepEqual(certificateProblems({ ...cert({ expired: true }), ok: false }), []));
});

describe('probe command against xrdp', () => {
  let certs: TestCerts;
  let xrdp: XrdpInstance;
  before(async () => {
    certs = makeTestCerts();
    xrdp = await startXrdp({ securityLayer: 'negotiate', cert: certs.expired });
  });
  after(async () => {
    await xrdp?.stop();
    certs.cleanup();
  });

  async function run(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
    const out = capture();
    const err = capture();
    let code: number | undefined;
    const program = new Command().exitOverride();
    register(program, { out: out.out, err: err.out, exit: (c) => (code = c) });
    await program.parseAsync(['node', 'rdp-medic', 'probe', ...args]);
    return { code, out: out.text(), err: err.text() };
  }

  test('--json prints the public contract; an expired certificate exits 1', async () => {
    const { code, out } = await run([`127.0.0.1:${xrdp.port}`, '--json', '--timeout', '3000', '--servername', 'rdp-expired.local']);
    assert.equal(code, 1);
    const r = JSON.parse(out);
    assert.deepEqual(Object.keys(r), ['target', 'ok', 'stage', 'error', 'tcp', 'negotiation', 'tls', 'certificate', 'timingsMs']);
    assert.deepEqual(r.target, { host: '127.0.0.1', port: xrdp.port });
    assert.deepEqual(Object.keys(r.tcp), ['ok', 'ms', 'error']);
    assert.deepEqual(r.negotiation, { requested: ['tls', 'hybrid', 'hybrid_ex'], selected: 'tls', failure: null, failureCode: null, flags: 1 });
    assert.deepEqual(Object.keys(r.tls), ['version', 'cipher', 'legacy']);
    assert.deepEqual(Object.keys(r.certificate).sort(), [
      'daysUntilExpiry', 'expired', 'issuer', 'keySize', 'keyType', 'nameMatches', 'nameMismatch', 'notYetValid', 'selfSigned',
      'serialNumber', 'sha1Thumbprint', 'sha256', 'subject', 'subjectAltName', 'validFrom', 'validTo',
    ]);
    assert.equal(r.certificate.expired, true);
    assert.equal(r.certificate.nameMatches, true);
    assert.deepEqual(Object.keys(r.timingsMs), ['tcpConnect', 'x224', 'tlsHandshake', 'total']);
  });

  test('human output: stage, protocol, TLS, certificate, timings; the expired certificate is the problem', async () => {
    const { code, out } = await run([`127.0.0.1:${xrdp.port}`]);
    assert.equal(code, 1);
    assert.match(out, /: PROBLEM \(handshake completes; clients reject the certificate\)/);
    assert.doesNotMatch(out, /: OK/);
    assert.match(out, /problem +the certificate expired \d+ days ago \(2024-01-02\): clients reject it/);
    assert.match(out, /server chose tls: TLS \(flags 0x01\)/);
    assert.match(out, /tls +TLSv1\.3, TLS_AES_256_GCM_SHA384/);
    assert.match(out, /CN=rdp-expired\.local \(self-signed\)/);
    assert.match(out, /valid 2024-01-01T00:00:00\.000Z to 2024-01-02T00:00:00\.000Z: EXPIRED \d+ days ago/);
    assert.match(out, /sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(out, /timings +tcp [\d.]+ ms, x224 [\d.]+ ms, tls [\d.]+ ms, total [\d.]+ ms/);
  });

  test('--protocols 0 → Standard RDP Security noted', async () => {
    const { code, out } = await run([`127.0.0.1:${xrdp.port}`, '--protocols', '0']);
    assert.equal(code, 0);
    assert.match(out, /offered rdp; server chose rdp: Standard RDP Security/);
  });

  test('bad port → exit 2 through commander too', async () => {
    const { code, err } = await run(['127.0.0.1:0']);
    assert.equal(code, 2);
    assert.match(err, /port "0"/);
  });
});
