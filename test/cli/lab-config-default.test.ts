// `rdp-medic lab` without --config-out: its configuration (which holds the lab password) goes to a
// private directory outside the working directory, says where on stderr, and goes away with the lab;
// a lab.yaml written into a checkout anyway is ignored by git.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rdp-medic.js');

test('lab writes its configuration under $XDG_RUNTIME_DIR/rdp-medic (0600), not the working directory, and removes it when it stops', async () => {
  const runtime = mkdtempSync(join(tmpdir(), 'rdp-medic-xdg-'));
  const cwd = mkdtempSync(join(tmpdir(), 'rdp-medic-cwd-'));
  const lab = spawn(process.execPath, [BIN, 'lab', '--scenario', 'healthy'], { cwd, env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
  try {
    let stderr = '';
    lab.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
    // The first host line on stdout: the lab is up, its configuration written.
    await new Promise<void>((resolve) => lab.stdout.once('data', () => resolve()));
    const file = join(runtime, 'rdp-medic', `lab-${lab.pid}.yaml`);
    assert.ok(existsSync(file), `no ${file}; stderr: ${stderr}`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(runtime, 'rdp-medic')).mode & 0o777, 0o700);
    const yaml = readFileSync(file, 'utf8');
    assert.match(yaml, /\n {2}healthy:\n/);
    assert.match(yaml, /password:/);
    assert.deepEqual(readdirSync(cwd), [], 'nothing written to the working directory');
    lab.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, new RegExp(`configuration for --config: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`), 'the path is said');
    assert.equal(existsSync(file), false, 'the password file is gone with the lab');
  } finally {
    if (lab.exitCode === null) lab.kill('SIGKILL');
    rmSync(runtime, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('a lab.yaml (and its lab-ca.pem) in the checkout is ignored by git', () => {
  for (const f of ['lab.yaml', 'lab-ca.pem']) assert.equal(execFileSync('git', ['check-ignore', f], { cwd: ROOT, encoding: 'utf8' }).trim(), f);
});
