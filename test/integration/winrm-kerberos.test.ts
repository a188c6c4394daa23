// Kerberos over HTTPS between our WinRM client and the lab's WS-Man server, against a throwaway MIT KDC
// on loopback (its own realm, config, database and keytab in a temp folder): the happy path, one
// handshake per connection, the private credential cache, renewal, negotiate's fallback, and every kind
// of bad input giving a message that names the host and the cause, within its timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWsmanServer } from '../../src/lab/wsman/index.ts';
import type { WsmanServer } from '../../src/lab/wsman/index.ts';
import { createWinrmClient, KERBEROS_INSTALL_STEP, WinrmAuthError, WinrmConfigError, loadGssapi } from '../../src/winrm/index.ts';
import type { WinrmClientOptions } from '../../src/winrm/index.ts';
import { ticketCacheFor } from '../../src/winrm/kerberos/ticket-cache.ts';
import { fakeHost } from '../fakes/lab-wsman-host.ts';
import { startKdc } from '../support/kdc.ts';
import type { Kdc } from '../support/kdc.ts';
import { opensslCert } from '../support/openssl-cert.ts';
import type { OpensslCert } from '../support/openssl-cert.ts';
import { freePort } from '../support/free-port.ts';

const PASSWORD = 'Kerb3ros-Passw0rd!';
const SPN = 'HTTP/krbhost.lab.test';
const OPERATOR_PASSWORD = 'Op3rator-Kerb!';
let dir: string;
let kdc: Kdc;
let skewedKdc: Kdc;
let cert: OpensslCert;
let lab: WsmanServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'winrm-krb-'));
  const deadPort = await freePort(); // nobody listens there
  kdc = await startKdc({ realm: 'LAB.TEST', users: { administrator: PASSWORD, operator: OPERATOR_PASSWORD }, services: [SPN], extraRealms: { 'DEAD.TEST': `127.0.0.1:${deadPort}` } });
  skewedKdc = await startKdc({ realm: 'SKEW.TEST', users: { administrator: PASSWORD }, services: [], clockOffset: '+2h' });
  // Both realms known to this process (client and acceptor); MIT reads a ':'-separated list.
  process.env.KRB5_CONFIG = `${kdc.krb5Conf}:${skewedKdc.krb5Conf}`;
  delete process.env.KRB5CCNAME;
  cert = opensslCert(dir, 'rsa-sha256');
  lab = await startWsmanServer({ host: fakeHost('KRBHOST', { administrator: PASSWORD, operator: OPERATOR_PASSWORD }), tls: { cert: cert.certPem, key: cert.keyPem }, allowUnencrypted: false, kerberos: { keytab: kdc.keytab, spn: SPN } });
});
after(async () => {
  await lab?.close();
  await kdc?.close();
  await skewedKdc?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(over: Partial<WinrmClientOptions> = {}) {
  return createWinrmClient({
    url: lab.url, auth: 'kerberos', username: 'administrator@LAB.TEST', password: PASSWORD, ca: cert.certPem,
    kerberos: { spn: SPN }, timeouts: { connectMs: 3_000, requestMs: 10_000 }, ...over,
  });
}

async function refused(over: Partial<WinrmClientOptions>, pattern: RegExp): Promise<WinrmAuthError> {
  const c = client(over);
  const started = Date.now();
  let caught: WinrmAuthError | undefined;
  try {
    await assert.rejects(c.run('hostname'), (e: unknown) => {
      assert.ok(e instanceof WinrmAuthError, String(e));
      assert.ok(e.message.includes(new URL(lab.url).host), e.message);
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes(PASSWORD) && !e.message.includes('wrong-password'), 'no secret in the message');
      caught = e;
      return true;
    });
  } finally {
    await c.close();
  }
  assert.ok(Date.now() - started < 10_000, 'within the timeouts');
  return caught!;
}

test('Kerberos over HTTPS: one handshake for the connection, no extra round trip, a private credential cache', async () => {
  const c = client();
  try {
    assert.equal((await c.run('hostname')).stdout, 'KRBHOST\r\n');
    const cold = c.stats.roundTrips;
    assert.equal((await c.run('whoami')).stdout, 'krbhost\\administrator\r\n');
    assert.equal(c.stats.handshakes, 1, 'the authenticated connection is reused');
    assert.equal(c.stats.authUsed, 'kerberos');
    // No 401 leg: every HTTP round trip is a SOAP request (Basic's count), the ticket rides on the first.
    const soapRequests = Object.values(c.stats.requests).reduce((a, b) => a + b, 0);
    assert.ok(cold <= soapRequests, `round trips ${cold}, SOAP requests ${soapRequests}`);
  } finally {
    await c.close();
  }
  assert.equal(process.env.KRB5CCNAME, undefined, 'the process environment is restored');
  const cache = ticketCacheFor({ principal: 'administrator@LAB.TEST', password: PASSWORD });
  assert.match(cache.name, /^FILE:.*rdp-medic-krb5-.*\/ccache$/);
  assert.ok(existsSync(cache.name.slice(5)), 'the private cache holds the ticket');
  assert.ok(!existsSync(`/tmp/krb5cc_${process.getuid?.() ?? 0}`), 'the default cache is never written');
});

test('two credentials in one process: each has its own cache, and each connection authenticates as its own user', async () => {
  const admin = client();
  const operator = client({ username: 'operator@LAB.TEST', password: OPERATOR_PASSWORD });
  try {
    // Interleaved and concurrent: the KRB5CCNAME switch must never hand one client the other's ticket.
    const [a, o] = await Promise.all([admin.run('whoami'), operator.run('whoami')]);
    assert.equal(a.stdout, 'krbhost\\administrator\r\n');
    assert.equal(o.stdout, 'krbhost\\operator\r\n');
  } finally {
    await admin.close();
    await operator.close();
  }
  const adminCache = ticketCacheFor({ principal: 'administrator@LAB.TEST', password: PASSWORD });
  const operatorCache = ticketCacheFor({ principal: 'operator@LAB.TEST', password: OPERATOR_PASSWORD });
  assert.notEqual(adminCache.name, operatorCache.name);
});

test('a ticket about to expire is renewed before the next connection; a fresh one is not', async () => {
  const cred = { principal: 'administrator@LAB.TEST', password: PASSWORD };
  const cache = ticketCacheFor(cred);
  const before = cache.acquisitions;
  const keep = client();
  try {
    await keep.run('hostname');
    await keep.run('hostname');
  } finally {
    await keep.close();
  }
  assert.equal(cache.acquisitions, Math.max(before, 1), 'a valid ticket is reused');
  // The KDC issues 10 h tickets: asking for 11 h of validity makes every exchange renew it.
  const renewing = client({ kerberos: { spn: SPN, renewBeforeMs: 11 * 3600_000 } });
  try {
    await renewing.run('hostname');
    const once = cache.acquisitions;
    await renewing.run('hostname');
    assert.ok(cache.acquisitions > once, 'renewed');
    assert.ok(cache.expiresAt! > Date.now() + 9 * 3600_000);
  } finally {
    await renewing.close();
  }
});

test('wrong password: the KDC rejects it, no fallback, no secret in the message', async () => {
  await refused({ password: 'wrong-password' }, /using Kerberos: no Kerberos ticket could be obtained: the KDC rejected the password/);
});

test('an SPN the KDC does not know', async () => {
  await refused({ kerberos: { spn: 'HTTP/nosuch.lab.test' } }, /the KDC has no service principal HTTP\/nosuch\.lab\.test/);
});

test('the KDC unreachable', async () => {
  await refused({ username: 'administrator@DEAD.TEST' }, /no KDC of the realm could be reached|no answer from the KDC within/);
});

test('a realm this machine does not know (realm mismatch)', async () => {
  await refused({ username: 'administrator@ELSEWHERE.TEST' }, /the realm is not configured here or the KDC serves another realm/);
});

test('a KDC whose clock is two hours off', async () => {
  await refused({ username: 'administrator@SKEW.TEST' }, /clocks of this machine and the KDC differ/);
});

test('negotiate: Kerberos when it works; NTLM (logged) when the SPN is unknown; never after a wrong password', async () => {
  const warnings: string[] = [];
  const logger = { warn: (_o: object, msg: string) => void warnings.push(msg) };
  const k = client({ auth: 'negotiate' });
  try {
    await k.run('hostname');
    assert.equal(k.stats.authUsed, 'kerberos');
  } finally {
    await k.close();
  }
  const n = client({ auth: 'negotiate', kerberos: { spn: 'HTTP/nosuch.lab.test' }, username: 'administrator@LAB.TEST', logger });
  try {
    assert.equal((await n.run('hostname')).stdout, 'KRBHOST\r\n');
    assert.equal(n.stats.authUsed, 'ntlm');
    assert.ok(warnings.some((w) => /falling back to NTLM/.test(w)), warnings.join('; '));
  } finally {
    await n.close();
  }
  await refused({ auth: 'negotiate', password: 'wrong-password' }, /using Kerberos: .*rejected the password/);
});

test('over plain http Kerberos is refused before any network call, saying to use HTTPS', () => {
  assert.throws(
    () => createWinrmClient({ url: 'http://krbhost.lab.test:5985/wsman', auth: 'kerberos', username: 'a@LAB.TEST', password: 'x' }),
    (e: unknown) => e instanceof WinrmConfigError && /needs https:\/\/.*IOV wrap.*HTTPS listener \(port 5986\)/.test(e.message),
  );
  assert.throws(
    () => createWinrmClient({ url: 'https://10.0.0.5:5986/wsman', auth: 'kerberos', username: 'a@LAB.TEST', password: 'x' }),
    /names the host by IP address/,
  );
});

test('without the optional module: the exact install step', () => {
  assert.throws(() => loadGssapi('kerberos-not-installed-here'), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /optional npm package "kerberos-not-installed-here", which is not installed/);
    assert.ok(e.message.includes(KERBEROS_INSTALL_STEP));
    assert.match(KERBEROS_INSTALL_STEP, /apt-get install -y libkrb5-dev/);
    return true;
  });
});

test('pywinrm with requests_kerberos (Debian) authenticates against the lab the way it would against Windows', async () => {
  const ccache = `FILE:${join(dir, 'pywinrm-ccache')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, KRB5CCNAME: ccache, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' };
  delete env.REQUESTS_CA_BUNDLE;
  delete env.CURL_CA_BUNDLE;
  execFileSync('kinit', ['administrator@LAB.TEST'], { env, input: `${PASSWORD}\n`, stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
  const script = fileURLToPath(new URL('../fakes/pywinrm_client.py', import.meta.url));
  const args = { url: lab.url, user: 'administrator@LAB.TEST', password: '', transport: 'kerberos', server_cert_validation: 'ignore',
    kerberos_hostname_override: 'krbhost.lab.test', ops: [{ type: 'run_cmd', cmd: 'hostname' }, { type: 'run_cmd', cmd: 'whoami' }] };
  const out = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [script, JSON.stringify(args)], { env, timeout: 60_000 }, (err, stdout, stderr) => (err && !stdout ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const results = JSON.parse(out) as { status_code?: number; stdout?: string; error?: string; message?: string }[];
  assert.ok(Array.isArray(results), out);
  for (const r of results) assert.equal(r.error, undefined, `${r.error}: ${r.message}`);
  assert.deepEqual(results.map((r) => Buffer.from(r.stdout ?? '', 'base64').toString()), ['KRBHOST\r\n', 'krbhost\\administrator\r\n']);
});
