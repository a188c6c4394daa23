// Graceful shutdown: in a child process for real signals and exit codes, in-process for the
// programmatic form. Every wait is on an event (a line of output, the child's exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/ops/logger.ts';
import { onShutdown } from '../../src/ops/shutdown.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves when stdout has printed `text` as a whole line. */
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(scenario: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: { ...process.env, SHUTDOWN_CASE: scenario, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { text: string; done: () => void }[] = [];
  let buffered = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.text === line)) w.done();
    }
  });
  // 'close', not 'exit': it comes after stdout has been read to the end.
  const exited = once(proc, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    proc,
    lines,
    exited,
    waitFor: (text) =>
      lines.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, done: resolve });
            void exited.then(() => reject(new Error(`child exited before printing "${text}"; stderr: ${stderr}`)));
          }),
  };
}

const messages = (lines: string[]): string[] =>
  lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

test('SIGTERM runs the steps in order, logs each, and exits 0', { timeout: 30_000 }, async () => {
  const child = start('clean');
  await child.waitFor('ready');
  child.proc.kill('SIGTERM');
  const { code } = await child.exited;
  assert.equal(code, 0);
  assert.deepEqual(messages(child.lines), [
    'shutdown: starting',
    'shutdown: stop-intake done',
    'shutdown: drain done',
    'shutdown: close-redis done',
    'shutdown: complete',
  ]);
  const first = JSON.parse(child.lines.find((l) => l.includes('shutdown: starting'))!) as { reason: string; steps: string[] };
  assert.equal(first.reason, 'SIGTERM');
  assert.deepEqual(first.steps, ['stop-intake', 'drain', 'close-redis']);
});

test('SIGINT works the same; a failing step is logged (scrubbed), the rest still run, exit 1', { timeout: 30_000 }, async () => {
  const child = start('failing');
  await child.waitFor('ready');
  child.proc.kill('SIGINT');
  const { code } = await child.exited;
  assert.equal(code, 1);
  assert.deepEqual(messages(child.lines), [
    'shutdown: starting',
    'shutdown: stop-intake done',
    'shutdown: drain failed',
    'shutdown: close-redis done',
    'shutdown: finished with errors',
  ]);
  assert.ok(!child.lines.join('\n').includes('secretsecret'), 'the error message was scrubbed');
});

test('a step that hangs past the budget is cut off, later steps are skipped, exit 1', { timeout: 30_000 }, async () => {
  const child = start('timeout');
  await child.waitFor('ready');
  child.proc.kill('SIGTERM');
  const { code } = await child.exited;
  assert.equal(code, 1);
  const msgs = messages(child.lines);
  assert.deepEqual(msgs.slice(0, 2), ['shutdown: starting', 'shutdown: stop-intake done']);
  assert.match(msgs[2] ?? '', /^shutdown: drain did not finish within \d+ ms$/);
  assert.deepEqual(msgs.slice(3), ['shutdown: close-redis skipped, out of time', 'shutdown: finished with errors']);
});

test('a second signal forces the exit while a step hangs', { timeout: 30_000 }, async () => {
  const child = start('hang');
  await child.waitFor('ready');
  child.proc.kill('SIGTERM');
  await child.waitFor('hanging');
  child.proc.kill('SIGTERM');
  const { code } = await child.exited;
  assert.equal(code, 1);
  const msgs = messages(child.lines);
  assert.equal(msgs.at(-1), 'shutdown: second SIGTERM, exiting now');
  assert.ok(!msgs.includes('shutdown: close-redis done'));
});

test('shutdown(reason) with exit: false runs once, resolves with the result and leaves the process alive', async () => {
  const out: string[] = [];
  const logger = createLogger({
    name: 'inproc',
    destination: new Writable({
      write(c: Buffer, _e, done) {
        out.push(c.toString());
        done();
      },
    }),
  });
  const ran: string[] = [];
  const before = process.listenerCount('SIGTERM');
  const shutdown = onShutdown(
    logger,
    [
      { name: 'a', run: async () => void ran.push('a') },
      { name: 'b', run: async () => void ran.push('b') },
    ],
    { exit: false },
  );
  assert.equal(process.listenerCount('SIGTERM'), before + 1);
  const [r1, r2] = await Promise.all([shutdown('end of input'), shutdown('again')]);
  assert.deepEqual(r1, { ok: true, code: 0, reason: 'end of input' });
  assert.equal(r2, r1, 'a second call gets the same run');
  assert.deepEqual(ran, ['a', 'b']);
  assert.equal(process.listenerCount('SIGTERM'), before, 'signal handlers removed afterwards');
  assert.match(out.join(''), /"reason":"end of input".*"msg":"shutdown: starting"/);
});

test('with exit: false a failed step gives code 1', async () => {
  const logger = createLogger({ name: 'inproc', level: 'silent' });
  const shutdown = onShutdown(logger, [{ name: 'boom', run: () => Promise.reject(new Error('no')) }], { exit: false, signals: [] });
  assert.deepEqual(await shutdown('test'), { ok: false, code: 1, reason: 'test' });
});
