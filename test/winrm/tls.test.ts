// HTTPS trust: per-host CA bundle, leaf pin, untrusted certificates, and explicit insecure mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WinrmTransportError, createWinrmClient } from '../../src/winrm/index.ts';
import type { WinrmClientOptions } from '../../src/winrm/index.ts';
import { WsmanReplayServer } from '../fakes/wsman-replay.ts';
import { reply, warmCommand } from '../fakes/wsman-responses.ts';
import { PASSWORD, recordingLogger } from './helpers.ts';

let dir: string;
let caPath: string;
let leafKey: string;
let leafCert: string;
let leafPin: string;
let otherCert: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'winrm-tls-'));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rdp-medic test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext');
  writeFileSync(path.join(dir, 'other.ext'), 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'other.pem', '-days', '2', '-extfile', 'other.ext');
  otherCert = readFileSync(path.join(dir, 'other.pem'), 'utf8');
  caPath = path.join(dir, 'ca.pem');
  leafKey = readFileSync(path.join(dir, 'leaf.key'), 'utf8');
  leafCert = readFileSync(path.join(dir, 'leaf.pem'), 'utf8');
  leafPin = createHash('sha256').update(new X509Certificate(leafCert).raw).digest('hex');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const script = () => [reply.create(), ...warmCommand('secure'), reply.signal(), reply.delete()];

async function attempt(options: Partial<WinrmClientOptions>): Promise<{ result?: string; error?: unknown; requests: number }> {
  const server = await WsmanReplayServer.start(script(), { tls: { key: leafKey, cert: leafCert } });
  const client = createWinrmClient({ url: server.url, auth: 'basic', username: 'Administrator', password: PASSWORD, timeouts: { connectMs: 2000 }, ...options });
  try {
    const r = await client.runOnce('x');
    return { result: r.stdout, requests: server.requests.length };
  } catch (error) {
    return { error, requests: server.requests.length };
  } finally {
    await client.close();
    await server.close();
  }
}

test('HTTPS with the CA bundle as a file path, and as PEM contents', async () => {
  assert.equal((await attempt({ ca: caPath })).result, 'secure');
  assert.equal((await attempt({ ca: readFileSync(caPath, 'utf8') })).result, 'secure');
  assert.equal((await attempt({ ca: readFileSync(caPath) })).result, 'secure');
});

test('pin match succeeds (hex with colons, any case)', async () => {
  const colons = leafPin.toUpperCase().match(/../g)!.join(':');
  assert.equal((await attempt({ ca: caPath, pinSha256: colons })).result, 'secure');
});

test('pin mismatch fails before any request is sent (no credentials leave)', async () => {
  const r = await attempt({ ca: caPath, pinSha256: '00'.repeat(32) });
  assert.ok(r.error instanceof WinrmTransportError, String(r.error));
  assert.equal(r.error.kind, 'pin');
  assert.equal(r.error.step, 'create');
  assert.match(r.error.message, /does not match the configured pinSha256/);
  assert.equal(r.requests, 0);
});

test('an untrusted certificate fails without insecure, before any request', async () => {
  const r = await attempt({});
  assert.ok(r.error instanceof WinrmTransportError, String(r.error));
  assert.equal(r.error.kind, 'tls');
  assert.match(r.error.message, /failed TLS verification \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*Configure this host's CA bundle/);
  assert.equal(r.requests, 0);
});

test('a certificate for another name fails (hostname check stays on with a CA)', async () => {
  const server = await WsmanReplayServer.start(script(), { tls: { key: leafKey, cert: otherCert } });
  const client = createWinrmClient({ url: server.url, auth: 'basic', username: 'u', password: PASSWORD, ca: caPath, timeouts: { connectMs: 2000 } });
  try {
    await assert.rejects(client.runOnce('x'), (e: unknown) => {
      assert.ok(e instanceof WinrmTransportError);
      assert.equal(e.kind, 'tls');
      assert.equal(e.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.match(e.message, /not issued for this host name/);
      return true;
    });
    assert.equal(server.requests.length, 0);
  } finally {
    await client.close();
    await server.close();
  }
});

test('insecure: true connects without a CA and warns once per client; a pin is still enforced', async () => {
  const logger = recordingLogger();
  const r = await attempt({ insecure: true, logger });
  assert.equal(r.result, 'secure');
  const warnings = logger.lines.filter((l) => l.level === 'warn');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.msg, /verification is disabled/);
  const pinned = await attempt({ insecure: true, pinSha256: Buffer.from('00'.repeat(32), 'hex').toString('base64'), logger: recordingLogger() });
  assert.ok(pinned.error instanceof WinrmTransportError);
  assert.equal(pinned.error.kind, 'pin');
  assert.equal(pinned.requests, 0);
  assert.equal((await attempt({ insecure: true, pinSha256: leafPin })).result, 'secure');
});
