// The real bootstrap and engine under pwsh, on the paths that go wrong on real hosts: stdin that
// arrives slowly, cut short or corrupted; Constrained Language Mode; a refused plan; a runtime of
// another version; a hung CIM provider; a plan that outlives its budget; the revert task's script.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BOOTSTRAP_SCRIPT, buildStdin, CLM_MESSAGE } from '../../src/host/bootstrap.ts';
import { Plan, PLAN_VERSION } from '../../src/host/operations.ts';
import { buildReadPlan, READ_IDS } from '../../src/rdp/read-plan.ts';
import { parsePlanResult, RuntimeResultError } from '../../src/host/result.ts';
import { runDueTasks } from '../../src/lab/model/index.ts';
import { LAB_RUNTIME_TEXT, runPwshProcess } from '../../src/lab/runtime/pwsh.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { comparable, recordCoverage, runModel, runPwsh, runPwshFile, runPwshRaw } from './harness.ts';

const NOW = new Date('2026-12-07T02:00:00Z');
const host = () => buildHost(['healthy'], { computerName: 'WORK-PC', password: 'Lab-Passw0rd!', now: NOW });
const small = Plan.parse({ version: PLAN_VERSION, mode: 'read', ops: [{ id: 'os', op: 'os.info' }, { id: 'ts', op: 'service.get', name: 'TermService' }] });

const failureOf = (stdout: Buffer): string => {
  const m = /<<<RDPMEDIC FAILURE ([A-Za-z0-9+/=]*) >>>/.exec(stdout.toString('utf8'));
  return m ? String(JSON.parse(Buffer.from(m[1] ?? '', 'base64').toString('utf8'))) : '';
};

describe('stdin', { concurrency: 2 }, () => {
  test('delivered slowly, in small pieces, it still decodes to the same answer', async () => {
    const m = host();
    const plan = buildReadPlan();
    const slow = await runPwsh(structuredClone(m), plan, { now: NOW, stdinPieceBytes: 97 });
    assert.deepEqual(comparable(slow), comparable(runModel(structuredClone(m), plan, NOW)));
  });

  test('cut short: a clear error naming the cause, exit 2, nothing run', async () => {
    const stdin = buildStdin(small, LAB_RUNTIME_TEXT);
    const run = await runPwshRaw(host(), small, { stdin: stdin.subarray(0, stdin.length - 500) });
    assert.equal(run.exitCode, 2);
    assert.match(failureOf(run.stdout), /stdin was cut short or padded: \d+ of \d+ characters arrived/);
    assert.doesNotMatch(run.stdout.toString('utf8'), /RDPMEDIC BEGIN/);
  });

  test('corrupted on the way: the SHA-256 says so', async () => {
    const stdin = Buffer.from(buildStdin(small, LAB_RUNTIME_TEXT));
    const at = stdin.length - 40;
    stdin[at] = stdin[at] === 0x41 ? 0x42 : 0x41;
    const run = await runPwshRaw(host(), small, { stdin });
    assert.equal(run.exitCode, 2);
    assert.match(failureOf(run.stdout), /corrupted on the way: its SHA-256 does not match/);
  });

  test('no header (stdin never arrived, or console mode swallowed it)', async () => {
    const run = await runPwshRaw(host(), small, { stdin: Buffer.alloc(0) });
    assert.equal(run.exitCode, 2);
    assert.match(failureOf(run.stdout), /stdin ended before its header line/);
  });
});

describe('the host refuses or cannot run the plan', { concurrency: 2 }, () => {
  test('Constrained Language Mode is named, with what to do, exit 3', async () => {
    const run = await runPwshProcess(['-NoProfile', '-NonInteractive', '-Command', '$ExecutionContext.SessionState.LanguageMode = "ConstrainedLanguage"; Invoke-Expression $env:RDPMEDIC_BOOTSTRAP'], { env: { RDPMEDIC_BOOTSTRAP: BOOTSTRAP_SCRIPT } });
    assert.equal(run.exitCode, 3);
    assert.equal(failureOf(run.stdout), CLM_MESSAGE);
    assert.throws(() => parsePlanResult(run.stdout.toString('utf8'), small, { exitCode: run.exitCode }), (e: unknown) => e instanceof RuntimeResultError && e.source === 'bootstrap' && /Constrained Language Mode/.test(e.message));
  });

  test('a read plan with a write in it is refused before anything runs', async () => {
    const m = host();
    const bad = { version: PLAN_VERSION, mode: 'read', check: false, limits: { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 }, ops: [{ id: 'w', op: 'reg.delete', path: 'HKLM:\\SOFTWARE\\X', name: 'Y' }] } as unknown as Plan;
    const before = JSON.stringify(m);
    const run = await runPwshRaw(m, bad);
    assert.equal(run.exitCode, 2);
    assert.match(failureOf(run.stdout), /plan refused: write operation reg\.delete \(w\) in a read plan/);
    assert.equal(JSON.stringify(m), before);
  });

  test('a runtime of another version is refused by the client, naming both versions', async () => {
    const other = LAB_RUNTIME_TEXT.replace("$RuntimeVersion = '2.0.0'", "$RuntimeVersion = '9.9.9'");
    assert.notEqual(other, LAB_RUNTIME_TEXT);
    const run = await runPwshRaw(host(), small, { stdin: buildStdin(small, other) });
    assert.throws(() => parsePlanResult(run.stdout.toString('utf8'), small, { exitCode: run.exitCode }), /the host ran runtime 9\.9\.9, expected 2\.0\.0/);
  });
});

describe('bounded on the host', { concurrency: 2 }, () => {
  test('a hung TerminalServices provider costs one CIM timeout; the other facts arrive', async () => {
    const m = host();
    m.hungCimNamespaces = ['root\\cimv2\\terminalservices'];
    const plan = buildReadPlan({ limits: { cimTimeoutSec: 2 } });
    const ps = await runPwsh(structuredClone(m), plan, { now: NOW });
    const ts = runModel(structuredClone(m), plan, NOW);
    assert.deepEqual(comparable(ps), comparable(ts));
    const tsCim = ps.results.filter((r) => r.id.startsWith('cim.'));
    assert.ok(tsCim.every((r) => !r.ok && r.error.code === 'Timeout'), JSON.stringify(tsCim));
    assert.match(JSON.stringify(tsCim[0]), /did not answer within 2 s/);
    // One timeout, not five: every later query of that namespace is skipped at once.
    for (const r of tsCim.slice(1)) assert.match(JSON.stringify(r), /skipped: .* did not answer a previous query/);
    assert.equal(ps.results.filter((r) => r.ok).length, plan.ops.length - tsCim.length);
    recordCoverage({ scenarios: ['wmi-hung'] });
  });

  test("operations not started within the plan's budget report Timeout; what came back before is kept", async () => {
    const m = host();
    m.hungCimNamespaces = ['root\\cimv2\\terminalservices'];
    // The hung query alone (10 s) outlasts the budget (8 s): nothing after it may start.
    const plan = buildReadPlan({ limits: { cimTimeoutSec: 10, budgetSec: 8 } });
    const ps = await runPwsh(m, plan, { now: NOW });
    const firstHung = ps.results.findIndex((r) => r.id === READ_IDS.tsSetting);
    const after = ps.results.slice(firstHung + 1);
    assert.ok(after.length > 0 && after.every((r) => !r.ok && r.error.code === 'Timeout'), JSON.stringify(after.slice(0, 3)));
    assert.match(JSON.stringify(after.at(-1)), /budget was spent/);
    // The answers that came back form a prefix: a plan never skips ahead.
    const lastOk = ps.results.map((r) => r.ok).lastIndexOf(true);
    assert.ok(ps.results.slice(0, lastOk + 1).every((r) => r.ok));
    assert.ok(lastOk >= 0);
  });
});

describe('the time-boxed revert', { concurrency: 2 }, () => {
  const RDP_TCP_KEY = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp';
  const was = { exists: true, kind: 'DWord', data: 1 } as const;
  /** A time-boxed change of UserAuthentication (was 1): `data` sets it, null deletes it (as an undo can). */
  const timeBoxed = (data: number | null) =>
    Plan.parse({
      version: PLAN_VERSION,
      mode: 'write',
      ops: [
        {
          id: 'schedule',
          op: 'task.scheduleRevert',
          name: 'rdp-medic-revert-test',
          afterMinutes: 60,
          restore: [{ path: RDP_TCP_KEY, name: 'UserAuthentication', wrote: data === null ? null : { kind: 'DWord', data }, previous: was }],
        },
        data === null
          ? { id: 'delete', op: 'reg.delete', path: RDP_TCP_KEY, name: 'UserAuthentication', expect: was }
          : { id: 'set', op: 'reg.set', path: RDP_TCP_KEY, name: 'UserAuthentication', kind: 'DWord', data, expect: was },
      ],
    });
  const deleted = timeBoxed(null);

  /** Applies under pwsh, captures the script the engine registered, runs it as the task would. */
  async function applyAndRevert(changeInBetween: boolean, plan = timeBoxed(0)): Promise<{ pwshModel: ReturnType<typeof host>; labModel: ReturnType<typeof host>; output: string }> {
    {
      const pwshModel = host();
      const labModel = structuredClone(pwshModel);
      const scripts = new Map<string, string>();
      await runPwsh(pwshModel, plan, { now: NOW, host: { revertScripts: scripts } });
      runModel(labModel, plan, NOW);
      const script = scripts.get('rdp-medic-revert-test');
      assert.ok(script, 'the engine registered a revert script');
      assert.doesNotMatch(script, /function Invoke-|RdpMedicRuntime/, 'the revert script carries the registry primitives and the revert logic, not the engine');
      if (changeInBetween) {
        for (const m of [pwshModel, labModel]) runModel(m, Plan.parse({ version: PLAN_VERSION, mode: 'write', ops: [{ id: 'admin', op: 'reg.set', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp', name: 'UserAuthentication', kind: 'DWord', data: 2 }] }), NOW);
      }
      const run = await runPwshFile(pwshModel, script, ['-Name', 'rdp-medic-revert-test'], NOW);
      assert.equal(run.exitCode, 0, run.stderr.toString('utf8'));
      runDueTasks(labModel, new Date(NOW.getTime() + 61 * 60_000));
      return { pwshModel, labModel, output: run.stdout.toString('utf8') };
    }
  }

  test('puts the value back and removes itself, as the lab does', async () => {
    const { pwshModel, labModel } = await applyAndRevert(false);
    assert.deepEqual(pwshModel.registry, labModel.registry);
    assert.deepEqual(pwshModel.tasks, {});
    assert.deepEqual(labModel.tasks, {});
    const ua = Object.values(pwshModel.registry).find((k) => k.path.endsWith('RDP-Tcp'))?.values['userauthentication'];
    assert.equal(ua?.data, 1);
    recordCoverage({ ops: ['task.scheduleRevert'], preconditions: ['revert:unchanged'] });
  });

  test('leaves a value someone changed since alone', async () => {
    const { pwshModel, labModel } = await applyAndRevert(true);
    assert.deepEqual(pwshModel.registry, labModel.registry);
    const ua = Object.values(pwshModel.registry).find((k) => k.path.endsWith('RDP-Tcp'))?.values['userauthentication'];
    assert.equal(ua?.data, 2);
    recordCoverage({ preconditions: ['revert:changed-since'] });
  });

  test('a deleted value (wrote: null) comes back only while it is still absent, as the lab does', async () => {
    const restored = await applyAndRevert(false, deleted);
    assert.deepEqual(restored.pwshModel.registry, restored.labModel.registry);
    const uaOf = (m: ReturnType<typeof host>) => Object.values(m.registry).find((k) => k.path.endsWith('RDP-Tcp'))?.values['userauthentication'];
    assert.equal(uaOf(restored.pwshModel)?.data, 1, 'still absent: put back');
    const left = await applyAndRevert(true, deleted);
    assert.deepEqual(left.pwshModel.registry, left.labModel.registry);
    assert.equal(uaOf(left.pwshModel)?.data, 2, 'someone set it since: left alone');
    recordCoverage({ preconditions: ['revert:deleted-unchanged', 'revert:deleted-changed-since'] });
  });
});
