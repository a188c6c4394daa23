// Payload parsing without Slack: mentions stripped, clicks mapped to their message and thread,
// malformed payloads dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandInbound, deliveryIdOf, parseClick, parseMention, placeRefusal, stripMention, teamsOf } from '../../../src/adapters/slack/inbound.ts';
import { MAX_FUTURE_SKEW_S, secondsAhead } from '../../../src/adapters/slack/adapter.ts';
import { appMentionCallback, blockActionsPayload, slashCommandPayload } from '../../fakes/slack/payloads.ts';

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

  test('where a payload comes from: its workspace (and organization) ids, and Slack\'s id of the delivery', () => {
    const command = slashCommandPayload({ text: 'x', teamId: 'T0OURS' });
    assert.deepEqual(teamsOf(command), ['T0OURS']);
    assert.deepEqual(teamsOf({ ...blockActionsPayload({ actionId: 'a', teamId: 'T0OURS' }), enterprise: { id: 'E0ORG' } }), ['T0OURS', 'E0ORG']);
    assert.deepEqual(teamsOf(appMentionCallback({ text: 'x' })), ['T0001']);
    assert.deepEqual(teamsOf('garbage'), []);
    // In a channel shared with another company, the payload's workspace is ours; the person's is theirs.
    assert.deepEqual(teamsOf({ ...blockActionsPayload({ actionId: 'a', teamId: 'T0OURS' }), user: { id: 'U0EXT', team_id: 'T0THEIRS' } }), ['T0THEIRS']);
    assert.deepEqual(teamsOf({ ...appMentionCallback({ text: 'x' }), event: { type: 'app_mention', user_team: 'T0THEIRS' } }), ['T0THEIRS']);
    assert.equal(deliveryIdOf(command), command.trigger_id);
    assert.equal(deliveryIdOf(appMentionCallback({ text: 'x' }, 'Ev42')), 'Ev42');
    assert.equal(deliveryIdOf({ trigger_id: 'x'.repeat(201) }), undefined, 'bounded');
  });

  test('the workspace and channel allow-list', () => {
    const places = { teams: ['T0OURS', 'E0ORG'], channels: ['C0OPS'] };
    assert.equal(placeRefusal(['T0OTHER'], 'C0OPS', places), 'rdp-medic does not answer in this workspace.');
    assert.equal(placeRefusal([], 'C0OPS', places), 'rdp-medic does not answer in this workspace.', 'no workspace named: not ours');
    assert.equal(placeRefusal(['T0OURS'], 'C0ELSE', places), 'rdp-medic does not answer in this channel; use <#C0OPS>.');
    assert.equal(placeRefusal(['T0OURS'], 'C0OPS', places), null);
    assert.equal(placeRefusal(['T0WORKSPACE', 'E0ORG'], 'C0OPS', places), null, 'another workspace of our organization');
    assert.equal(placeRefusal(['T0OURS'], 'C0ELSE', { teams: ['T0OURS'], channels: null }), null, 'every channel when none are listed');
  });

  test('a signed request\'s timestamp: how far it lies ahead of our clock', () => {
    const now = 1_700_000_000_000;
    assert.equal(secondsAhead({ headers: { 'x-slack-request-timestamp': String(now / 1000 + 300) } }, now), 300);
    assert.equal(secondsAhead({ headers: { 'x-slack-request-timestamp': String(now / 1000 - 10) } }, now), -10);
    assert.equal(secondsAhead({ headers: {} }, now), null);
    assert.equal(secondsAhead({ headers: { 'x-slack-request-timestamp': '1e9' } }, now), null);
    assert.equal(MAX_FUTURE_SKEW_S, 60);
  });
});
