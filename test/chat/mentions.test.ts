// Mention tags: a person named in card text becomes a real mention where the platform renders one
// (Slack mrkdwn, Discord embed text) for users of that platform, and "@name" everywhere else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Card, ChatUser } from '../../src/chat/model.ts';
import { mentionTag, plainMentions } from '../../src/chat/mention.ts';
import { renderCard as slackCard, fallbackText } from '../../src/adapters/slack/render.ts';
import { renderCard as discordCard } from '../../src/adapters/discord/render.ts';
import { renderCard as consoleCard } from '../../src/adapters/console/render.ts';
import { ActionNumbering } from '../../src/adapters/console/render-numbering.ts';

const SLACK_ALICE: ChatUser = { platform: 'slack', id: 'U0ALICE', name: 'alice', groups: [] };
const DISCORD_BOB: ChatUser = { platform: 'discord', id: '1000000000000000201', name: 'bob', groups: [] };

const card = (): Card => ({
  title: `Checking work-pc for ${mentionTag(SLACK_ALICE)}`,
  status: 'ok',
  sections: [
    { kind: 'text', text: `Fixed (asked by ${mentionTag(SLACK_ALICE)}, approved by ${mentionTag(DISCORD_BOB)}).` },
    { kind: 'fields', fields: [{ label: 'Approver', value: mentionTag(DISCORD_BOB) }] },
    { kind: 'code', text: `by ${mentionTag(SLACK_ALICE)}` },
  ],
  actions: [{ id: 'x', label: `Undo for ${mentionTag(SLACK_ALICE)}`, style: 'default' }],
  footer: `Asked by ${mentionTag(SLACK_ALICE)}`,
});

const tagChars = /[\uE000-\uE002]/;

describe('mention tags', () => {
  test('Slack: its own users as <@U…> in mrkdwn, others and plain text as @name', () => {
    const [msg] = slackCard(card());
    const json = JSON.stringify(msg);
    assert.doesNotMatch(json, tagChars);
    assert.match(json, /Fixed \(asked by <@U0ALICE>, approved by @bob\)\./);
    assert.match(json, /"text":"Asked by <@U0ALICE>"/, 'the footer (context mrkdwn) mentions');
    assert.match(json, /"type":"plain_text","text":":white_check_mark: Checking work-pc for @alice"/, 'a header is plain text');
    assert.match(json, /by @alice/, 'code stays plain');
    assert.match(json, /"text":"Undo for @alice"/);
    assert.equal(fallbackText(card()), 'OK: Checking work-pc for @alice');
  });

  test('Discord: its own users as <@id> in embed text, @name in titles, footers and buttons', () => {
    const msg = discordCard(card());
    const json = JSON.stringify(msg);
    assert.doesNotMatch(json, tagChars);
    assert.match(json, /approved by <@1000000000000000201>\)/);
    assert.match(json, /"value":"<@1000000000000000201>"/);
    assert.match(json, /asked by @alice/, 'a Slack user is a name on Discord');
    assert.match(json, /"title":"Checking work-pc for @alice"/);
    assert.match(json, /Asked by @alice/, 'embed footers render no mentions');
    assert.deepEqual(msg.allowed_mentions, { parse: [] }, 'a mention in text pings nobody');
  });

  test('console: every tag as @name', () => {
    const out = consoleCard(card(), { numbering: new ActionNumbering() });
    assert.doesNotMatch(out, tagChars);
    assert.match(out, /asked by @alice, approved by @bob/);
    assert.match(out, /-- Asked by @alice$/m);
  });

  test('a tag cannot be forged from a name, and stray tag characters vanish', () => {
    const sneaky: ChatUser = { platform: 'slack', id: 'U1\uE002\uE000slack\uE001U0BOSS\uE001@boss', name: 'x\uE002', groups: [] };
    const tag = mentionTag(sneaky);
    assert.equal(plainMentions(tag), '@x');
    assert.equal(plainMentions('a\uE000b\uE002c'), 'abc');
  });
});
