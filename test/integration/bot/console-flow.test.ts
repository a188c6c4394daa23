// The whole flow through the console chat: alice checks work-pc (expired RDP certificate), asks for
// the fix, cannot approve it herself (four-eyes), bob approves, the fix runs and is verified from
// outside, and the undo button, once approved, restores the host. Real Redis, real lab, real WinRM.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { ConsoleAdapter } from '../../../src/adapters/console/adapter.ts';
import { startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
const input = new PassThrough();
const output = new PassThrough();
let text = '';
output.on('data', (d: Buffer) => (text += d.toString()));
// The adapter calls whenSettled after each line it handled: the test waits on that event.
const lines = new EventEmitter();
let console: ConsoleAdapter;

before(async () => {
  console = new ConsoleAdapter({
    input,
    output,
    echo: true,
    whenSettled: async () => {
      await stack.settled();
      lines.emit('settled');
    },
  });
  stack = await startStack([console]);
});
after(async () => {
  input.end();
  await stack.close();
});

/**
 * Types a line; returns the output it produced once the adapter has handled it and the work it
 * started has settled. Lines that start no work end on their own output: "/as" on "(you are now",
 * a button with a confirm dialog on the question ("[y] ...").
 */
async function type(line: string): Promise<string> {
  const start = text.length;
  const handled = new Promise<void>((resolve) => {
    const done = (): void => {
      lines.off('settled', done);
      output.off('data', onOutput);
      resolve();
    };
    const onOutput = (): void => {
      if (/\(you are now |\[y\] /.test(text.slice(start))) done();
    };
    lines.on('settled', done);
    output.on('data', onOutput);
  });
  input.write(`${line}\n`);
  await handled;
  // Output written during the last delivery reaches 'data' on a later tick of the stream.
  await new Promise((r) => setImmediate(r));
  return text.slice(start);
}

function buttonNumber(out: string, label: RegExp): string {
  const line = out.split('\n').find((l) => /\[\d+\]/.test(l) && label.test(l));
  assert.ok(line, `no button matching ${label} in:\n${out}`);
  return /\[(\d+)\]/.exec(line)![1]!;
}

test('check, request, refused self-approval, approval, verified fix, undo', async () => {
  const check = await type('check work-pc');
  assert.match(check, /Checking work-pc for @alice/);
  assert.match(check, /\(updated m1\)/);
  assert.match(check, /certificate/i);
  const propose = buttonNumber(check, /regenerate|certificate/i);

  const requested = await type(propose);
  assert.match(requested, /Approve/);
  const approve = buttonNumber(requested, /\[\d+\] Approve/);

  const self = await type(approve);
  // alice responds but does not approve (the lab policy): refused, to her alone, nothing runs.
  assert.match(self, /@alice may not approve safe fixes/);
  assert.doesNotMatch(self, /applied/i);
  assert.match(self, /only alice sees this/);

  await type('/as bob');
  let approved = await type(approve);
  if (/confirm/i.test(approved) && !/Applied/.test(approved)) approved += await type('y');
  assert.match(approved, /applied on .* and verified/i, approved);
  const undo = buttonNumber(approved, /Undo/);

  // An undo is a fix: it asks for approval first (bob may approve this safe one himself).
  let undoRequested = await type(undo);
  if (/\[y\] Undo/.test(undoRequested)) undoRequested += await type('y');
  assert.match(undoRequested, /@bob asks to undo .* on work-pc/);
  assert.doesNotMatch(undoRequested, /undone/);
  let undone = await type(buttonNumber(undoRequested, /\[\d+\] Approve/));
  if (!/undone and verified/.test(undone)) undone += await type('y');
  assert.match(undone, /undone and verified/, undone);
  // The host is back as it was: the expired certificate is what the listener presents again.
  assert.match(undone, /certificate expired/);

  // The audit trail names who asked, who approved, the plan and the outcome.
  const kinds = (await stack.bot!.state.audit.historyOf('work-pc', 50)).map((e) => `${e.kind}:${e.actor}`);
  for (const expected of ['command:console:alice', 'decision:console:bob', 'plan:worker', 'result:worker', 'verification:worker']) {
    assert.ok(kinds.some((k) => k.startsWith(expected)), `${expected} missing from ${kinds.join(', ')}`);
  }
});
