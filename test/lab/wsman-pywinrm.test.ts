// Fidelity: Debian's pywinrm 0.3.0 (an independent client) against the lab WS-Man server,
// over Basic, NTLM without and with message encryption, and HTTPS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWsmanServer } from '../../src/lab/wsman/index.ts';
import type { WsmanServer } from '../../src/lab/wsman/index.ts';
import { bigOutput, encodePs, fakeHost } from '../fakes/lab-wsman-host.ts';
import { opensslCert } from '../support/openssl-cert.ts';
import type { CertKind } from '../support/openssl-cert.ts';

const PYTHON = '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('../fakes/pywinrm_client.py', import.meta.url));
const NOT_RECOGNIZED = "'nosuchcmd' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n";
const BIG = 120_000;

interface PyResult {
  status_code?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  message?: string;
}

let tmp: string;
let legacyCnf: string;

/**
 * The client's environment. pywinrm 0.3.0 lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
 * server_cert_validation='ignore' (requests' merge_environment_settings), so they are removed.
 */
function pyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', OPENSSL_CONF: legacyCnf };
  delete env.REQUESTS_CA_BUNDLE;
  delete env.CURL_CA_BUNDLE;
  return env;
}

function py(args: object): Promise<PyResult[]> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [CLIENT, JSON.stringify(args)],
      { env: pyEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
      (err, stdout, stderr) => {
        if (err && !stdout) return reject(new Error(`pywinrm client failed: ${err.message}\n${stderr}`));
        const parsed = JSON.parse(stdout) as PyResult[] | { import_error: string };
        if (!Array.isArray(parsed)) {
          return reject(new Error(`/usr/bin/python3 cannot import winrm (${parsed.import_error}): apt-get install python3-winrm python3-requests-ntlm`));
        }
        resolve(parsed);
      },
    );
  });
}

const text = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');

const OPS = [
  { type: 'run_cmd', cmd: 'hostname' },
  { type: 'run_cmd', cmd: 'echo', args: ['hello'] },
  { type: 'run_cmd', cmd: 'whoami' },
  { type: 'run_cmd', cmd: 'nosuchcmd' },
  { type: 'protocol', codepage: 65001, command: `powershell -NoProfile -NonInteractive -EncodedCommand ${encodePs(`BIG:${BIG}`)}` },
  { type: 'run_cmd', cmd: `powershell -encodedcommand ${encodePs('ERR:3')}` },
];

function checkStandardResults(r: PyResult[]): void {
  assert.equal(r.length, OPS.length);
  for (const x of r) assert.equal(x.error, undefined, `${x.error}: ${x.message}`);
  assert.deepEqual([r[0]?.status_code, text(r[0]?.stdout), text(r[0]?.stderr)], [0, 'PYHOST\r\n', '']);
  assert.deepEqual([r[1]?.status_code, text(r[1]?.stdout)], [0, 'hello\r\n']);
  assert.deepEqual([r[2]?.status_code, text(r[2]?.stdout)], [0, 'pyhost\\administrator\r\n']);
  assert.deepEqual([r[3]?.status_code, text(r[3]?.stdout), text(r[3]?.stderr)], [1, '', NOT_RECOGNIZED]);
  assert.equal(r[4]?.status_code, 0);
  assert.ok(Buffer.from(r[4]?.stdout ?? '', 'base64').equals(bigOutput(BIG)), 'big output intact');
  assert.deepEqual([r[5]?.status_code, text(r[5]?.stderr)], [3, 'boom\r\n']);
}

describe('pywinrm 0.3.0 against the lab WS-Man server', () => {
  let srv: WsmanServer;
  const host = fakeHost('PYHOST');

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'wsman-py-'));
    legacyCnf = join(tmp, 'legacy.cnf');
    writeFileSync(
      legacyCnf,
      'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n',
    );
    srv = await startWsmanServer({ host });
  });
  after(async () => {
    await srv.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('Basic: run_cmd hostname/echo/whoami/nosuchcmd, big PowerShell output over many Receives', async () => {
    const before = srv.stats.requests;
    checkStandardResults(await py({ url: srv.url, user: 'Administrator', password: 'Passw0rd!', transport: 'basic', ops: OPS }));
    // 6 operations x (Create, Command, Receive, Signal, Delete); the big one needs at least 4 Receives.
    assert.ok(srv.stats.requests - before >= 6 * 5 + 3, `requests ${srv.stats.requests - before}`);
  });

  test('Basic: wrong password is InvalidCredentialsError', async () => {
    const r = await py({ url: srv.url, user: 'Administrator', password: 'nope', transport: 'basic', ops: [OPS[0]] });
    assert.equal(r[0]?.error, 'InvalidCredentialsError');
  });

  test('NTLM, message_encryption=never', async () => {
    checkStandardResults(await py({ url: srv.url, user: 'PYHOST\\Administrator', password: 'Passw0rd!', transport: 'ntlm', message_encryption: 'never', ops: OPS }));
  });

  test('NTLM: wrong password is InvalidCredentialsError', async () => {
    const r = await py({ url: srv.url, user: 'PYHOST\\Administrator', password: 'nope', transport: 'ntlm', message_encryption: 'never', ops: [OPS[0]] });
    assert.equal(r[0]?.error, 'InvalidCredentialsError');
  });

  test('NTLM, message_encryption=auto (sealed bodies over http)', async () => {
    checkStandardResults(await py({ url: srv.url, user: 'Administrator', password: 'Passw0rd!', transport: 'ntlm', message_encryption: 'auto', ops: OPS }));
  });

  test('NTLM with encryption works when the server refuses unencrypted SOAP; plaintext is refused', async () => {
    const strict = await startWsmanServer({ host, allowUnencrypted: false });
    try {
      const ok = await py({ url: strict.url, user: 'Administrator', password: 'Passw0rd!', transport: 'ntlm', message_encryption: 'auto', ops: [OPS[0]] });
      assert.deepEqual([ok[0]?.status_code, text(ok[0]?.stdout)], [0, 'PYHOST\r\n']);
      const refused = await py({ url: strict.url, user: 'Administrator', password: 'Passw0rd!', transport: 'ntlm', message_encryption: 'never', ops: [OPS[0]] });
      assert.equal(refused[0]?.error, 'InvalidCredentialsError');
    } finally {
      await strict.close();
    }
  });

  test('HTTPS (self-signed, server_cert_validation=ignore): Basic and NTLM', async () => {
    const key = join(tmp, 'key.pem');
    const cert = join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const tls = await startWsmanServer({ host, tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') }, allowUnencrypted: false });
    try {
      assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+\/wsman$/);
      const ops = [OPS[0], OPS[3], OPS[4]];
      for (const transport of ['basic', 'ntlm']) {
        const r = await py({ url: tls.url, user: 'Administrator', password: 'Passw0rd!', transport, server_cert_validation: 'ignore', ops });
        for (const x of r) assert.equal(x.error, undefined, `${transport} ${x.error}: ${x.message}`);
        assert.equal(text(r[0]?.stdout), 'PYHOST\r\n');
        assert.equal(text(r[1]?.stderr), NOT_RECOGNIZED);
        assert.ok(Buffer.from(r[2]?.stdout ?? '', 'base64').equals(bigOutput(BIG)));
      }
    } finally {
      await tls.close();
    }
  });

  // requests_ntlm 1.1 sends the tls-server-end-point binding (send_cbt, on by default): an independent
  // implementation of what the lab checks. Each certificate kind picks a different hash.
  for (const kind of ['rsa-sha256', 'rsa-sha384', 'ec-sha512'] as CertKind[]) {
    test(`HTTPS with CbtHardeningLevel=Strict (${kind}): NTLM with channel binding succeeds, without it is refused`, async () => {
      const cert = opensslCert(tmp, kind);
      const strict = await startWsmanServer({ host, tls: { cert: cert.certPem, key: cert.keyPem }, allowUnencrypted: false, cbtHardeningLevel: 'strict' });
      try {
        const base = { url: strict.url, user: 'Administrator', password: 'Passw0rd!', transport: 'ntlm', server_cert_validation: 'ignore', ops: [OPS[0]] };
        const ok = await py(base);
        assert.deepEqual([ok[0]?.error, text(ok[0]?.stdout)], [undefined, 'PYHOST\r\n']);
        const refused = await py({ ...base, send_cbt: false });
        assert.equal(refused[0]?.error, 'InvalidCredentialsError');
      } finally {
        await strict.close();
      }
    });
  }
});
