// PowerShell cannot run here: parse the runtime and the bootstrap with tree-sitter-powershell,
// scan for syntax newer than Windows PowerShell 5.1, and check the dispatch table against the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP_SCRIPT } from '../../src/host/bootstrap.ts';
import { Operation, WRITE_OPS } from '../../src/host/operations.ts';
import { RUNTIME_HEADER_RE, RUNTIME_TEXT, RUNTIME_VERSION } from '../../src/host/runtime.ts';
import { syntaxProblems } from './ps-parse.ts';
import { codeOnly, ps7Findings } from './ps7-scan.ts';

test('runtime.ps1 parses without ERROR or MISSING nodes', async () => {
  const problems = await syntaxProblems(RUNTIME_TEXT);
  assert.deepEqual(problems, [], `runtime.ps1 syntax problems:\n${problems.join('\n')}`);
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
  assert.deepEqual(ps7Findings(RUNTIME_TEXT), [], 'runtime.ps1');
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
  assert.match(RUNTIME_TEXT, /^param\(\[string\]\$PlanJson\)$/m);
  assert.match(RUNTIME_TEXT, new RegExp(`\\$RuntimeVersion = '${RUNTIME_VERSION.replace(/\./g, '\\.')}'`));
});

function contractOpNames(): string[] {
  return Operation.options.map((o) => String(o.shape.op.value)).sort();
}

function dispatchTable(): Map<string, string> {
  const block = /# region dispatch[\s\S]*?\$Handlers = @\{([\s\S]*?)\}\s*\r?\n# endregion dispatch/.exec(RUNTIME_TEXT)?.[1];
  assert.ok(block, 'runtime.ps1 has a "# region dispatch" block with $Handlers');
  return new Map([...block.matchAll(/'([\w.]+)'\s*=\s*'([\w-]+)'/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

test('every contract operation has a dispatch entry, and every entry is a contract operation', () => {
  const table = dispatchTable();
  const ops = contractOpNames();
  assert.equal(ops.length, 26);
  assert.deepEqual([...table.keys()].sort(), ops);
});

test('every dispatch entry names a function the runtime defines', () => {
  for (const [op, fn] of dispatchTable()) {
    assert.match(RUNTIME_TEXT, new RegExp(`^function ${fn}\\(`, 'm'), `${op} -> ${fn} is not defined`);
  }
});

test("the runtime's write-op list equals WRITE_OPS", () => {
  const list = /\$WriteOps = @\(([\s\S]*?)\)/.exec(RUNTIME_TEXT)?.[1] ?? '';
  const names = [...list.matchAll(/'([\w.]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(names, [...WRITE_OPS].sort());
});
