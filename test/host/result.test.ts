import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESULT_BEGIN, RESULT_END } from '../../src/host/bootstrap.ts';
import type { Plan } from '../../src/host/operations.ts';
import { RuntimeResultError, findResult, parsePlanResult, stderrExcerpt, typedPrevious, typedValue } from '../../src/host/result.ts';
import { resultFor, sampleValues, wrapResult } from './fake-host.ts';

const plan: Plan = {
  version: 2,
  mode: 'read',
  check: false,
  limits: { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 },
  ops: [
    { id: 'a', op: 'os.info' },
    { id: 'b', op: 'reg.value', path: 'HKLM:\\X', name: 'Y' },
  ],
};
const good = { runtime: '1.0.0', host: 'VM1', startedAt: '2025-01-02T00:00:00Z', elapsedMs: 12, results: plan.ops.map(resultFor) };

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

test('a good result is found among noise, with line breaks inside the base64', () => {
  const b64 = Buffer.from(JSON.stringify(good), 'utf8').toString('base64');
  const wrapped = b64.replace(/(.{76})/g, '$1\r\n');
  const stdout = `Preparing modules for first use.\r\n${RESULT_BEGIN}\r\n${wrapped}\n${RESULT_END}\r\ntrailing noise`;
  const result = parsePlanResult(stdout, plan);
  assert.equal(result.host, 'VM1');
  assert.equal(result.results.length, 2);
  assert.deepEqual(typedValue(findResult(result, 'a')!, 'os.info'), sampleValues['os.info']);
  assert.deepEqual(typedValue(findResult(result, 'b')!, 'reg.value'), sampleValues['reg.value']);
});

test('missing markers are reported with the stderr excerpt and exit code', () => {
  const err = expectError(
    () => parsePlanResult('nothing here', plan, { stderr: 'rdp-medic bootstrap: plan refused: version 2\r\n', exitCode: 2 }),
    /the host runtime returned no result markers \(exit code 2\)/,
  );
  assert.equal(err.stderrExcerpt, 'rdp-medic bootstrap: plan refused: version 2');
  assert.match(err.message, /stderr: rdp-medic bootstrap: plan refused/);
});

test('a begin marker without an end marker counts as no markers', () => {
  expectError(() => parsePlanResult(`${RESULT_BEGIN}eyJh`, plan), /no result markers/);
});

test('invalid JSON is reported with its position', () => {
  const stdout = `${RESULT_BEGIN}${Buffer.from('{"runtime":"1.0.0",}', 'utf8').toString('base64')}${RESULT_END}`;
  expectError(() => parsePlanResult(stdout, plan), /not valid JSON at position \d+/);
});

test('invalid base64 is reported', () => {
  expectError(() => parsePlanResult(`${RESULT_BEGIN}@@@@${RESULT_END}`, plan), /not valid base64/);
});

test('a result that does not match the schema is reported with the path', () => {
  const bad = { ...good, results: [{ id: 'a', ok: 'yes' }] };
  expectError(() => parsePlanResult(wrapResult(bad), plan), /does not match the schema: results\.0/);
  expectError(() => parsePlanResult(wrapResult({ ...good, elapsedMs: 'x' }), plan), /elapsedMs/);
});

test('a missing or misplaced op result is reported by op id', () => {
  expectError(() => parsePlanResult(wrapResult({ ...good, results: [good.results[0]] }), plan), /^result for op b missing/);
  expectError(() => parsePlanResult(wrapResult({ ...good, results: [good.results[1], good.results[0]] }), plan), /^result for op a missing \(found b/);
  expectError(() => parsePlanResult(wrapResult({ ...good, results: [...good.results, good.results[0]] }), plan), /3 results for 2 ops/);
});

test('a different runtime version is refused', () => {
  expectError(() => parsePlanResult(wrapResult({ ...good, runtime: '0.9.0' }), plan), /runtime 0\.9\.0, expected 1\.0\.0/);
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
