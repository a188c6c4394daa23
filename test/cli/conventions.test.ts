// The CLI's own conventions as a process: --version from package.json, the exit codes in --help, and
// a command line commander cannot parse is a usage error (2), not "problem found" (1).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rdp-medic.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--version prints the version in package.json and exits 0', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await run([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('--help states the exit codes', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Exit codes[^\n]*\n +0 +ok[^\n]*\n +1 +problem found[^\n]*\n +2 +usage or configuration error[^\n]*\n +3 +the host could not be reached, or the command failed/);
});

test('an unknown command, option or missing argument exits 2 (usage), not 1', async () => {
  for (const args of [['chek', 'work-pc'], ['check', '--bogus', 'work-pc'], ['check'], ['undo', 'work-pc']]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /error: /);
  }
});

test('no configuration is a usage error (2)', async () => {
  const r = await run(['facts', 'work-pc']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no configuration: pass --config FILE/);
});
