// The PowerShell an operator could run by hand ("Show the PowerShell"): made from the very plan the
// worker sends, one step per operation in order, under the plan's hash; it parses for every fix of
// the catalogue; host-supplied text can neither break out of a string nor out of a comment; a plan
// whose operations are not the approved ones is refused, not shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualScript, psComment, psString, psValue } from '../../src/host/manual-script.ts';
import { validatePlan } from '../../src/host/executor.ts';
import type { Plan } from '../../src/host/operations.ts';
import { WINDOWS_PRIMITIVES } from '../../src/host/runtime.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import { buildHost, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { buildFix, FIX_IDS, isNotApplicable } from '../../src/rdp/fixes/index.ts';
import { planHash } from '../../src/rdp/fixes/lib/plan.ts';
import { planScript, planScriptName } from '../../src/rdp/fixes/plan-script.ts';
import { buildReadPlan, readPlanFacts } from '../../src/rdp/read-plan.ts';
import type { CheckTarget, FixPlan } from '../../src/rdp/types.ts';
import { syntaxProblems } from './ps-parse.ts';

const TARGET: CheckTarget = { id: 'probe', address: 'probe', rdpHost: 'probe', rdpPort: 3389, winrmUrl: 'http://probe:5985/wsman', rdpUsers: ['rdpuser'] };

/** One plan per fix, from the first built-in scenario it applies to. */
function plansOfEveryFix(): Map<string, FixPlan> {
  const now = new Date();
  const out = new Map<string, FixPlan>();
  for (const s of SCENARIOS.values()) {
    const m = buildHost([s], { computerName: 'probe', password: 'p', now });
    const facts = readPlanFacts(executePlan(m, buildReadPlan()));
    for (const id of FIX_IDS) {
      if (out.has(id)) continue;
      const plan = buildFix(id, { facts, target: TARGET, now });
      if (!isNotApplicable(plan)) out.set(id, plan);
    }
  }
  return out;
}

const PLANS = plansOfEveryFix();
const stepIds = (script: string): string[] => [...script.matchAll(/^# Step (\d+) of (\d+) \(([^)]+)\)/gm)].map((m) => m[3]!);

test('every fix with a built-in scenario gets a script that parses, one step per operation in order, under its hash', async () => {
  // restart-termservice applies to no built-in scenario (its case is prepared in the journal tests).
  assert.ok(PLANS.size >= FIX_IDS.length - 1, `plans for ${[...PLANS.keys()].join(', ')}`);
  for (const [id, plan] of PLANS) {
    const script = planScript(plan);
    const problems = await syntaxProblems(script);
    assert.deepEqual(problems, [], `${id}: syntax problems:\n${problems.join('\n')}`);
    assert.match(script, new RegExp(`^# Plan sha256 ${plan.hash}:`, 'm'), id);
    assert.deepEqual(stepIds(script), plan.apply.ops.map((o) => o.id), `${id}: steps`);
    assert.equal(planScriptName(plan), `${id}-PROBE-${plan.hash.slice(0, 12)}.ps1`);
    // Every function the steps call is defined in the script (a primitive copied, or a helper).
    const defined = new Set([...script.matchAll(/^function ([A-Za-z]+-[A-Za-z]+)/gm)].map((m) => m[1]));
    const primitives = [...WINDOWS_PRIMITIVES.matchAll(/^function ([A-Za-z]+-[A-Za-z]+)/gm)].map((m) => m[1]!);
    const body = script.slice(script.indexOf('# Step 1 of'));
    for (const name of primitives) if (new RegExp(`(^|[\\s(])${name}\\s`, 'm').test(body.replace(/\$revertScript = @'[\s\S]*?\n'@/g, ''))) assert.ok(defined.has(name), `${id}: ${name} is called but not defined`);
  }
});

test('the script follows the plan: another value, another script; a plan that is not the approved one is refused', () => {
  const plan = PLANS.get('raise-connection-limit')!;
  const script = planScript(plan);
  assert.match(script, /Write-RegValue 'HKLM:\\[^']*' 'MaxInstanceCount' 'DWord' 4294967295/);
  const changed: FixPlan = { ...plan, apply: validatePlan({ ...plan.apply, ops: plan.apply.ops.map((o) => (o.op === 'reg.set' ? { ...o, data: 7 } : o)) }) };
  assert.throws(() => planScript(changed, plan.hash), /is not the approved one/);
  const rehashed = planScript(changed, planHash(changed.apply));
  assert.match(rehashed, /'MaxInstanceCount' 'DWord' 7$/m);
  assert.notEqual(rehashed, script);
});

test('compare-and-set first: each write checks the state the diagnosis saw before it changes anything', () => {
  const script = planScript(PLANS.get('enable-tls12')!);
  const step1 = script.slice(script.indexOf('# Step 1 of'), script.indexOf('# Step 2 of'));
  const check = step1.indexOf('Assert-That');
  const write = step1.indexOf('Write-RegValue');
  assert.ok(check > 0 && write > check, step1);
  assert.match(step1, /Test-SameData \$now\.data 0\)\) 'registry value .*changed since the diagnosis/);
});

test('the time-boxed fix carries the revert task script and its data, and says when it reverts', async () => {
  const plan = PLANS.get('disable-nla-temporarily')!;
  const script = planScript(plan);
  assert.match(script, /^# Time-boxed: a task on the host puts the secure values back after 60 minutes\./m);
  assert.match(script, /^Register-RevertTask '[^']+' 60 \$revertScript \$revertData$/m);
  assert.match(script, /^function Register-RevertTask/m);
});

test('host text cannot break out: quotes of every kind are doubled, comments stay one line', async () => {
  const hostile = "x' ; Remove-Item C:\\ -Recurse ; '\u2019 ; Stop-Computer ; \u2018";
  const plan = validatePlan({
    version: 2,
    mode: 'write',
    ops: [
      { id: 'a', op: 'reg.set', path: `HKLM:\\SOFTWARE\\${hostile}`, name: hostile, kind: 'MultiString', data: [hostile, 'ok'], expect: { exists: true, kind: 'String', data: hostile } },
      { id: 'b', op: 'group.add', groupSid: 'S-1-5-32-555', member: `CONTOSO\\${hostile}` },
      { id: 'c', op: 'fw.enable', names: [hostile], enabled: true, expect: { [hostile]: false } },
    ],
  }) as Plan;
  const script = manualScript(plan, { header: ['first line\nRemove-Item C:\\ -Recurse', 'fine'], describe: () => 'said\r\nStop-Computer -Force' });
  assert.deepEqual(await syntaxProblems(script), []);
  // No line starts with the injected commands: they stay inside strings and comments.
  assert.ok(!/^\s*(Remove-Item|Stop-Computer)/m.test(script), script);
  assert.equal(psString("it's ‘quoted’"), "'it''s ‘‘quoted’’'");
  assert.equal(psComment('a\nb\u2028c'), '# a b c');
  assert.equal(psValue({ a: [1, true, null] }), "@{ 'a' = @(1, $true, $null) }");
  assert.throws(() => psValue(Number.NaN));
});
