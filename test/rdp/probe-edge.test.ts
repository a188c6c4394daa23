// probeRdp against tiny fake listeners: the cases xrdp never produces (docs/rdp-probe.md §2, §4.3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { probeRdp } from '../../src/rdp/probes/index.ts';
import { buildConnectionConfirm, buildDisconnectUltimatum, readTpktFrame } from '../../src/rdp/probes/x224.ts';
import { makeTestCerts } from '../fakes/xrdp.ts';
import type { TestCerts } from '../fakes/xrdp.ts';

interface Fake {
  port: number;
  close(): Promise<void>;
}

/** A listener on 127.0.0.1:0 whose handler gets each connection after its Connection Request (or at once with waitForCr=false). */
async function fakeListener(handler: (socket: net.Socket) => void, waitForCr = true): Promise<Fake> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (!waitForCr) return handler(socket);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (readTpktFrame(buffered).kind === 'incomplete') return;
      socket.off('data', onData);
      socket.pause();
      handler(socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers the CR with RDP_NEG_RSP selecting `selected`, then hands the same socket to a TLS server. */
async function tlsAfterNegotiation(secure: tls.TlsOptions, selected = 1): Promise<Fake & { sni: (string | false | null)[] }> {
  const sni: (string | false | null)[] = [];
  const tlsServer = tls.createServer(secure, (s) => {
    sni.push(s.servername);
    s.on('error', () => {});
    s.resume();
    s.on('end', () => s.end());
  });
  tlsServer.on('tlsClientError', () => {});
  const fake = await fakeListener((socket) => {
    socket.write(buildConnectionConfirm({ selected }));
    tlsServer.emit('connection', socket);
  });
  return { ...fake, sni };
}

const probeLocal = (port: number, extra: Partial<Parameters<typeof probeRdp>[0]> = {}): ReturnType<typeof probeRdp> =>
  probeRdp({ host: '127.0.0.1', port, timeoutMs: 2000, ...extra });

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs.cleanup());

describe('negotiation answers from a fake listener', () => {
  for (const [code, name] of [
    [2, 'SSL_NOT_ALLOWED_BY_SERVER'],
    [5, 'HYBRID_REQUIRED_BY_SERVER'],
    [6, 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER'],
    [9, 'UNKNOWN_0x9'],
  ] as const) {
    test(`RDP_NEG_FAILURE ${code} → ${name}`, async () => {
      const fake = await fakeListener((s) => s.end(buildConnectionConfirm({ failure: code })));
      try {
        const r = await probeLocal(fake.port);
        assert.equal(r.ok, false);
        assert.equal(r.stage, 'x224');
        assert.equal(r.error?.code, 'RDP_NEG_FAILURE');
        assert.deepEqual(r.negotiation, { requested: ['tls', 'hybrid', 'hybrid_ex'], selected: null, failure: name, failureCode: code, flags: null });
        assert.equal(r.tls, null);
        assert.equal(r.certificate, null);
      } finally {
        await fake.close();
      }
    });
  }

  test('CC without rdpNegData → ok, Standard RDP Security, flags null', async () => {
    const fake = await fakeListener((s) => s.write(buildConnectionConfirm({ noNegotiation: true })));
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.ok, true);
      assert.equal(r.stage, 'done');
      assert.equal(r.negotiation?.selected, 'rdp');
      assert.equal(r.negotiation?.flags, null);
      assert.equal(r.tls, null);
    } finally {
      await fake.close();
    }
  });

  test('disconnect ultimatum → x224 DISCONNECT', async () => {
    const fake = await fakeListener((s) => s.end(buildDisconnectUltimatum()));
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'DISCONNECT');
      assert.equal(r.negotiation?.selected, null);
    } finally {
      await fake.close();
    }
  });

  test('server closes after the CR → NO_CONFIRM', async () => {
    const fake = await fakeListener((s) => s.end());
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.ok, false);
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'NO_CONFIRM');
    } finally {
      await fake.close();
    }
  });

  test('HTTP reply → NOT_TPKT with the first bytes', async () => {
    const fake = await fakeListener((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'NOT_TPKT');
      assert.match(r.error?.message ?? '', /48 54 54 50/);
    } finally {
      await fake.close();
    }
  });

  test('silent server → x224 ETIMEDOUT at the timeout', async () => {
    const fake = await fakeListener(() => {});
    try {
      const timeoutMs = 300;
      const r = await probeLocal(fake.port, { timeoutMs });
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'ETIMEDOUT');
      assert.equal(r.tcp.ok, true);
      assert.ok(r.timingsMs.total >= timeoutMs * 0.9 && r.timingsMs.total < timeoutMs + 500, `total ${r.timingsMs.total} ms`);
    } finally {
      await fake.close();
    }
  });

  test('abort signal ends a silent wait with ABORT_ERR', async () => {
    const fake = await fakeListener(() => {});
    try {
      const r = await probeLocal(fake.port, { timeoutMs: 10_000, signal: AbortSignal.timeout(100) });
      assert.equal(r.stage, 'x224');
      assert.equal(r.error?.code, 'ABORT_ERR');
      assert.ok(r.timingsMs.total < 2000);
    } finally {
      await fake.close();
    }
  });
});

describe('TCP and DNS stages', () => {
  test('closed port → tcp ECONNREFUSED, fast', async () => {
    const fake = await fakeListener(() => {});
    const port = fake.port;
    await fake.close();
    const r = await probeLocal(port);
    assert.equal(r.ok, false);
    assert.equal(r.stage, 'tcp');
    assert.equal(r.error?.code, 'ECONNREFUSED');
    assert.deepEqual(r.tcp, { ok: false, ms: null, error: 'ECONNREFUSED' });
    assert.equal(r.negotiation, null);
    assert.ok(r.timingsMs.total < 200, `total ${r.timingsMs.total} ms`);
  });

  test('no answer to the TCP connect → tcp ETIMEDOUT (injected connect that never completes)', async () => {
    // Loopback always answers a SYN, so the silent-network case is simulated with a socket that never connects.
    const r = await probeRdp({ host: '192.0.2.1', port: 3389, timeoutMs: 200, connect: () => new net.Socket() });
    assert.equal(r.stage, 'tcp');
    assert.equal(r.error?.code, 'ETIMEDOUT');
    assert.ok(r.timingsMs.total >= 180 && r.timingsMs.total < 700);
  });

  test('unresolvable name → dns stage', async () => {
    const r = await probeRdp({ host: 'no-such-host.invalid', port: 3389, timeoutMs: 3000 });
    assert.equal(r.ok, false);
    assert.equal(r.stage, 'dns');
    assert.ok(['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT'].includes(r.error?.code ?? ''), r.error?.code);
  });

  test('bad input is a result, not a throw', async () => {
    const r = await probeRdp({ host: '127.0.0.1', port: 70000 });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'ERR_INVALID_ARG');
  });
});

describe('TLS stage', () => {
  test('TLS 1.0-only server after NEG_RSP SSL → probe reads TLSv1 (legacy)', async () => {
    const cert = certs.valid;
    const fake = await tlsAfterNegotiation({
      cert: readFileSync(cert.certPem),
      key: readFileSync(cert.keyPem),
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.equal(r.stage, 'done');
      assert.equal(r.negotiation?.selected, 'tls');
      assert.equal(r.tls?.version, 'TLSv1');
      assert.equal(r.tls?.legacy, true);
      assert.equal(r.certificate?.subject, 'CN=rdp-valid.local');

      const strict = await probeLocal(fake.port, { strictTls: true });
      assert.equal(strict.ok, false);
      assert.equal(strict.stage, 'tls');
      assert.equal(strict.error?.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
      assert.equal(strict.tls, null);
    } finally {
      await fake.close();
    }
  });

  test('HYBRID selected, then the server hangs up → tls ECONNRESET', async () => {
    const fake = await fakeListener((s) => s.end(buildConnectionConfirm({ selected: 2 })));
    try {
      const r = await probeLocal(fake.port);
      assert.equal(r.stage, 'tls');
      assert.equal(r.negotiation?.selected, 'hybrid');
      assert.equal(r.error?.code, 'ECONNRESET');
      assert.match(r.error?.message ?? '', /dropped the TLS handshake/);
    } finally {
      await fake.close();
    }
  });

  test('TLS server that never answers the ClientHello → tls ETIMEDOUT', async () => {
    const fake = await fakeListener((s) => s.write(buildConnectionConfirm({ selected: 1 })));
    try {
      const r = await probeLocal(fake.port, { timeoutMs: 300 });
      assert.equal(r.stage, 'tls');
      assert.equal(r.error?.code, 'ETIMEDOUT');
    } finally {
      await fake.close();
    }
  });

  test('certificate name check: SAN match, IP SAN, mismatch; SNI only for DNS names', async () => {
    const fake = await tlsAfterNegotiation({ cert: readFileSync(certs.valid.certPem), key: readFileSync(certs.valid.keyPem) }, 8);
    try {
      const good = await probeLocal(fake.port, { servername: 'rdp-valid.local' });
      assert.equal(good.negotiation?.selected, 'hybrid_ex');
      assert.equal(good.certificate?.nameMatches, true);
      assert.equal(good.certificate?.nameMismatch, null);

      const byIp = await probeLocal(fake.port);
      assert.equal(byIp.certificate?.nameMatches, true, byIp.certificate?.nameMismatch ?? '');

      const wrong = await probeLocal(fake.port, { servername: 'wrong.example' });
      assert.equal(wrong.ok, true); // reported, not enforced
      assert.equal(wrong.certificate?.nameMatches, false);
      assert.match(wrong.certificate?.nameMismatch ?? '', /wrong\.example.*DNS:rdp-valid\.local/);

      assert.deepEqual(fake.sni, ['rdp-valid.local', false, 'wrong.example']);
    } finally {
      await fake.close();
    }
  });

  test('certificate facts: self-signed without keyCertSign, thumbprints, key', async () => {
    const fake = await tlsAfterNegotiation({ cert: readFileSync(certs.expired.certPem), key: readFileSync(certs.expired.keyPem) });
    try {
      const r = await probeLocal(fake.port);
      const c = r.certificate;
      assert.ok(c);
      const x = new (await import('node:crypto')).X509Certificate(readFileSync(certs.expired.certPem));
      assert.equal(c.selfSigned, true);
      assert.equal(c.expired, true);
      assert.equal(c.notYetValid, false);
      assert.equal(c.validFrom, '2024-01-01T00:00:00.000Z');
      assert.equal(c.validTo, '2024-01-02T00:00:00.000Z');
      assert.ok(c.daysUntilExpiry < 0);
      assert.equal(c.serialNumber, '1000');
      assert.equal(c.sha256, x.fingerprint256);
      assert.match(c.sha1Thumbprint, /^[0-9A-F]{40}$/);
      assert.equal(c.sha1Thumbprint, x.fingerprint.replace(/:/g, ''));
      assert.equal(c.keyType, 'rsa');
      assert.equal(c.keySize, 2048);
      assert.equal(c.subjectAltName, 'DNS:rdp-expired.local, IP Address:127.0.0.1');
    } finally {
      await fake.close();
    }
  });
});
