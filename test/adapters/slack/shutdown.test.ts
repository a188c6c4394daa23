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
  let stoppedAt = 0;
  child.stdout.on('data', () => {
    if (!stoppedAt && out.includes('stopped\n')) stoppedAt = performance.now();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, out);
  assert.match(out, /^stopped$/m);
  const lingerMs = performance.now() - stoppedAt;
  assert.ok(lingerMs < 3_000, `exited ${Math.round(lingerMs)} ms after stopping`);
});
