// `rdp-medic lab --auth kerberos`: the lab starts its own throwaway KDC; each host line carries what any
// Kerberos client needs, and the written configuration works for our own commands (with KRB5_CONFIG).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createWinrmClient } from '../../src/winrm/index.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rdp-medic.js');
const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-lab-krb-'));
const config = join(dir, 'lab.yaml');
let lab: ChildProcess;
let line: { name: string; winrm: { url: string; auth: string; username: string; password: string }; kerberos: { realm: string; kdc: string; spn: string; username: string; password: string; krb5Conf: string } };

before(async () => {
  lab = spawn(process.execPath, [BIN, 'lab', '--auth', 'kerberos', '--scenario', 'healthy', '--config-out', config]);
  const rl = createInterface({ input: lab.stdout! });
  line = await new Promise((resolve, reject) => {
    lab.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
    rl.once('line', (l) => resolve(JSON.parse(l) as typeof line));
  });
});

after(async () => {
  if (lab.exitCode === null) {
    lab.kill('SIGTERM');
    await once(lab, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('each host line carries realm, kdc, spn, username, password (and the krb5.conf to use); the config names the SPN', () => {
  assert.deepEqual(Object.keys(line.kerberos), ['realm', 'kdc', 'spn', 'username', 'password', 'krb5Conf']);
  assert.equal(line.kerberos.realm, 'LAB.TEST');
  assert.match(line.kerberos.kdc, /^127\.0\.0\.1:\d+$/);
  assert.equal(line.kerberos.spn, 'HTTP/healthy.lab.test');
  assert.equal(line.winrm.auth, 'kerberos');
  assert.match(line.winrm.url, /^https:/);
  assert.ok(existsSync(line.kerberos.krb5Conf));
  const yaml = readFileSync(config, 'utf8');
  assert.match(yaml, /auth: kerberos/);
  assert.match(yaml, /spn: HTTP\/healthy\.lab\.test/);
});

test('a Kerberos client given only what the line says gets in; facts works from the written config', async () => {
  process.env.KRB5_CONFIG = line.kerberos.krb5Conf;
  const client = createWinrmClient({
    url: line.winrm.url, auth: 'kerberos', username: line.kerberos.username, password: line.kerberos.password,
    ca: readFileSync(join(dir, 'lab-ca.pem')), kerberos: { spn: line.kerberos.spn },
  });
  try {
    assert.equal((await client.run('hostname')).stdout, 'HEALTHY\r\n');
    assert.equal(client.stats.authUsed, 'kerberos');
  } finally {
    await client.close();
  }
  const facts = spawn(process.execPath, [BIN, 'facts', 'healthy', '--config', config, '--json'], { env: { ...process.env, KRB5_CONFIG: line.kerberos.krb5Conf } });
  let stdout = '';
  facts.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code] = (await once(facts, 'exit')) as [number];
  assert.equal(code, 0, stdout.slice(0, 500));
  assert.match(stdout, /"host":\s*"HEALTHY"/);
});

test('check says which method WinRM used: kerberos in the JSON and in the text', async () => {
  const env = { ...process.env, KRB5_CONFIG: line.kerberos.krb5Conf };
  const run = async (args: string[]): Promise<string> => {
    const p = spawn(process.execPath, [BIN, 'check', 'healthy', '--config', config, ...args], { env });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await once(p, 'exit');
    return stdout;
  };
  assert.equal((JSON.parse(await run(['--json'])) as { winrmAuth?: string }).winrmAuth, 'kerberos');
  assert.match(await run([]), /one WinRM command \(kerberos\)/);
});
