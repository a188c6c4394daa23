import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP_SCRIPT } from '../../src/host/bootstrap.ts';
import { InvalidPlanError, executePlan } from '../../src/host/executor.ts';
import type { PowerShellRunner } from '../../src/host/executor.ts';
import { PLAN_VERSION, type Plan } from '../../src/host/operations.ts';
import { RuntimeResultError } from '../../src/host/result.ts';
import { RUNTIME_TEXT } from '../../src/host/runtime.ts';
import { buildReadPlan } from '../../src/rdp/read-plan.ts';
import { fakeRunner } from './fake-host.ts';

test('executePlan sends the bootstrap with runtime and plan on stdin and parses the result', async () => {
  const runner = fakeRunner();
  const plan = buildReadPlan();
  const result = await executePlan(runner, plan);
  assert.equal(runner.calls.length, 1);
  const call = runner.calls[0]!;
  assert.equal(call.script, BOOTSTRAP_SCRIPT);
  assert.equal(call.stdin.runtime, RUNTIME_TEXT);
  assert.deepEqual(call.plan, plan);
  assert.equal(result.results.length, plan.ops.length);
  assert.ok(result.results.every((r) => r.ok));
});

test('the plan is sent with schema defaults applied', async () => {
  const runner = fakeRunner();
  const plan = { version: PLAN_VERSION, mode: 'write', ops: [{ id: 's', op: 'service.control', name: 'TermService', action: 'start' }] } as unknown as Plan;
  const result = await executePlan(runner, plan);
  const sent = runner.calls[0]!.plan;
  assert.equal((sent.ops[0] as { timeoutSec?: number }).timeoutSec, 60);
  assert.deepEqual(sent.limits, { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 });
  assert.equal(sent.check, false);
  assert.equal(result.results[0]?.ok, false);
});

function neverCalled(): PowerShellRunner & { called: number } {
  const r = {
    called: 0,
    runPowerShell() {
      r.called++;
      return Promise.resolve({ stdout: '', stderr: '', exitCode: 0 });
    },
  };
  return r;
}

test('invalid plans are rejected before anything is sent', async () => {
  const runner = neverCalled();
  const bad: unknown[] = [
    { version: 1, mode: 'read', ops: [{ id: 'a', op: 'os.info' }] },
    { version: 2, mode: 'read', ops: [] },
    { version: 2, mode: 'read', ops: [{ id: 'a', op: 'os.nope' }] },
    { version: 2, mode: 'read', ops: [{ id: 'a', op: 'reg.set', path: 'HKLM:\\X', name: 'Y', kind: 'DWord', data: 1 }] },
    { version: 2, mode: 'read', ops: [{ id: 'a', op: 'os.info' }, { id: 'a', op: 'rdp.sessions' }] },
    { version: 2, mode: 'read', limits: { cimTimeoutSec: 0 }, ops: [{ id: 'a', op: 'os.info' }] },
    { version: 2, mode: 'write', ops: [{ id: 't', op: 'task.scheduleRevert', name: 'bad name!', afterMinutes: 5, restore: [] }] },
  ];
  for (const plan of bad) {
    await assert.rejects(executePlan(runner, plan as Plan), InvalidPlanError, JSON.stringify(plan));
  }
  assert.equal(runner.called, 0);
});

test('a failed bootstrap surfaces as RuntimeResultError with stderr', async () => {
  const runner: PowerShellRunner = {
    runPowerShell: () => Promise.resolve({ stdout: '', stderr: 'something broke before the runtime began', exitCode: 2 }),
  };
  await assert.rejects(executePlan(runner, buildReadPlan()), (err: unknown) => {
    assert.ok(err instanceof RuntimeResultError);
    assert.match(err.message, /no result \(exit code 2\).*something broke/);
    return true;
  });
});

test('a result missing an op is an error, not a partial answer', async () => {
  const runner = fakeRunner((r) => r.results.pop());
  await assert.rejects(executePlan(runner, buildReadPlan()), /stopped after 46 of 47 results/);
});

test('a command cut short by its deadline keeps the operations that finished', async () => {
  const runner: PowerShellRunner = {
    async runPowerShell(script, stdin) {
      const full = await fakeRunner().runPowerShell(script, stdin);
      // What a WinrmTimeoutError carries: the output that arrived before the deadline.
      const partialStdout = full.stdout.slice(0, full.stdout.indexOf('<<<RDPMEDIC OP', full.stdout.indexOf('<<<RDPMEDIC OP') + 1));
      throw Object.assign(new Error('deadline'), { partialStdout, timeoutMs: 120_000 });
    },
  };
  const result = await executePlan(runner, buildReadPlan());
  assert.equal(result.results[0]?.ok, true);
  assert.equal(result.results.filter((r) => !r.ok && r.error.code === 'Timeout').length, 46);
});
