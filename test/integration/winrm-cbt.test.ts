// Channel binding (CBT) between our WinRM client and the lab's WS-Man server with CbtHardeningLevel=Strict
// over real TLS: NTLM carries the binding of the certificate it sees, so a TLS relay (a man in the middle
// with its own certificate, trusted by the client) cannot reuse the handshake against the real host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { startWsmanServer } from '../../src/lab/wsman/index.ts';
import { createWinrmClient, WinrmAuthError } from '../../src/winrm/index.ts';
import { fakeHost } from '../fakes/lab-wsman-host.ts';
import { opensslCert } from '../support/openssl-cert.ts';
import type { OpensslCert } from '../support/openssl-cert.ts';

const PASSWORD = 'Passw0rd!';
let dir: string;
let hostCert: OpensslCert;
let relayCert: OpensslCert;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'winrm-cbt-'));
  hostCert = opensslCert(dir, 'rsa-sha384');
  relayCert = opensslCert(join(dir), 'ec-sha512');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Terminates TLS with its own certificate and forwards the bytes over a new TLS connection to `port`. */
async function tlsRelay(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = tls.createServer({ cert: relayCert.certPem, key: relayCert.keyPem }, (client) => {
    const upstream = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function labHost(level: 'strict' | 'none') {
  return startWsmanServer({ host: fakeHost('CBTHOST'), tls: { cert: hostCert.certPem, key: hostCert.keyPem }, allowUnencrypted: false, cbtHardeningLevel: level });
}

test('NTLM over HTTPS against CbtHardeningLevel=Strict: the binding of the host certificate is accepted', async () => {
  const lab = await labHost('strict');
  const client = createWinrmClient({ url: lab.url, auth: 'ntlm', username: 'Administrator', password: PASSWORD, ca: hostCert.certPem });
  try {
    const r = await client.run('hostname');
    assert.equal(r.stdout, 'CBTHOST\r\n');
  } finally {
    await client.close();
    await lab.close();
  }
});

test('a TLS relay with its own certificate: Strict refuses the relayed handshake; without CBT checks it would have passed', async () => {
  for (const level of ['strict', 'none'] as const) {
    const lab = await labHost(level);
    const relay = await tlsRelay(lab.port);
    const client = createWinrmClient({ url: `https://127.0.0.1:${relay.port}/wsman`, auth: 'ntlm', username: 'Administrator', password: PASSWORD, ca: relayCert.certPem });
    try {
      if (level === 'none') {
        assert.equal((await client.run('hostname')).stdout, 'CBTHOST\r\n');
      } else {
        await assert.rejects(client.run('hostname'), (e: unknown) => {
          assert.ok(e instanceof WinrmAuthError, String(e));
          assert.match(e.message, new RegExp(`to 127\\.0\\.0\\.1:${relay.port}: authentication failed using NTLM`));
          assert.ok(!e.message.includes(PASSWORD));
          return true;
        });
      }
    } finally {
      await client.close();
      await relay.close();
      await lab.close();
    }
  }
});
