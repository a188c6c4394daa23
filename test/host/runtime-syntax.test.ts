// Static checks of the runtime that need no PowerShell (npm run test:runtime executes it under pwsh):
// parse it with tree-sitter-powershell, scan for syntax newer than Windows PowerShell 5.1, check the
// dispatch table against the contract, keep Windows APIs out of the engine and the size in budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { BOOTSTRAP_SCRIPT } from '../../src/host/bootstrap.ts';
import { Operation, WRITE_OPS } from '../../src/host/operations.ts';
import { ENGINE, REVERT_LOGIC, RUNTIME_HEADER_RE, RUNTIME_TEXT, RUNTIME_VERSION, WINDOWS_PRIMITIVES } from '../../src/host/runtime.ts';
import { LAB_PRIMITIVE_NAMES } from '../../src/lab/runtime/primitives.ts';
import { syntaxProblems } from './ps-parse.ts';
import { codeOnly, ps7Findings } from './ps7-scan.ts';

test('the runtime and the revert logic parse without ERROR or MISSING nodes', async () => {
  for (const [name, text] of [['runtime', RUNTIME_TEXT], ['revert.ps1', `param([string]$Name)\n${REVERT_LOGIC}`]] as const) {
    const problems = await syntaxProblems(text);
    assert.deepEqual(problems, [], `${name} syntax problems:\n${problems.join('\n')}`);
  }
});

test('the bootstrap parses without ERROR or MISSING nodes', async () => {
  const problems = await syntaxProblems(BOOTSTRAP_SCRIPT);
  assert.deepEqual(problems, [], `bootstrap syntax problems:\n${problems.join('\n')}`);
});

test('the parser does report broken PowerShell (the syntax tests can fail)', async () => {
  assert.ok((await syntaxProblems('function f( { $a = ')).length > 0);
  assert.ok((await syntaxProblems('if ($x) { Write-Output 1 ')).length > 0);
  assert.ok((await syntaxProblems("$h = @{ a = 1; b = }")).length > 0);
});

test('no PowerShell 7-only syntax in the runtime or the bootstrap', () => {
  assert.deepEqual(ps7Findings(RUNTIME_TEXT), [], 'runtime');
  assert.deepEqual(ps7Findings(BOOTSTRAP_SCRIPT), [], 'bootstrap');
});

test('the PS7 scan finds what it looks for, outside strings and comments only', () => {
  const findings = (s: string) => ps7Findings(s).map((f) => f.replace(/^\d+: /, ''));
  assert.equal(findings('$a = $b ?? 1').length, 1);
  assert.equal(findings('$a ??= 1').length, 1);
  assert.equal(findings('git pull && echo ok').length, 1);
  assert.equal(findings('a || b').length, 1);
  assert.equal(findings('1..3 | ForEach-Object -Parallel { $_ }').length, 1);
  assert.equal(findings('$x = $ok ? 1 : 2').length, 1);
  assert.equal(findings('$o = ConvertFrom-Json $j -AsHashtable').length, 1);
  assert.equal(findings('$n = $obj?.Name').length, 1);
  assert.deepEqual(findings("$s = 'a ?? b && c'; # x || y\n<# $a ?? $b #>\n$h = @'\n$a ?? $b\n'@"), []);
  assert.deepEqual(findings('Get-Thing | ? { $_.x } | % { $_ }'), []);
  assert.ok(!codeOnly('"a `" && b"').includes('&&'));
});

test('the runtime declares its version on the first line', () => {
  const first = RUNTIME_TEXT.split(/\r?\n/, 1)[0] ?? '';
  assert.equal(first, `# rdp-medic-runtime ${RUNTIME_VERSION}`);
  assert.equal(RUNTIME_HEADER_RE.exec(RUNTIME_TEXT)?.[1], RUNTIME_VERSION);
  assert.match(RUNTIME_TEXT, new RegExp(`\\$RuntimeVersion = '${RUNTIME_VERSION.replace(/\./g, '\\.')}'`));
});

function contractOpNames(): string[] {
  return Operation.options.map((o) => String(o.shape.op.value)).sort();
}

function dispatchTable(): Map<string, string> {
  const block = /# region dispatch[\s\S]*?\$Handlers = @\{([\s\S]*?)\}\s*\r?\n# endregion dispatch/.exec(RUNTIME_TEXT)?.[1];
  assert.ok(block, 'engine.ps1 has a "# region dispatch" block with $Handlers');
  return new Map([...block.matchAll(/'([\w.]+)'\s*=\s*(?:'([\w-]+)'|\{ ([\w-]+) )/g)].map((m) => [m[1] ?? '', m[2] ?? m[3] ?? '']));
}

test('every contract operation has a dispatch entry, and every entry is a contract operation', () => {
  const table = dispatchTable();
  const ops = contractOpNames();
  assert.equal(ops.length, 26);
  assert.deepEqual([...table.keys()].sort(), ops);
});

test('every dispatch entry names a function the runtime defines', () => {
  for (const [op, fn] of dispatchTable()) {
    assert.match(ENGINE, new RegExp(`^function ${fn}\\(`, 'm'), `${op} -> ${fn} is not defined in the engine`);
  }
});

test("the runtime's write-op list equals WRITE_OPS", () => {
  const list = /\$WriteOps = @\(([\s\S]*?)\)/.exec(ENGINE)?.[1] ?? '';
  const names = [...list.matchAll(/'([\w.]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(names, [...WRITE_OPS].sort());
});

const definedFunctions = (text: string): string[] => [...text.matchAll(/^function ([\w-]+)/gm)].map((m) => m[1] ?? '');
const calls = (text: string, name: string): boolean => new RegExp(`(^|[\\s({;=]|\\$\\()${name}(?=[\\s)}]|$)`, 'm').test(text);

test('the engine calls no Windows API: every Windows call is a primitive', () => {
  const windowsOnly = /Get-CimInstance|Invoke-CimMethod\b(?!On)|Get-Service\b|Microsoft\.Win32|X509Store|NetFirewall|\[ADSI\]|Get-WinEvent|Eventing\.Reader|ScheduledTask|Get-Acl|wtsapi32|Add-Type|Get-NetTCPConnection|Get-NetIPAddress|Get-LocalGroupMember/;
  const found = ENGINE.split('\n').map((line, i) => `${i + 1}: ${line.trim()}`).filter((l) => windowsOnly.test(l.replace(/#.*$/, '')));
  assert.deepEqual(found, []);
  assert.ok(windowsOnly.test('Get-CimInstance -ClassName x'), 'the scan can fail');
});

test('no Add-Type anywhere: nothing is compiled on the host', () => {
  assert.doesNotMatch(RUNTIME_TEXT, /Add-Type/);
});

test('the lab implements exactly the primitives the engine and the revert logic call', () => {
  const used = definedFunctions(WINDOWS_PRIMITIVES).filter((f) => calls(ENGINE, f) || calls(REVERT_LOGIC, f)).sort();
  assert.ok(used.includes('Read-RegKey') && used.includes('Read-Events'));
  assert.deepEqual([...LAB_PRIMITIVE_NAMES].sort(), used);
});

test('the PowerShell we ship and run stays within 1,000 lines in all', () => {
  const dirs = [new URL('../../src/host/runtime/', import.meta.url), new URL('../../src/lab/runtime/', import.meta.url)];
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ps1')).map((f) => new URL(f, d)));
  const lines = files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length, 0) + BOOTSTRAP_SCRIPT.split('\n').length;
  assert.ok(files.length >= 4, 'windows.ps1, engine.ps1, revert.ps1, lab-primitive.ps1');
  assert.ok(lines <= 1000, `${lines} lines of PowerShell`);
});

test('review points that only a reading can check: the SID principal, CIM error names, what is never swallowed', () => {
  // The revert task runs as S-1-5-18: the name SYSTEM does not resolve on some localized Windows.
  assert.match(WINDOWS_PRIMITIVES, /New-ScheduledTaskPrincipal -UserId 'S-1-5-18'/);
  assert.doesNotMatch(WINDOWS_PRIMITIVES, /-UserId 'SYSTEM'/);
  // CimException.NativeErrorCode names the missing method MethodNotFound.
  assert.match(ENGINE, /MethodNotFound = 'NotSupported'/);
  // Only ServiceController's own timeout is taken for "not yet"; any other exception propagates.
  assert.match(WINDOWS_PRIMITIVES, /catch \[System\.ServiceProcess\.TimeoutException\] \{ \}/);
  // A missing file is NotFound by exception type, never Test-Path (false on access denied too).
  assert.doesNotMatch(WINDOWS_PRIMITIVES + ENGINE, /Test-Path -LiteralPath \$full/);
  assert.match(WINDOWS_PRIMITIVES, /catch \[Management\.Automation\.ItemNotFoundException\] \{ return \$null \}/);
});
