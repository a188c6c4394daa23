// Payload parsing without Slack: mentions stripped, clicks mapped to their message and thread,
// malformed payloads dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandInbound, parseClick, parseMention, stripMention } from '../../../src/adapters/slack/inbound.ts';
import { blockActionsPayload, slashCommandPayload } from '../../fakes/slack/payloads.ts';

describe('slack inbound parsing', () => {
  test('stripMention: the bot mention and an optional leading rdp word go; other mentions stay', () => {
    assert.equal(stripMention('<@U0BOT> check work-pc', 'U0BOT'), 'check work-pc');
    assert.equal(stripMention('<@U0BOT|rdp-medic>   rdp check work-pc', 'U0BOT'), 'check work-pc');
    assert.equal(stripMention('<@U0BOT> /rdp hosts', 'U0BOT'), 'hosts');
    assert.equal(stripMention('<@U0OTHER> check work-pc', 'U0BOT'), '<@U0OTHER> check work-pc');
    assert.equal(stripMention('<@U0BOT> rdpcheck', 'U0BOT'), 'rdpcheck');
  });

  test('a slash command: text trimmed, user and channel; no thread yet', () => {
    const e = commandInbound(slashCommandPayload({ text: '  check work-pc ' }), ['S1'], 't');
    assert.deepEqual(e, {
      kind: 'command', text: 'check work-pc', receivedAt: 't',
      user: { platform: 'slack', id: 'U0USER', name: 'alice', groups: ['S1'] },
      where: { platform: 'slack', channel: 'C0CHAN', rootMessageId: null, threadId: null, handle: null },
    });
    assert.equal(commandInbound({ command: '/rdp', text: 'x' }, [], 't'), null);
  });

  test('a click on a root message is in the root thread; on a reply, in the reply thread', () => {
    assert.deepEqual(parseClick(blockActionsPayload({ actionId: 'approve:a_1', messageTs: '1.2' })), {
      actionId: 'approve:a_1', userId: 'U0USER', userName: 'alice', channel: 'C0CHAN', messageTs: '1.2', threadTs: '1.2',
    });
    assert.equal(parseClick(blockActionsPayload({ actionId: 'x', messageTs: '1.3', threadTs: '1.2' }))?.threadTs, '1.2');
  });

  test('malformed clicks and mentions are dropped', () => {
    assert.equal(parseClick({ type: 'block_actions', user: { id: 'U' }, actions: [] }), null);
    assert.equal(parseClick({ type: 'block_actions', actions: [{ action_id: 'a' }] }), null);
    assert.equal(parseClick('garbage'), null);
    assert.equal(parseClick({ ...blockActionsPayload({ actionId: 'a' }), channel: undefined, container: undefined }), null);
    assert.equal(parseMention({ type: 'app_mention', text: 'x' }), null);
  });
});
