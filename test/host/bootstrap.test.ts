import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP_MARKER, BOOTSTRAP_SCRIPT, STDIN_HEADER, buildStdin, powershellCommandLine } from '../../src/host/bootstrap.ts';
import { PLAN_VERSION, Plan } from '../../src/host/operations.ts';
import { RUNTIME_TEXT } from '../../src/host/runtime.ts';
import { buildReadPlan } from '../../src/rdp/read-plan.ts';
import { decodeStdin } from './fake-host.ts';

test("the encoded bootstrap command line stays under cmd.exe's 8191 characters", () => {
  const line = `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(BOOTSTRAP_SCRIPT, 'utf16le').toString('base64')}`;
  assert.equal(powershellCommandLine(BOOTSTRAP_SCRIPT), line);
  assert.ok(line.length < 8191, `command line is ${line.length} characters`);
});

test('the bootstrap reads stdin one way only, checks it, and frames its failures', () => {
  assert.equal(BOOTSTRAP_SCRIPT.split('\n', 1)[0], BOOTSTRAP_MARKER);
  assert.equal(BOOTSTRAP_SCRIPT.match(/\[Console\]::In\./g)?.length, 1);
  // Mentioning $input makes PowerShell start a stdin reader of its own, which splits the data.
  assert.doesNotMatch(BOOTSTRAP_SCRIPT, /\$input\b/i);
  assert.match(BOOTSTRAP_SCRIPT, /SHA256/);
  assert.match(BOOTSTRAP_SCRIPT, /<<<RDPMEDIC FAILURE /);
  assert.match(BOOTSTRAP_SCRIPT, /LanguageMode -ne 'FullLanguage'/);
  // The marker must not occur in the runtime (the lab tells the two apart by it).
  assert.ok(!RUNTIME_TEXT.includes(BOOTSTRAP_MARKER));
});

test('buildStdin: a header with the length and SHA-256 of the payload, then the payload', () => {
  const plan = buildReadPlan({ sinceMinutes: 60 });
  const stdin = buildStdin(plan).toString('ascii');
  const [header = '', payload = ''] = stdin.split('\n');
  const [magic, version, sha, length] = header.split(' ');
  assert.equal(`${magic} ${version}`, STDIN_HEADER);
  assert.equal(Number(length), payload.length);
  assert.match(sha ?? '', /^[0-9a-f]{64}$/);
  assert.match(payload, /^[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
  const decoded = decodeStdin(Buffer.from(stdin, 'ascii'));
  assert.equal(decoded.runtime, RUNTIME_TEXT);
  assert.deepEqual(JSON.parse(decoded.planJson), plan);
});

test('stdin cut short, corrupted or without its header is refused with the cause', () => {
  const stdin = buildStdin(buildReadPlan()).toString('ascii');
  assert.throws(() => decodeStdin(Buffer.from(stdin.slice(0, stdin.length - 100))), /cut short/);
  const flipped = stdin.slice(0, 200) + (stdin[200] === 'A' ? 'B' : 'A') + stdin.slice(201);
  assert.throws(() => decodeStdin(Buffer.from(flipped)), /corrupted.*SHA-256/);
  assert.throws(() => decodeStdin(Buffer.from('')), /header/);
  assert.throws(() => decodeStdin(Buffer.from(`hello\n${stdin}`)), /does not start with the header/);
});

test('non-ASCII text survives the base64 transport', () => {
  const plan = Plan.parse({ version: PLAN_VERSION, mode: 'read', ops: [{ id: 'r', op: 'reg.value', path: 'HKLM:\\SOFTWARE\\Größe', name: 'Wert—ü' }] });
  const decoded = decodeStdin(buildStdin(plan, '# rdp-medic-runtime 2.0.0\n# Ünïcødé'));
  assert.equal(decoded.runtime, '# rdp-medic-runtime 2.0.0\n# Ünïcødé');
  assert.deepEqual(JSON.parse(decoded.planJson), plan);
});
