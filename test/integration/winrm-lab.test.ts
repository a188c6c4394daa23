// Our WinRM client and host runtime path against the lab's real WS-Management servers: the read plan
// over Basic, NTLM with message encryption and HTTPS with a CA bundle; and every kind of bad input
// giving a typed error that says what and where, within its timeout, leaving nothing running.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { buildReadPlan, readPlanFacts, isFactError } from '../../src/rdp/read-plan.ts';
import { executePlan } from '../../src/host/executor.ts';
import { startLab, type Lab } from '../../src/lab/lab.ts';
import { createWinrmClient, WinrmAuthError, WinrmTimeoutError, WinrmTransportError, WinrmFaultError, type WinrmClientOptions } from '../../src/winrm/index.ts';
import { freePort } from '../support/free-port.ts';

let lab: Lab;
let tlsLab: Lab;

before(async () => {
  lab = await startLab({ hosts: [{ name: 'work-pc', scenarios: ['cert-expired'] }, { name: 'flaky', scenarios: ['healthy'] }] });
  tlsLab = await startLab({ hosts: [{ name: 'secure-pc', scenarios: ['healthy'] }], https: true });
});
after(async () => {
  await lab.close();
  await tlsLab.close();
});

function host(l: Lab, name: string) {
  const h = l.hosts.find((x) => x.name === name);
  assert.ok(h, `lab host ${name}`);
  return h;
}

function client(l: Lab, name: string, extra: Partial<WinrmClientOptions> = {}) {
  const h = host(l, name);
  return createWinrmClient({ url: h.winrm.url, auth: h.winrm.auth, username: h.winrm.username, password: h.winrm.password, ...extra });
}

async function readFacts(opts: Partial<WinrmClientOptions>, l = lab, name = 'work-pc') {
  const c = client(l, name, opts);
  try {
    const result = await executePlan({ runPowerShell: (s, stdin) => c.runPowerShell(s, stdin) }, buildReadPlan());
    return { facts: readPlanFacts(result), stats: { ...c.stats.requests } };
  } finally {
    await c.close();
  }
}

describe('the read plan over the real protocol', () => {
  for (const auth of ['basic', 'ntlm'] as const) {
    test(`${auth}: one command returns every fact, with the expired certificate`, async () => {
      const { facts, stats } = await readFacts({ auth });
      assert.equal(facts.host, 'WORK-PC');
      assert.equal(stats.command, 1, 'one WinRM command per read plan');
      const certs = facts.certsRemoteDesktop;
      assert.ok(!isFactError(certs));
      assert.ok(certs.some((c) => Date.parse(c.notAfter) < Date.now()), 'the planted expired certificate is read back');
    });
  }

  test('HTTPS with the lab CA bundle, and with a SHA-256 pin', async () => {
    const ca = tlsLab.caPem ?? assert.fail('lab CA');
    const { facts } = await readFacts({ ca }, tlsLab, 'secure-pc');
    assert.equal(facts.host, 'SECURE-PC');
    // The pin of the served certificate: learn it once (insecure), then require it.
    const probe = client(tlsLab, 'secure-pc', { ca });
    await probe.run('hostname');
    await probe.close();
    const tls = await import('node:tls');
    const url = new URL(host(tlsLab, 'secure-pc').winrm.url);
    const served = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
        resolve(new X509Certificate(s.getPeerCertificate(true).raw).fingerprint256);
        s.end();
      });
      s.on('error', reject);
    });
    const pinned = await readFacts({ ca, pinSha256: served }, tlsLab, 'secure-pc');
    assert.equal(pinned.facts.host, 'SECURE-PC');
  });
});

describe('bad input: typed errors that say what and where, within their timeouts', () => {
  test('wrong password (NTLM) is an authentication error naming NTLM and the host', async () => {
    const c = client(lab, 'work-pc', { password: 'not-the-password' });
    const err = await c.run('hostname').catch((e: unknown) => e);
    await c.close();
    assert.ok(err instanceof WinrmAuthError, String(err));
    assert.equal(err.method, 'NTLM');
    assert.match(err.message, /127\.0\.0\.1:\d+/);
    assert.doesNotMatch(err.message, /not-the-password/);
  });

  test('closed port: refused at the connect step, fast', async () => {
    const port = await freePort();
    const c = createWinrmClient({ url: `http://127.0.0.1:${port}/wsman`, auth: 'basic', username: 'a', password: 'b', timeouts: { connectMs: 1000 } });
    const started = Date.now();
    const err = await c.run('hostname').catch((e: unknown) => e);
    await c.close();
    assert.ok(err instanceof WinrmTransportError, String(err));
    assert.equal(err.kind, 'refused');
    assert.ok(Date.now() - started < 1000);
  });

  test('TLS mismatch: a lab certificate without its CA is refused before any credentials are sent', async () => {
    const c = client(tlsLab, 'secure-pc');
    const err = await c.run('hostname').catch((e: unknown) => e);
    await c.close();
    assert.ok(err instanceof WinrmTransportError, String(err));
    assert.equal(err.kind, 'tls');
  });

  test('a hung host times out at the request timeout and leaves no socket open', async () => {
    const flaky = host(lab, 'flaky');
    flaky.simulated.faults.hang = true;
    try {
      const c = client(lab, 'flaky', { timeouts: { connectMs: 500, requestMs: 400, commandMs: 5000 } });
      const started = Date.now();
      const err = await c.run('hostname').catch((e: unknown) => e);
      await c.close();
      assert.ok(err instanceof WinrmTimeoutError, String(err));
      assert.ok(Date.now() - started < 2000, 'within the timeout');
      assert.match(err.message, /create/i);
    } finally {
      flaky.simulated.faults.hang = false;
    }
  });

  test('HTTP 500 from the host is a typed fault with its WSMan code and machine', async () => {
    const flaky = host(lab, 'flaky');
    flaky.simulated.faults.http500 = true;
    try {
      const c = client(lab, 'flaky', { auth: 'basic' });
      const err = await c.run('hostname').catch((e: unknown) => e);
      await c.close();
      assert.ok(err instanceof WinrmFaultError, String(err));
      assert.equal(err.machine, 'FLAKY');
      assert.equal(typeof err.code, 'number');
    } finally {
      flaky.simulated.faults.http500 = false;
    }
  });

  test('a connection reset mid-request is a transport error', async () => {
    const flaky = host(lab, 'flaky');
    flaky.simulated.faults.reset = true;
    try {
      const c = client(lab, 'flaky', { auth: 'basic' });
      const err = await c.run('hostname').catch((e: unknown) => e);
      await c.close();
      assert.ok(err instanceof WinrmTransportError, String(err));
    } finally {
      flaky.simulated.faults.reset = false;
    }
  });
});
