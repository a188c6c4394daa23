// The adapter on the real Bolt in HTTP mode against signed requests: commands, clicks and mentions
// answered 200 at once and handed to the bot; bad signatures and stale timestamps get 401 and never
// reach the bot; malformed payloads neither crash the process nor reach the bot.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAKE_BOT_TOKEN } from '../../fakes/slack/index.ts';
import { appMentionCallback, blockActionsPayload, formBody, payloadBody, slashCommandPayload } from '../../fakes/slack/payloads.ts';
import { sendSigned } from '../../fakes/slack/signed.ts';
import { SIGNING_SECRET, startHarness, trackUnhandledRejections, type Harness } from './harness.ts';

const rejections = trackUnhandledRejections();
after(() => {
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

describe('slack adapter, HTTP mode', () => {
  let h: Harness;
  let url: string;
  const send = (body: string, opts: Partial<Parameters<typeof sendSigned>[2]> = {}) => sendSigned(url, body, { secret: SIGNING_SECRET, ...opts });

  before(async () => {
    h = await startHarness('http', { usergroups: [{ id: 'S0RESP', handle: 'rdp-responders', users: ['U0USER'] }] });
    url = h.adapter.eventsUrl ?? '';
  });
  after(async () => h.close());
  afterEach(() => {
    h.inbound.handler = async () => {};
  });

  test('listens on the requested address; the events URL is /slack/events', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
    assert.equal(h.fake.callsTo('auth.test').length, 1);
  });

  test('a signed slash command: 200 with an empty body, then the command reaches the bot', async () => {
    const res = await send(formBody(slashCommandPayload({ text: 'check work-pc', channelId: 'C0OPS' })));
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    const e = await h.inbound.next((x) => x.kind === 'command' && x.text === 'check work-pc');
    assert.deepEqual(e.user, { platform: 'slack', id: 'U0USER', name: 'alice', groups: ['S0RESP'] });
    assert.deepEqual(e.where, { platform: 'slack', channel: 'C0OPS', rootMessageId: null, threadId: null, handle: null });
  });

  test('the HTTP answer (the ack) arrives while the bot is still busy with the command', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let handled = false;
    h.inbound.handler = async (e) => {
      if (e.kind === 'command' && e.text === 'status slow-pc') {
        await gate;
        handled = true;
      }
    };
    // If the ack waited for the bot, this request would time out: the bot waits for the response.
    const res = await send(formBody(slashCommandPayload({ text: 'status slow-pc' })), { timeoutMs: 2_500 });
    assert.equal(res.status, 200);
    await h.inbound.next((e) => e.kind === 'command' && e.text === 'status slow-pc');
    assert.equal(handled, false);
    release();
  });

  test('a signed button click: 200, then an action in its message and thread', async () => {
    const res = await send(payloadBody(blockActionsPayload({ actionId: 'undo:work-pc:u-abcdefgh', messageTs: '1700000004.000100' })));
    assert.equal(res.status, 200);
    const e = await h.inbound.next((x) => x.kind === 'action');
    assert.equal(e.kind, 'action');
    assert.equal(e.kind === 'action' && e.actionId, 'undo:work-pc:u-abcdefgh');
    assert.equal(e.kind === 'action' && e.messageId, '1700000004.000100');
    assert.deepEqual(e.where, { platform: 'slack', channel: 'C0CHAN', rootMessageId: '1700000004.000100', threadId: '1700000004.000100', handle: null });
  });

  test('a signed app_mention event: 200, then a command without the mention', async () => {
    const res = await send(JSON.stringify(appMentionCallback({ text: '<@U0BOT> history work-pc', ts: '1700000020.000100' }, 'Ev77')), { contentType: 'application/json' });
    assert.equal(res.status, 200);
    const e = await h.inbound.next((x) => x.kind === 'command' && x.text === 'history work-pc');
    // users.info does not know U0USER in this fake: the id stands in for the name.
    assert.equal(e.user.name, 'U0USER');
    assert.deepEqual(e.where, { platform: 'slack', channel: 'C0CHAN', rootMessageId: null, threadId: null, handle: null });
  });

  test('Slack URL verification is answered with the challenge', async () => {
    const res = await send(JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'abc123' }), { contentType: 'application/json' });
    assert.equal(res.status, 200);
    assert.match(res.body, /abc123/);
  });

  test('a bad signature, a stale timestamp and a missing signature get 401 and never reach the bot', async () => {
    const before = h.inbound.events.length;
    const body = formBody(slashCommandPayload({ text: 'fix work-pc nla-off' }));
    assert.equal((await send(body, { wrongSecret: 'not-the-secret' })).status, 401);
    assert.equal((await send(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })).status, 401);
    assert.equal((await send(body, { unsigned: true })).status, 401);
    // A later valid request proves the bot is reachable and that the refused ones were not queued.
    assert.equal((await send(formBody(slashCommandPayload({ text: 'marker-after-401' })))).status, 200);
    await h.inbound.next((x) => x.kind === 'command' && x.text === 'marker-after-401');
    assert.equal(h.inbound.events.length, before + 1);
  });

  test('malformed payloads are refused or dropped; the process carries on and the bot sees none', async () => {
    const before = h.inbound.events.length;
    const statuses = [
      (await send('payload=%7Bnot-json')).status,
      (await send(payloadBody({ type: 'block_actions', user: { id: 'U0USER' }, actions: [{ action_id: 'approve:a_1' }] }))).status,
      (await send(payloadBody({ type: 'block_actions', actions: [{ action_id: 'approve:a_1' }] }))).status,
      (await send(formBody({ command: '/rdp', text: 'check x' }))).status,
    ];
    // Nothing is a success that reaches the bot; Bolt answers what it cannot parse with an error status.
    assert.equal(statuses[0] !== undefined && statuses[0] >= 400, true, `garbage JSON: ${statuses[0]}`);
    assert.equal(statuses[1], 200, 'routable click without channel/message: acked, then dropped');
    assert.equal(statuses[3], 200, 'routable command without user/channel: acked, then dropped');
    assert.equal((await send(formBody(slashCommandPayload({ text: 'marker-after-garbage' })))).status, 200);
    await h.inbound.next((x) => x.kind === 'command' && x.text === 'marker-after-garbage');
    assert.equal(h.inbound.events.length, before + 1, JSON.stringify(h.inbound.events.slice(before)));
  });

  test('nothing logged contains the token or the signing secret', () => {
    const text = JSON.stringify(h.log);
    assert.equal(text.includes(FAKE_BOT_TOKEN), false);
    assert.equal(text.includes(SIGNING_SECRET), false);
  });
});
