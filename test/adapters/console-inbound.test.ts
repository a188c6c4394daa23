// The console's inbound: what each kind of typed line becomes, without a screen or a bot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CardAction } from '../../src/chat/model.ts';
import { MAX_LINE_CHARS, readLine, toInbound, consoleUser, type ButtonLookup } from '../../src/adapters/console/inbound.ts';

const approve: CardAction = { id: 'approve:a_1', label: 'Approve', style: 'primary' } as CardAction;
const screen: ButtonLookup = {
  button: (n) => (n === 1 ? { actionId: approve.id, messageId: 'm7', action: approve } : n === 2 ? 'gone' : null),
  numberOfLabel: (words) => (/^approve/i.test(words) ? 1 : -1),
};

describe('console inbound', () => {
  it('a command, with or without /rdp, becomes a command Inbound in the channel', () => {
    for (const raw of ['check work-pc', '/rdp check work-pc', '  /check work-pc ']) {
      const line = readLine(raw, screen);
      assert.deepEqual(line, { kind: 'command', text: 'check work-pc' }, raw);
      const inbound = toInbound(line as Extract<typeof line, { kind: 'command' }>, consoleUser('bob', ['ops']), 'T');
      assert.deepEqual(inbound, { kind: 'command', text: 'check work-pc', user: { platform: 'console', id: 'bob', name: 'bob', groups: ['ops'] }, where: { platform: 'console', channel: 'console', rootMessageId: null, threadId: null, handle: null }, receivedAt: 'T' });
    }
  });

  it('a press by number or by label is an action in the pressed message\'s thread', () => {
    for (const raw of ['1', '/click 1', '/click Approve']) {
      const line = readLine(raw, screen);
      assert.equal(line.kind, 'press', raw);
      const inbound = toInbound(line as Extract<typeof line, { kind: 'press' }>, consoleUser('bob', []), 'T');
      assert.equal(inbound.kind, 'action');
      assert.deepEqual(inbound.kind === 'action' && [inbound.actionId, inbound.messageId, inbound.where.threadId], ['approve:a_1', 'm7', 'm7']);
    }
  });

  it('what the screen answers itself never reaches the bot', () => {
    assert.deepEqual(readLine('2', screen), { kind: 'notice', text: '(button [2] is gone: its message was updated)' });
    assert.match((readLine('9', screen) as { text: string }).text, /there is no button \[9\]/);
    assert.match((readLine('/click Deny', screen) as { text: string }).text, /no button says "Deny"/);
    assert.match((readLine('/as a b', screen) as { text: string }).text, /^usage: \/as NAME/);
    assert.deepEqual(readLine('/as carol', screen), { kind: 'as', user: 'carol' });
    assert.deepEqual(readLine('# a comment', screen), { kind: 'ignore' });
    assert.deepEqual(readLine('   ', screen), { kind: 'ignore' });
    const long = readLine(`check ${'x'.repeat(MAX_LINE_CHARS)}`, screen);
    assert.equal(long.kind, 'notice');
    assert.match((long as { text: string }).text, /the limit is 4000\. Nothing was sent/);
  });
});
