// stop() leaves no open handles: a child process that ran both modes and stopped must exit by
// itself, well before its watchdog (which would report what was still open).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('after stop() and the fake closing, the process exits on its own (both modes)', async () => {
  const script = fileURLToPath(new URL('./exit-check.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXIT_GRACE_MS: '8000' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  // A handle left open keeps the child alive until its watchdog exits 3 and names the handle: the
  // exit code says it, whatever the machine's speed.
  assert.equal(code, 0, out);
  assert.match(out, /^stopped$/m);
});
