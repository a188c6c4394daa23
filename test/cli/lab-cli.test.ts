// The commands a newcomer and an operator use, as processes: `lab` prints one JSON line per host and
// writes a config; `facts` and `winrm exec` work against it; SIGTERM stops the lab cleanly.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';
import { freePort } from '../support/free-port.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rdp-medic.js');
const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-cli-'));
const config = join(dir, 'lab.yaml');
let lab: ChildProcess;
let redis: RedisServer;
const lines: Array<Record<string, unknown>> = [];

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  redis = await startRedisServer();
  lab = spawn(process.execPath, [BIN, 'lab', '--host', 'work-pc=cert-expired', '--scenario', 'healthy', '--config-out', config]);
  const rl = createInterface({ input: lab.stdout! });
  await new Promise<void>((resolve, reject) => {
    lab.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
    rl.on('line', (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      if (lines.length === 2) resolve();
    });
  });
});

after(async () => {
  if (lab.exitCode === null) lab.kill('SIGKILL');
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('lab prints one JSON line per host with the documented shape', () => {
  assert.deepEqual(lines.map((l) => l.name), ['work-pc', 'healthy']);
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), ['name', 'scenario', 'winrm', 'rdp']);
    assert.deepEqual(Object.keys(l.winrm as object), ['url', 'auth', 'username', 'password']);
    assert.deepEqual(Object.keys(l.rdp as object), ['host', 'port']);
  }
  assert.equal(lines[0]?.scenario, 'cert-expired');
  assert.match(readFileSync(config, 'utf8'), /work-pc:/);
});

test('facts --json reads the host through the config file', async () => {
  const r = await run(['facts', 'work-pc', '--config', config, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const facts = JSON.parse(r.stdout) as { host: string; services: { TermService: { state: string } } };
  assert.equal(facts.host, 'WORK-PC');
  assert.equal(facts.services.TermService.state, 'Running');
});

test('facts prints the values read, readable: registry values, services, list items, unread facts', async () => {
  const r = await run(['facts', 'work-pc', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Facts of WORK-PC \(runtime [\d.]+\)\n/);
  assert.match(r.stdout, /\n {2}terminalServer +HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\n {4}fDenyTSConnections = 0 \(DWord\)\n/);
  assert.match(r.stdout, /\n {4}PortNumber = \d+ \(DWord\)\n/);
  assert.match(r.stdout, /\n {2}services\.TermService +Running, start Manual\n/);
  assert.match(r.stdout, /\n {2}certsRemoteDesktop +1 item\(s\)\n {4}- store=Remote Desktop, .*subject=CN=WORK-PC, .*notAfter=2026-10-01T00:00:00\.000Z/);
  assert.match(r.stdout, /\n {2}schannel\.TLS 1\.0 +key absent /);
  assert.doesNotMatch(r.stdout, /value\(s\)/, 'values, not how many there are');
  assert.doesNotMatch(r.stdout, /\{"/, 'no JSON in the human output');
});

test('facts for an unknown host suggests the closest names and exits 2', async () => {
  const r = await run(['facts', 'wrk-pc', '--config', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown host "wrk-pc".*did you mean "work-pc"/);
});

test('winrm exec: remote output and exit code; a WinRM failure exits 255', async () => {
  const w = lines[0]?.winrm as { url: string; password: string };
  const env = { LAB_PASSWORD: w.password };
  const ok = await run(['winrm', 'exec', '--url', w.url, '--auth', 'ntlm', '--username', 'Administrator', '--password-env', 'LAB_PASSWORD', '--', 'echo', 'hello'], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'hello\r\n');
  const bad = await run(['winrm', 'exec', '--url', w.url, '--auth', 'ntlm', '--username', 'Administrator', '--password-env', 'LAB_PASSWORD', '--', 'nosuch'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /'nosuch' is not recognized/);
  const denied = await run(['winrm', 'exec', '--url', w.url, '--auth', 'ntlm', '--username', 'Administrator', '--password-env', 'WRONG', '--', 'hostname'], { WRONG: 'nope' });
  assert.equal(denied.code, 255);
  assert.match(denied.stderr, /authentication failed.*NTLM/);
  assert.doesNotMatch(denied.stderr, /nope/);
});

test('check --json, fix --yes --json and undo --yes --json keep their documented shapes', async () => {
  const env = { RDP_MEDIC_UNDO_DIR: join(dir, 'undo'), REDIS_URL: redis.url };
  const check = await run(['check', 'work-pc', '--config', config, '--json'], env);
  assert.equal(check.code, 1, check.stderr); // a problem was found
  const d = JSON.parse(check.stdout) as { host: string; verdict: string; findings: Array<Record<string, unknown>> };
  assert.equal(d.host, 'work-pc');
  assert.equal(d.verdict, 'problem');
  assert.deepEqual(Object.keys(d.findings[0] ?? {}), ['check', 'verdict', 'severity', 'summary', 'evidence', 'fix']);
  assert.equal(d.findings[0]?.check, 'cert-rdp-store');
  assert.deepEqual(Object.keys(d.findings[0]?.fix as object), ['id', 'title', 'risk', 'impact']);

  // Without --yes the host checks the plan (check mode): what would change, nothing changed, exit 0 when clean.
  const dry = await run(['fix', 'work-pc', 'regenerate-rdp-certificate', '--config', config], env);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /checked on the host, nothing was changed/);
  assert.match(dry.stdout, /✓ stop-SessionEnv \(service\.control\) service SessionEnv: Running → Stopped/);
  assert.match(dry.stdout, /would apply cleanly\. Re-run with --yes/);

  const fix = await run(['fix', 'work-pc', 'regenerate-rdp-certificate', '--config', config, '--yes', '--json'], env);
  assert.equal(fix.code, 0, fix.stdout + fix.stderr);
  const f = JSON.parse(fix.stdout) as { host: string; fix: string; applied: boolean; verified: boolean; undoId: string };
  assert.deepEqual([f.host, f.fix, f.applied, f.verified], ['work-pc', 'regenerate-rdp-certificate', true, true]);
  assert.match(f.undoId, /^u-[0-9a-z]{8}$/);

  const undo = await run(['undo', 'work-pc', f.undoId, '--config', config, '--yes', '--json'], env);
  assert.equal(undo.code, 0, undo.stdout + undo.stderr);
  const u = JSON.parse(undo.stdout) as { host: string; restored: boolean; verified: boolean };
  assert.deepEqual([u.host, u.restored, u.verified], ['work-pc', true, true]);

  // Both changes are in the audit trail, as a person's from this machine, like the bot's.
  const trail = await auditOf(redis.url);
  assert.deepEqual(
    trail.map((e) => [e.kind, e.host, e.data.via]),
    [
      ['command', 'work-pc', 'cli'],
      ['result', 'work-pc', 'cli'],
      ['verification', 'work-pc', 'cli'],
      ['command', 'work-pc', 'cli'],
      ['result', 'work-pc', 'cli'],
      ['verification', 'work-pc', 'cli'],
    ],
  );
  assert.ok(trail.every((e) => /^cli:[\w.@-]+@[\w.@-]+$/.test(e.actor)), trail.map((e) => e.actor).join(', '));
  assert.match(String(trail[0]!.data.text), /^rdp-medic fix work-pc regenerate-rdp-certificate --yes$/);
  assert.deepEqual([trail[1]!.data.applied, trail[1]!.data.undoId, trail[4]!.data.restored], [true, f.undoId, true]);

  const unknownFix = await run(['fix', 'work-pc', 'reboot-everything', '--config', config, '--yes'], env);
  assert.notEqual(unknownFix.code, 0);
  assert.match(unknownFix.stderr, /regenerate-rdp-certificate/, 'lists the known fix ids');
});

test('fix --yes without a reachable audit trail changes nothing and says how to go on; --no-audit runs and says it is not recorded', async () => {
  const env = { RDP_MEDIC_UNDO_DIR: join(dir, 'undo-2'), REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
  const refused = await run(['fix', 'work-pc', 'regenerate-rdp-certificate', '--config', config, '--yes', '--json'], env);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr); // the command failed, nothing was done
  assert.match(refused.stderr, /cannot write the audit trail at redis:\/\/127\.0\.0\.1:\d+: .*pass --no-audit/);
  assert.equal(refused.stdout, '', 'nothing was applied');
  const still = await run(['check', 'work-pc', '--config', config, '--json'], env);
  assert.equal((JSON.parse(still.stdout) as { verdict: string }).verdict, 'problem', 'the host is unchanged');

  const unaudited = await run(['fix', 'work-pc', 'regenerate-rdp-certificate', '--config', config, '--yes', '--json', '--no-audit'], env);
  assert.equal(unaudited.code, 0, unaudited.stdout + unaudited.stderr);
  assert.match(unaudited.stderr, /--no-audit: this change is NOT recorded in the audit trail/);
  const u = JSON.parse(unaudited.stdout) as { undoId: string };
  const back = await run(['undo', 'work-pc', u.undoId, '--config', config, '--yes', '--no-audit'], env);
  assert.equal(back.code, 0, back.stdout + back.stderr);
});

test('undo refuses a malformed or unknown undo id (exit 2) before connecting or auditing', async () => {
  const env = { RDP_MEDIC_UNDO_DIR: join(dir, 'undo-3'), REDIS_URL: redis.url };
  const before = (await auditOf(redis.url)).length;
  for (const id of ['u-bogus', 'abc']) {
    const r = await run(['undo', 'work-pc', id, '--config', config, '--yes'], env);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`"${id}" is not an undo id: an undo id is "u-" and 8 characters`));
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  }
  const unknown = await run(['undo', 'work-pc', 'u-7k3m9qzx', '--config', config, '--yes'], env);
  assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
  assert.match(unknown.stderr, /no undo record "u-7k3m9qzx" in .*undo-3; recent undo ids for work-pc: none/);
  assert.equal((await auditOf(redis.url)).length, before, 'a refused id is not audited as a command');
});

test('probe of the lab host with an expired certificate: a problem (exit 1), said on its own line', async () => {
  const rdp = lines[0]?.rdp as { host: string; port: number };
  const r = await run(['probe', `${rdp.host}:${rdp.port}`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /PROBLEM \(handshake completes; clients reject the certificate\)/);
  assert.match(r.stdout, /problem +the certificate expired \d+ days ago \(2026-10-01\)/);
});

test('a host whose WinRM cannot be reached: check and facts exit 3, not 1', async () => {
  const down = join(dir, 'down.yaml');
  writeFileSync(down, readFileSync(config, 'utf8').replace(/http:\/\/127\.0\.0\.1:\d+\/wsman/g, `http://127.0.0.1:${await freePort()}/wsman`));
  const check = await run(['check', 'work-pc', '--config', down]);
  assert.equal(check.code, 3, check.stdout + check.stderr);
  assert.match(check.stdout, /WinRM on work-pc \(port \d+\) refused the connection/);
  const facts = await run(['facts', 'work-pc', '--config', down]);
  assert.equal(facts.code, 3, facts.stdout + facts.stderr);
  assert.match(facts.stderr, /connection refused/);
});

interface TrailEntry {
  kind: string;
  host: string;
  actor: string;
  data: Record<string, unknown>;
}

async function auditOf(url: string): Promise<TrailEntry[]> {
  const r = await run(['audit', 'export', '--redis-url', url]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrailEntry);
}

test('evidence: the facts, probes, findings with their references, timings and versions as JSON; --out writes a 0600 file; exit as check', async () => {
  const out = join(dir, 'evidence-work-pc.json');
  const r = await run(['evidence', 'work-pc', '--config', config, '--out', out]);
  assert.equal(r.code, 1, r.stdout + r.stderr); // the expired certificate is a problem
  assert.equal(r.stdout, '', 'the JSON went to the file');
  assert.match(r.stderr, new RegExp(`evidence of work-pc written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\): problem`));
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const text = readFileSync(out, 'utf8');
  const doc = JSON.parse(text) as {
    format: string; host: string; verdict: string; hostRead: { facts: { host: string } }; findings: { check: string; references: { url: string }[] }[];
    probes: { rdp: { certificate: unknown } }; timingsMs: { total: number }; versions: { runtime: unknown };
  };
  assert.equal(doc.format, 'rdp-medic-evidence');
  assert.equal(doc.host, 'work-pc');
  assert.equal(doc.verdict, 'problem');
  assert.equal(doc.hostRead.facts.host, 'WORK-PC');
  assert.equal(doc.findings[0]?.check, 'cert-rdp-store');
  assert.match(doc.findings[0]?.references[0]?.url ?? '', /^https:\/\/learn\.microsoft\.com\//);
  assert.ok(doc.probes.rdp.certificate, 'the probe saw the certificate');
  assert.ok(doc.timingsMs.total > 0);
  assert.equal(typeof doc.versions.runtime, 'string');
  const password = (lines[0]?.winrm as { password: string }).password;
  assert.ok(!text.includes(password), 'the WinRM password is not in the evidence');

  const healthy = await run(['evidence', 'healthy', '--config', config]);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.equal((JSON.parse(healthy.stdout) as { verdict: string }).verdict, 'ok');
});

test('evidence: a missing --out folder or an unknown host is a usage error (2) before anything runs; an unreachable host exits 3 with its evidence', async () => {
  const missing = await run(['evidence', 'work-pc', '--config', config, '--out', join(dir, 'no-such-dir', 'e.json')]);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /--out .*: the folder .*no-such-dir does not exist; nothing was done/);
  const unknown = await run(['evidence', 'wrk-pc', '--config', config]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown host "wrk-pc"/);
  const down = join(dir, 'down-evidence.yaml');
  writeFileSync(down, readFileSync(config, 'utf8').replace(/http:\/\/127\.0\.0\.1:\d+\/wsman/g, `http://127.0.0.1:${await freePort()}/wsman`));
  const r = await run(['evidence', 'work-pc', '--config', down]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { hostRead: { read: boolean; failure: { kind: string } } };
  assert.deepEqual([doc.hostRead.read, doc.hostRead.failure.kind], [false, 'unreachable']);
});

test('SIGTERM stops the lab and it exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
  lab.kill('SIGTERM');
  assert.equal(await exited, 0);
});
