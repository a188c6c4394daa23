import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { BOOTSTRAP_SCRIPT, STDIN_HEADER, buildStdin } from '../../src/host/bootstrap.ts';
import { ReadValue, type Plan } from '../../src/host/operations.ts';
import { decodeFrames, parsePlanResult } from '../../src/host/result.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { SimulatedHost } from '../../src/lab/model/index.ts';
import { readBootstrapStdin } from '../../src/lab/model/powershell.ts';
import { runDueTasks } from '../../src/lab/model/tasks.ts';
import { okValue, planOf as plan, runOne, runOps, type LooseOp } from '../support/lab-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const build = (...names: string[]) => buildHost(names.length ? names : ['healthy'], OPTS);
const run = (m: ReturnType<typeof build>, mode: 'read' | 'write', ops: LooseOp[]) => runOps(m, mode, ops, NOW);
const one = (m: ReturnType<typeof build>, op: LooseOp) => runOne(m, op, NOW);

const RDP = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp';
const RUNTIME = '# rdp-medic-runtime 2.0.0\n# (the lab answers from its model; test:runtime runs the real engine)\n';
const stdin = (runtime: string, planJson: string): Buffer => {
  // What buildStdin sends, with any plan text (even invalid JSON) in it.
  const payload = `${gzipSync(Buffer.from(runtime, 'utf8')).toString('base64')}.${Buffer.from(planJson, 'utf8').toString('base64')}`;
  return Buffer.from(`${STDIN_HEADER} ${createHash('sha256').update(payload).digest('hex')} ${payload.length}\n${payload}\n`, 'ascii');
};
const READ_PLAN: Plan = plan('read', [{ op: 'os.info' }, { op: 'reg.value', path: RDP, name: 'PortNumber' }]);

describe('powershell()', () => {
  it('runs the bootstrap: checks stdin, executes the plan, frames one result per op', async () => {
    const host = new SimulatedHost(build());
    const proc = host.powershell(BOOTSTRAP_SCRIPT);
    assert.equal(proc.readsStdin, true);
    const out = await proc.run(stdin(RUNTIME, JSON.stringify(READ_PLAN)));
    assert.equal(out.exitCode, 0, out.stderr.toString());
    assert.equal(decodeFrames(out.stdout.toString()).ops.length, 2);
    const result = parsePlanResult(out.stdout.toString(), READ_PLAN);
    assert.equal(result.runtime, '2.0.0');
    assert.equal(result.host, 'LAB-HOST1');
    assert.equal(result.results.length, 2);
    assert.ok(result.results.every((r) => r.ok));
    assert.deepEqual(readBootstrapStdin(buildStdin(READ_PLAN, RUNTIME)), readBootstrapStdin(stdin(RUNTIME, JSON.stringify(READ_PLAN))));
  });

  it('refuses bad stdin, an invalid plan and a read plan with a write op (FAILURE frame, exit 2); another runtime version answers as such', async () => {
    const host = new SimulatedHost(build());
    const before = host.snapshot();
    const good = stdin(RUNTIME, JSON.stringify(READ_PLAN));
    const cases: Array<[Buffer, RegExp]> = [
      [stdin('Write-Host hi', JSON.stringify(READ_PLAN)), /rdp-medic-runtime/],
      [stdin(RUNTIME, '{"version":2,"mode":"read","ops":[{"id":"a","op":"no.such"}]}'), /plan refused/],
      [stdin(RUNTIME, '{not json'), /plan refused: invalid JSON/],
      [good.subarray(0, good.length - 30), /cut short/],
      [Buffer.from(good.toString('ascii').replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`)), /corrupted/],
      [Buffer.alloc(0), /before its header line/],
      [
        stdin(RUNTIME, JSON.stringify({ version: 2, mode: 'read', ops: [{ id: 'w', op: 'reg.set', path: RDP, name: 'PortNumber', kind: 'DWord', data: 1 }] })),
        /plan refused: write operation reg\.set \(w\) in a read plan/,
      ],
    ];
    for (const [input, message] of cases) {
      const out = await host.powershell(BOOTSTRAP_SCRIPT).run(input);
      assert.equal(out.exitCode, 2, message.source);
      assert.match(decodeFrames(out.stdout.toString()).failure ?? '', message);
      assert.match(out.stderr.toString(), message);
    }
    const other = await host.powershell(BOOTSTRAP_SCRIPT).run(stdin(RUNTIME.replace('2.0.0', '9.9.9'), JSON.stringify(READ_PLAN)));
    assert.throws(() => parsePlanResult(other.stdout.toString(), READ_PLAN), /ran runtime 9\.9\.9, expected 2\.0\.0/);
    assert.deepEqual(host.snapshot(), before);
  });

  it('a host in Constrained Language Mode says so (exit 3)', async () => {
    const model = build();
    model.languageMode = 'ConstrainedLanguage';
    const out = await new SimulatedHost(model).powershell(BOOTSTRAP_SCRIPT).run(stdin(RUNTIME, JSON.stringify(READ_PLAN)));
    assert.equal(out.exitCode, 3);
    assert.throws(() => parsePlanResult(out.stdout.toString(), READ_PLAN), /Constrained Language Mode/);
  });

  it('answers other scripts like PowerShell would (term not recognized, exit 1), with small conveniences', async () => {
    const host = new SimulatedHost(build());
    const bad = await host.powershell('Get-Frobnicator -All').run(Buffer.alloc(0));
    assert.equal(host.powershell('Get-Frobnicator').readsStdin, false);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.stderr.toString(), /^Get-Frobnicator : The term 'Get-Frobnicator' is not recognized as the name of a cmdlet/);
    const ok = await host.powershell('Write-Output "hello"\nexit 3').run(Buffer.alloc(0));
    assert.equal(ok.stdout.toString(), 'hello\r\n');
    assert.equal(ok.exitCode, 3);
  });

  it('notifies onChange listeners when a plan changes the model, not for reads', async () => {
    const host = new SimulatedHost(build('firewall-blocked'));
    let changes = 0;
    const off = host.onChange(() => changes++);
    await host.powershell(BOOTSTRAP_SCRIPT).run(stdin(RUNTIME, JSON.stringify(READ_PLAN)));
    assert.equal(changes, 0);
    const fix = plan('write', [{ op: 'fw.enable', names: ['RemoteDesktop-UserMode-In-TCP'], enabled: true }]);
    const out = await host.powershell(BOOTSTRAP_SCRIPT).run(stdin(RUNTIME, JSON.stringify(fix)));
    assert.equal(out.exitCode, 0);
    assert.equal(changes, 1);
    assert.equal(host.rdpState().firewallAllows, true);
    off();
  });

  it('knows the local accounts for WinRM', () => {
    const host = new SimulatedHost(build());
    assert.equal(host.passwordFor('administrator'), 'P@ssw0rd!');
    assert.equal(host.passwordFor('LAB-HOST1\\Administrator'), 'P@ssw0rd!');
    assert.equal(host.passwordFor('.\\rdpuser'), 'P@ssw0rd!');
    assert.equal(host.passwordFor('OTHER\\administrator'), undefined);
    assert.equal(host.passwordFor('nobody'), undefined);
    assert.deepEqual(host.faults, { latencyMs: 0, jitterMs: 0, hang: false, reset: false, http500: false });
  });
});

const RESTART_TS = [
  { op: 'service.control', name: 'TermService', action: 'stop', expectState: 'Running' },
  { op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' },
  { op: 'service.control', name: 'UmRdpService', action: 'start', expectState: 'Stopped' },
];

describe('fixes cure the host', () => {
  it('cert-expired: move the expired cert to a backup store and restart SessionEnv -> a new valid certificate', () => {
    const m = build('cert-expired');
    const expired = m.certStores['remote desktop']?.certs[0]?.thumbprint;
    assert.ok(expired);
    const r = run(m, 'write', [
      { op: 'cert.move', fromStore: 'Remote Desktop', toStore: 'RdpMedicBackup', thumbprint: expired },
      { op: 'service.control', name: 'SessionEnv', action: 'stop' },
      { op: 'service.control', name: 'SessionEnv', action: 'start' },
    ]);
    r.results.forEach(okValue);
    const cert = deriveRdpState(m).certificate;
    assert.ok(cert?.keyReadable);
    const x = new X509Certificate(cert.certPem);
    assert.ok(Date.parse(x.validFrom) <= NOW.getTime() && NOW.getTime() < Date.parse(x.validTo));
    assert.notEqual(x.fingerprint.replace(/:/g, ''), expired);
    assert.equal(m.certStores['rdpmedicbackup']?.certs[0]?.thumbprint, expired);
    assert.ok(m.events.some((e) => e.id === 1056));
  });

  it('cert-key-unreadable: the regeneration path gives a certificate with a readable key and a healthy key ACL', () => {
    const m = build('cert-key-unreadable');
    const t = m.certStores['remote desktop']?.certs[0]?.thumbprint;
    run(m, 'write', [
      { op: 'cert.move', fromStore: 'Remote Desktop', toStore: 'RdpMedicBackup', thumbprint: t },
      { op: 'service.control', name: 'SessionEnv', action: 'stop' },
      { op: 'service.control', name: 'SessionEnv', action: 'start' },
    ]).results.forEach(okValue);
    assert.equal(deriveRdpState(m).certificate?.keyReadable, true);
    const [fresh] = ReadValue['cert.list'].parse(okValue(one(m, { op: 'cert.list', store: 'Remote Desktop' })).value);
    assert.ok(fresh?.keyFile && fresh.keyContainer !== `f686aace6942fb7f7ceb231212eef4a4_${m.os.machineGuid}`, 'the new certificate has a key file of its own');
    const acl = okValue(one(m, { op: 'file.acl', path: fresh.keyFile.path })).value as { access: Array<{ sid: string; rights: number; type: string }> };
    assert.ok(acl.access.some((a) => a.sid === 'S-1-5-20' && a.type === 'Allow' && (a.rights & 1) === 1));
    // The old certificate (in the backup store) keeps its broken key file: an undo would bring the cause back.
    const [old] = ReadValue['cert.list'].parse(okValue(one(m, { op: 'cert.list', store: 'RdpMedicBackup' })).value);
    assert.ok(old?.keyFile && !old.keyFile.access.some((a) => a.sid === 'S-1-5-20'));
  });

  it('the documented fixes cure their scenarios', () => {
    const cures: Record<string, Array<Record<string, unknown>>> = {
      'termservice-stopped': [{ op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' }, { op: 'service.control', name: 'UmRdpService', action: 'start' }],
      'listener-down': [{ op: 'reg.set', path: RDP, name: 'fEnableWinStation', kind: 'DWord', data: 1 }, ...RESTART_TS],
      'port-changed': [{ op: 'reg.set', path: RDP, name: 'PortNumber', kind: 'DWord', data: 3389, expect: { exists: true, kind: 'DWord', data: 3390 } }, ...RESTART_TS],
      'tls-disabled': [
        { op: 'reg.set', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server', name: 'Enabled', kind: 'DWord', data: 1 },
        { op: 'reg.set', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server', name: 'DisabledByDefault', kind: 'DWord', data: 0 },
      ],
      'rdp-disabled-by-policy': [{ op: 'reg.delete', path: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services', name: 'fDenyTSConnections' }],
    };
    const healthy = deriveRdpState(build('healthy'));
    for (const [scenario, ops] of Object.entries(cures)) {
      const m = build(scenario);
      run(m, 'write', ops).results.forEach(okValue);
      const st = deriveRdpState(m);
      assert.deepEqual({ ...st, certificate: null }, { ...healthy, tls: scenario === 'tls-disabled' ? { tls10: false, tls11: false, tls12: true } : healthy.tls, certificate: null }, scenario);
    }
  });
});

describe('scheduled revert tasks', () => {
  it('a time-boxed downgrade reverts itself when the task is due; task.cancel prevents it', () => {
    const m = build();
    const downgrade = (name: string) => [
      { op: 'reg.set', path: RDP, name: 'UserAuthentication', kind: 'DWord', data: 0 },
      { op: 'task.scheduleRevert', name, afterMinutes: 30, restore: [{ path: RDP, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 1 } }] },
    ];
    run(m, 'write', downgrade('rdp-medic-nla')).results.forEach(okValue);
    assert.equal(deriveRdpState(m).nla, false);
    assert.deepEqual(runDueTasks(m, new Date(NOW.getTime() + 29 * 60_000)), []);
    const runs = runDueTasks(m, new Date(NOW.getTime() + 31 * 60_000));
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]?.restored, [{ path: RDP, name: 'UserAuthentication', restored: true }]);
    assert.equal(deriveRdpState(m).nla, true);
    assert.deepEqual(m.tasks, {});

    run(m, 'write', downgrade('rdp-medic-nla2')).results.forEach(okValue);
    const cancel = okValue(one(m, { op: 'task.cancel', name: 'rdp-medic-nla2' }));
    assert.deepEqual(cancel.previous, { existed: true });
    assert.deepEqual(runDueTasks(m, new Date(NOW.getTime() + 120 * 60_000)), []);
    assert.equal(deriveRdpState(m).nla, false);
  });

  it('a revert task restores registry values only (an empty list is refused); SimulatedHost runs due tasks on its clock and notifies', () => {
    const m = build();
    assert.throws(() => one(m, { op: 'task.scheduleRevert', name: 'x', afterMinutes: 5, restore: [] }), /restore/);
    let now = NOW;
    const host = new SimulatedHost(m, { clock: () => now });
    run(m, 'write', [
      { op: 'reg.set', path: RDP, name: 'SecurityLayer', kind: 'DWord', data: 0 },
      { op: 'task.scheduleRevert', name: 'sl', afterMinutes: 10, restore: [{ path: RDP, name: 'SecurityLayer', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 2 } }] },
    ]).results.forEach(okValue);
    let changes = 0;
    host.onChange(() => changes++);
    assert.equal(host.rdpState().securityLayer, 0);
    now = new Date(NOW.getTime() + 11 * 60_000);
    assert.equal(host.rdpState().securityLayer, 2);
    assert.equal(changes, 1);
  });
});
