import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP_MARKER, BOOTSTRAP_SCRIPT, RESULT_BEGIN, RESULT_END, buildStdin, powershellCommandLine } from '../../src/host/bootstrap.ts';
import { RUNTIME_TEXT } from '../../src/host/runtime.ts';
import { buildReadPlan } from '../../src/host/read-plan.ts';
import { decodeStdin } from './fake-host.ts';

test('the encoded bootstrap command line stays under cmd.exe\'s 8191 characters', () => {
  const line = `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(BOOTSTRAP_SCRIPT, 'utf16le').toString('base64')}`;
  assert.equal(powershellCommandLine(BOOTSTRAP_SCRIPT), line);
  assert.ok(line.length < 8191, `command line is ${line.length} characters`);
  assert.ok(BOOTSTRAP_SCRIPT.length < 1000, `bootstrap is ${BOOTSTRAP_SCRIPT.length} characters`);
});

test('the bootstrap starts with its marker and writes the result markers', () => {
  assert.equal(BOOTSTRAP_SCRIPT.split('\n', 1)[0], BOOTSTRAP_MARKER);
  assert.ok(BOOTSTRAP_SCRIPT.includes(`'${RESULT_BEGIN}'`));
  assert.ok(BOOTSTRAP_SCRIPT.includes(`'${RESULT_END}'`));
  assert.ok(BOOTSTRAP_SCRIPT.includes('[Console]::In.ReadToEnd()'));
  assert.ok(BOOTSTRAP_SCRIPT.includes('exit 2'));
  // The marker must not occur in the runtime (the lab tells the two apart by it).
  assert.ok(!RUNTIME_TEXT.includes(BOOTSTRAP_MARKER));
});

test('buildStdin round-trips the runtime and the plan as two base64 lines', () => {
  const plan = buildReadPlan({ sinceMinutes: 60 });
  const stdin = buildStdin(plan);
  const text = stdin.toString('ascii');
  assert.match(text, /^[A-Za-z0-9+/=]+\r\n[A-Za-z0-9+/=]+\r\n$/);
  const decoded = decodeStdin(stdin);
  assert.equal(decoded.runtime, RUNTIME_TEXT);
  assert.deepEqual(JSON.parse(decoded.planJson), plan);
});

test('non-ASCII text survives the base64 transport', () => {
  const plan = { version: 2 as const, mode: 'read' as const, check: false, limits: { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 }, ops: [{ id: 'r', op: 'reg.value' as const, path: 'HKLM:\\SOFTWARE\\Größe', name: 'Wert—ü' }] };
  const decoded = decodeStdin(buildStdin(plan, '# rdp-medic-runtime 1.0.0\n# Ünïcødé'));
  assert.equal(decoded.runtime, '# rdp-medic-runtime 1.0.0\n# Ünïcødé');
  assert.deepEqual(JSON.parse(decoded.planJson), plan);
});
