import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame } from '../../src/host/bootstrap.ts';
import { Plan, PLAN_VERSION } from '../../src/host/operations.ts';
import { RuntimeResultError, findResult, parsePlanResult, stderrExcerpt, typedPrevious, typedValue } from '../../src/host/result.ts';
import { resultFor, sampleValues, wrapResult } from './fake-host.ts';

const plan: Plan = Plan.parse({
  version: PLAN_VERSION,
  mode: 'read',
  ops: [
    { id: 'a', op: 'os.info' },
    { id: 'b', op: 'reg.value', path: 'HKLM:\\X', name: 'Y' },
  ],
});
const good = { runtime: '2.0.0', host: 'VM1', startedAt: '2025-01-02T00:00:00Z', elapsedMs: 12, results: plan.ops.map(resultFor) };

function expectError(fn: () => unknown, message: RegExp): RuntimeResultError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof RuntimeResultError, `expected RuntimeResultError, got ${String(caught)}`);
  assert.match(caught.message, message);
  return caught;
}

test('a good result is found among noise', () => {
  const stdout = `Preparing modules for first use.\r\n${wrapResult(good, false)}trailing noise`;
  const result = parsePlanResult(stdout, plan);
  assert.equal(result.host, 'VM1');
  assert.equal(result.results.length, 2);
  assert.deepEqual(typedValue(findResult(result, 'a')!, 'os.info'), sampleValues['os.info']);
  assert.deepEqual(typedValue(findResult(result, 'b')!, 'reg.value'), sampleValues['reg.value']);
});

test('no frames: reported with the stderr excerpt and exit code', () => {
  const err = expectError(
    () => parsePlanResult('nothing here', plan, { stderr: 'rdp-medic bootstrap: something odd\r\n', exitCode: 2 }),
    /the host runtime returned no result \(exit code 2\)/,
  );
  assert.equal(err.stderrExcerpt, 'rdp-medic bootstrap: something odd');
});

test("a FAILURE frame is the host's own words, e.g. a refused plan", () => {
  const err = expectError(() => parsePlanResult(frame('FAILURE', 'rdp-medic bootstrap: plan refused: version 9'), plan, { exitCode: 2 }), /^rdp-medic bootstrap: plan refused: version 9$/);
  assert.equal(err.source, 'bootstrap');
});

test('a frame that is not base64 JSON is reported', () => {
  expectError(() => parsePlanResult('<<<RDPMEDIC BEGIN eyJh >>>', plan), /BEGIN frame that is not valid base64 JSON/);
});

test('a result that does not match the schema is reported with the path', () => {
  const bad = { ...good, results: [{ id: 'a', ok: 'yes' }, good.results[1]!] };
  expectError(() => parsePlanResult(wrapResult(bad), plan), /does not match the schema: results\.0/);
});

test('a runtime that stopped early is an error; cut short by the deadline, the rest are Timeouts', () => {
  const partial = wrapResult({ ...good, results: [good.results[0]!] }).replace(/<<<RDPMEDIC END [^>]*>>>/, '');
  expectError(() => parsePlanResult(partial, plan), /stopped after 1 of 2 results/);
  const kept = parsePlanResult(partial, plan, { cutShort: { afterMs: 120_000 } });
  assert.equal(kept.results[0]?.ok, true);
  assert.deepEqual(kept.results[1], { id: 'b', ok: false, error: { code: 'Timeout', message: 'the host did not finish this operation before the 120 s command deadline' } });
});

test('a missing or misplaced op result is reported by op id', () => {
  expectError(() => parsePlanResult(wrapResult({ ...good, results: [good.results[1]!, good.results[0]!] }), plan), /^result for op a missing \(found b/);
  expectError(() => parsePlanResult(wrapResult({ ...good, results: [...good.results, good.results[0]!] }), plan), /3 results for 2 ops/);
});

test('a different runtime version is refused', () => {
  expectError(() => parsePlanResult(wrapResult({ ...good, runtime: '0.9.0' }), plan), /runtime 0\.9\.0, expected 2\.0\.0/);
});

test('typedValue rejects failed ops and wrong shapes', () => {
  expectError(() => typedValue({ id: 'x', ok: false, error: { code: 'AccessDenied', message: 'no' } }, 'os.info'), /op x failed: AccessDenied: no/);
  expectError(() => typedValue({ id: 'x', ok: true, value: { ...sampleValues['reg.value'], kind: 'REG_DWORD' } }, 'reg.value'), /value of op x \(reg\.value\) does not match the schema: kind/);
});

test('typedPrevious validates the undo record of a write', () => {
  const previous = { path: 'HKLM:\\X', name: 'Y', exists: false, kind: null, data: null };
  assert.deepEqual(typedPrevious({ id: 'w', ok: true, value: {}, previous }, 'reg.set'), previous);
  expectError(() => typedPrevious({ id: 'w', ok: true, value: {}, previous: { state: 'Started' } }, 'service.control'), /undo record of op w/);
});

test('stderr excerpts are short, single-line and unwrap CLIXML', () => {
  const clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1"><S S="Error">Access is denied_x000D__x000A_</S><S S="Error">at line 1 &amp; 2_x000D__x000A_</S></Objs>';
  assert.equal(stderrExcerpt(clixml), 'Access is denied at line 1 & 2');
  const long = stderrExcerpt('x'.repeat(1000));
  assert.ok(long && long.length <= 301);
  assert.equal(stderrExcerpt('\u0007\u001b[31m'), '[31m');
  assert.equal(stderrExcerpt(''), undefined);
});
