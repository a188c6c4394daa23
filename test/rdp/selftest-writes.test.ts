// selftest --writes against the lab through the real stack (WinRM, bootstrap, the lab's host model):
// every step passes and the host model ends exactly as it began; the revert task runs on the lab's
// clock, which the injected sleep advances (nothing sleeps); skips say why; the CLI refuses without
// the consent flag and touches nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findHost } from '../../src/config/load.ts';
import { Config } from '../../src/config/schema.ts';
import { connectHost } from '../../src/host/connect.ts';
import { WRITE_OPS } from '../../src/host/operations.ts';
import { formatSelftestTable, type SelftestRow } from '../../src/rdp/selftest.ts';
import { runWriteSelftest, SELFTEST_KEY, SELFTEST_MEMBER, writeSelftestSummary } from '../../src/rdp/selftest-writes.ts';
import { startLab, type Lab, type LabHost } from '../../src/lab/lab.ts';
import { labConfig, writeLabConfig } from '../../src/lab/lab-config.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';

let t = Date.parse('2026-12-07T02:00:00.000Z');
let lab: Lab;
let config: Config;
const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-selftest-writes-'));
const configFile = join(dir, 'lab.yaml');

before(async () => {
  lab = await startLab({
    hosts: ['vm1', 'member', 'lazy-task', 'cli'].map((name) => ({ name, scenarios: ['healthy'] })),
    clock: () => new Date(t),
  });
  config = Config.parse(labConfig(lab));
  writeLabConfig(lab, configFile);
});
after(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const labHost = (name: string): LabHost => lab.hosts.find((h) => h.name === name) ?? assert.fail(name);

/** The lab clock moves only when the selftest waits. */
const labTime = { sleep: (ms: number) => Promise.resolve(void (t += ms)), now: () => t };

async function selftest(name: string, opts: Parameters<typeof runWriteSelftest>[1]): Promise<SelftestRow[]> {
  const conn = await connectHost(findHost(config, name));
  try {
    return await runWriteSelftest(conn.runner, opts);
  } finally {
    await conn.close();
  }
}

/** The model as compared: the selftest's registry key stays (empty; no operation deletes a key). */
function withoutSelftestKey(m: HostModel): unknown {
  const c = comparableSnapshot(m) as { registry: Record<string, { values: object }> };
  const key = SELFTEST_KEY.toLowerCase();
  if (c.registry[key]) {
    assert.deepEqual(c.registry[key].values, {}, 'the selftest key is left empty');
    delete c.registry[key];
  }
  return c;
}

test('every step passes on a healthy host and the host model ends exactly as it began', async () => {
  const host = labHost('vm1');
  const before = withoutSelftestKey(host.simulated.model);
  const rows = await selftest('vm1', labTime);
  assert.deepEqual(rows.filter((r) => !r.ok || r.skipped), [], formatSelftestTable(rows));
  assert.deepEqual(rows.map((r) => r.op), [
    'read state',
    'reg.set (check)', 'reg.set', 'reg.set (stale expect)', 'reg.delete',
    'service.control stop', 'service.control start', 'service.startType', 'service.startType',
    'fw.enable', 'fw.enable',
    'group.add', 'group.remove',
    'cim.invoke',
    'cert.remove (check)', 'cert.move', 'cert.move',
    'task.scheduleRevert', 'task (revert ran)', 'task.scheduleRevert', 'task.cancel',
    'verify',
  ]);
  // Every write operation of the contract was exercised.
  const exercised = new Set(rows.map((r) => r.op.split(' ')[0]));
  assert.deepEqual([...WRITE_OPS].filter((op) => !exercised.has(op)), []);
  const summary = (i: number): string => rows[i]?.summary ?? '';
  assert.match(summary(0), /^VM1: runtime 2\.0\.0, Microsoft Windows Server 2022 Standard 10\.0\.20348$/);
  assert.equal(summary(1), 'check mode: would set absent → 1 (DWord); still absent afterwards');
  assert.equal(summary(2), 'absent → 1 (DWord)');
  assert.equal(summary(3), 'refused as expected: PreconditionFailed (expected absent, found 1 (DWord)); the next op NotRun');
  assert.equal(summary(4), 'undo: 1 (DWord) → absent');
  assert.equal(summary(5), 'SessionEnv Running → Stopped');
  assert.equal(summary(6), 'undo: SessionEnv Stopped → Running');
  assert.equal(summary(7), 'SessionEnv Manual → Disabled');
  assert.equal(summary(8), 'undo: SessionEnv Disabled → Manual');
  assert.equal(summary(9), 'RemoteDesktop-Shadow-In-TCP enabled → disabled');
  assert.equal(summary(10), 'undo: RemoteDesktop-Shadow-In-TCP disabled → enabled');
  assert.equal(summary(11), 'S-1-5-4 in S-1-5-32-555: not a member → member (listed as NT AUTHORITY\\INTERACTIVE, Group)');
  assert.equal(summary(12), 'undo: S-1-5-4 in S-1-5-32-555: member → not a member');
  assert.equal(summary(13), 'Win32_TSGeneralSetting.SetUserAuthenticationRequired(1): UserAuthenticationRequired 1 → 1 (captured, ReturnValue 0, unchanged)');
  assert.match(summary(14), /^check mode: would remove [0-9A-F]{8} from Remote Desktop; still there afterwards$/);
  assert.match(summary(15), /^[0-9A-F]{8} Remote Desktop → RdpMedicSelftest \(key kept: \S+\)$/);
  assert.match(summary(16), /^undo: [0-9A-F]{8} RdpMedicSelftest → Remote Desktop \(key kept: \S+\)$/);
  assert.equal(summary(17), 'value absent → 1; task \\rdp-medic\\rdp-medic-selftest-revert due in 1 min to delete it');
  assert.equal(summary(18), 'the task deleted the value: 1 → absent, seen 60 s after scheduling');
  assert.equal(summary(19), 'second task \\rdp-medic\\rdp-medic-selftest-cancel due in 60 min');
  assert.equal(summary(20), '\\rdp-medic\\rdp-medic-selftest-cancel existed → removed before it ran');
  assert.match(summary(21), /^host as found .*left behind, no operation removes them: the empty key HKLM:\\SOFTWARE\\rdp-medic-selftest, the empty certificate store RdpMedicSelftest/);
  assert.deepEqual(withoutSelftestKey(host.simulated.model), before, 'the host model is exactly as before');
  assert.deepEqual(host.simulated.model.tasks, {});

  const table = formatSelftestTable(rows);
  assert.match(table, /^op\s+result\s+ms\s+summary/);
  assert.match(table, /\n22\/22 passed$/);
  assert.equal(writeSelftestSummary(rows), 'write selftest passed: 22 steps, 22 passed, 0 skipped, 0 failed');
});

test('INTERACTIVE already in Remote Desktop Users and an empty Remote Desktop store: those steps are skipped with the reason', async () => {
  const host = labHost('member');
  host.simulated.mutate((m) => {
    m.groups['S-1-5-32-555']?.members.push({ sid: SELFTEST_MEMBER, name: 'NT AUTHORITY\\INTERACTIVE', objectClass: 'Group', principalSource: 'Local' });
    const store = m.certStores['remote desktop'];
    if (store) store.certs = [];
  });
  const before = withoutSelftestKey(host.simulated.model);
  const rows = await selftest('member', labTime);
  // Starting SessionEnv with an empty store made a new self-signed certificate: removed again.
  assert.match(rows.find((r) => r.op === 'cert.remove')?.summary ?? '', /^undo: removed [0-9A-F]{8}, the self-signed certificate SessionEnv's start created in the empty Remote Desktop store$/);
  const skipped = rows.filter((r) => r.skipped);
  assert.deepEqual(skipped.map((r) => [r.op, r.summary]), [
    ['group.add', 'skipped: S-1-5-4 (INTERACTIVE) is already a member of S-1-5-32-555: removing it would change who may log on; left alone'],
    ['group.remove', 'skipped: group.add was skipped'],
    ['cert.remove (check)', 'skipped: the Remote Desktop store is empty (RDP has not started since the certificate was removed): nothing to move'],
    ['cert.move', 'skipped: the Remote Desktop store is empty (RDP has not started since the certificate was removed): nothing to move'],
    ['cert.move', 'skipped: nothing was moved'],
  ]);
  assert.ok(rows.every((r) => r.ok), formatSelftestTable(rows));
  assert.deepEqual(withoutSelftestKey(host.simulated.model), before);
  assert.match(formatSelftestTable(rows), /group\.add\s+skip\s+skipped: S-1-5-4/);
  assert.match(formatSelftestTable(rows), /\n18\/18 passed, 5 skipped$/);
  assert.equal(writeSelftestSummary(rows), 'write selftest passed: 23 steps, 18 passed, 5 skipped, 0 failed');
});

test('a revert task that never runs fails its row after the wait, and the selftest cleans up', async () => {
  const host = labHost('lazy-task');
  const before = withoutSelftestKey(host.simulated.model);
  // The wait's own clock moves, the lab's does not: the task never comes due.
  let waited = 0;
  const rows = await selftest('lazy-task', { sleep: (ms) => Promise.resolve(void (waited += ms)), now: () => waited });
  assert.equal(waited, 180_000);
  const failed = rows.filter((r) => !r.ok);
  assert.deepEqual(failed.map((r) => [r.op, r.summary]), [
    ['task (revert ran)', 'after 180 s the value is still 1 (DWord): the task did not run (see Task Scheduler \\rdp-medic\\ and its history)'],
  ]);
  assert.equal(rows.find((r) => r.op === 'cleanup')?.summary, 'cancelled the revert task and deleted the value');
  assert.equal(rows.at(-1)?.ok, true, rows.at(-1)?.summary);
  assert.deepEqual(withoutSelftestKey(host.simulated.model), before);
  assert.equal(writeSelftestSummary(rows), 'write selftest FAILED: 23 steps, 22 passed, 0 skipped, 1 failed (task (revert ran))');
});

test('the CLI refuses --writes without --i-understand-this-changes-the-host: exit 2, what it would change, host untouched', async () => {
  const host = labHost('cli');
  const before = JSON.stringify(host.simulated.model);
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'rdp-medic.js');
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'selftest', '--writes', '--host', 'cli', '--config', configFile]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /selftest --writes CHANGES host cli \(for a disposable VM only\)/);
  assert.match(r.stderr, /HKLM:\\SOFTWARE\\rdp-medic-selftest\\Selftest/);
  assert.match(r.stderr, /SessionEnv/);
  assert.match(r.stderr, /RemoteDesktop-Shadow-In-TCP/);
  assert.match(r.stderr, /pass --i-understand-this-changes-the-host/);
  assert.equal(JSON.stringify(host.simulated.model), before);
  assert.equal(host.simulated.lastResult, undefined, 'no plan reached the host');
});
