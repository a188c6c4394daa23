// The adapter on the real Bolt in Socket Mode against the fake: commands, clicks and mentions reach
// the bot acknowledged first, malformed envelopes are dropped, reconnects work, and start() fails
// cleanly (no unhandled rejection, no token in the message) when Slack refuses or never says hello.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inbound } from '../../../src/chat/model.ts';
import { createSlackAdapter } from '../../../src/adapters/slack/adapter.ts';
import { loadSlackSettings } from '../../../src/adapters/slack/settings.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack } from '../../fakes/slack/index.ts';
import { appMentionCallback, blockActionsPayload, slashCommandPayload } from '../../fakes/slack/payloads.ts';
import { captureLogger, startHarness, trackUnhandledRejections, type Harness } from './harness.ts';

const rejections = trackUnhandledRejections();
after(() => {
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

describe('slack adapter, Socket Mode', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('socket', {
      usergroups: [{ id: 'S0RESP', handle: 'rdp-responders', users: ['U0USER', 'U0BOB'] }, { id: 'S0APPR', handle: 'rdp-approvers', users: ['U0BOB'] }],
      users: { U0BOB: 'bob' },
    });
  });
  after(async () => h.close());
  afterEach(() => {
    h.inbound.handler = async () => {};
  });

  test('start used the bot token for auth.test and the app token for apps.connections.open', () => {
    assert.equal(h.adapter.platform, 'slack');
    assert.equal(h.adapter.botUserId, 'U0BOT');
    assert.equal(h.adapter.eventsUrl, null);
    assert.equal(h.fake.callsTo('auth.test').length, 1, 'one auth.test: ours; Bolt is given the ids');
    assert.equal(h.fake.callsTo('auth.test')[0]?.token, FAKE_BOT_TOKEN);
    assert.equal(h.fake.callsTo('apps.connections.open')[0]?.token, FAKE_APP_TOKEN);
  });

  test('a slash command is acked with an empty payload and reaches the bot with user, groups, channel and text', async () => {
    const payload = slashCommandPayload({ text: 'check work-pc', userId: 'U0BOB', userName: 'bob', channelId: 'C0OPS' });
    const { envelopeId } = h.fake.socket.send('slash_commands', payload);
    const ack = await h.fake.socket.waitForAck(envelopeId);
    assert.deepEqual(ack.payload, {});
    const e = await h.inbound.next((x) => x.kind === 'command' && x.user.id === 'U0BOB');
    assert.equal(e.kind, 'command');
    assert.deepEqual({ ...e, receivedAt: 'x' }, {
      kind: 'command', text: 'check work-pc', receivedAt: 'x', deliveryId: payload.trigger_id,
      user: { platform: 'slack', id: 'U0BOB', name: 'bob', groups: ['S0RESP', 'S0APPR'] },
      where: { platform: 'slack', channel: 'C0OPS', rootMessageId: null, threadId: null, handle: null },
    });
    assert.ok(!Number.isNaN(Date.parse(e.receivedAt)));
    const list = await h.fake.waitFor((c) => c.method === 'usergroups.list');
    assert.equal(list.args.include_users, 'true');
  });

  test('the ack reaches Slack while the bot is still busy with the command', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let handled = false;
    h.inbound.handler = async (e) => {
      if (e.kind === 'command' && e.text === 'status slow-pc') {
        await gate;
        handled = true;
      }
    };
    const { envelopeId } = h.fake.socket.send('slash_commands', slashCommandPayload({ text: 'status slow-pc' }));
    // If the adapter waited for the bot before acking, this would time out: the bot waits for us.
    await h.fake.socket.waitForAck(envelopeId, 3_000);
    await h.inbound.next((e) => e.kind === 'command' && e.text === 'status slow-pc');
    assert.equal(handled, false);
    release();
  });

  test('a button click becomes an action in the clicked message and its thread', async () => {
    const payload = blockActionsPayload({ actionId: 'approve:a_1234', userId: 'U0BOB', userName: 'bob', messageTs: '1700000009.000100', threadTs: '1700000001.000100' });
    const { envelopeId } = h.fake.socket.send('interactive', payload);
    assert.deepEqual((await h.fake.socket.waitForAck(envelopeId)).payload, {});
    const e = await h.inbound.next((x) => x.kind === 'action' && x.actionId === 'approve:a_1234');
    assert.deepEqual({ ...e, receivedAt: 'x' }, {
      kind: 'action', actionId: 'approve:a_1234', messageId: '1700000009.000100', receivedAt: 'x', deliveryId: payload.trigger_id,
      user: { platform: 'slack', id: 'U0BOB', name: 'bob', groups: ['S0RESP', 'S0APPR'] },
      where: { platform: 'slack', channel: 'C0CHAN', rootMessageId: '1700000001.000100', threadId: '1700000001.000100', handle: null },
    });
  });

  test('an @mention is a command in its channel (in its thread when written in one), with the name looked up', async () => {
    const { envelopeId } = h.fake.socket.send('events_api', appMentionCallback({ text: '<@U0BOT> check   work-pc', userId: 'U0BOB', threadTs: '1700000001.000100', ts: '1700000007.000100' }));
    await h.fake.socket.waitForAck(envelopeId);
    const e = await h.inbound.next((x) => x.kind === 'command' && x.text === 'check   work-pc');
    assert.deepEqual(e.user, { platform: 'slack', id: 'U0BOB', name: 'bob', groups: ['S0RESP', 'S0APPR'] });
    assert.deepEqual(e.where, { platform: 'slack', channel: 'C0CHAN', rootMessageId: '1700000001.000100', threadId: '1700000001.000100', handle: null });
    // The same event delivered again (a Slack retry) is handled once.
    const again = h.fake.socket.send('events_api', appMentionCallback({ text: '<@U0BOT> check   work-pc', userId: 'U0BOB', threadTs: '1700000001.000100', ts: '1700000007.000100' }));
    await h.fake.socket.waitForAck(again.envelopeId);
    const marker = h.fake.socket.send('slash_commands', slashCommandPayload({ text: 'marker-after-retry' }));
    await h.fake.socket.waitForAck(marker.envelopeId);
    await h.inbound.next((x) => x.kind === 'command' && x.text === 'marker-after-retry');
    assert.equal(h.inbound.events.filter((x) => x.kind === 'command' && x.text === 'check   work-pc').length, 1);
  });

  test('malformed envelopes and payloads are dropped without crashing and never reach the bot', async () => {
    const before = h.inbound.events.length;
    h.fake.socket.sendRaw('{not json');
    h.fake.socket.sendRaw(JSON.stringify({ type: 'slash_commands' }));
    const bad = [
      h.fake.socket.send('interactive', { type: 'block_actions', user: { id: 'U0USER' }, actions: [{ action_id: 'approve:a_1' }] }), // no channel or message
      h.fake.socket.send('interactive', { type: 'block_actions', user: { id: 'U0USER' }, actions: [] }),
      h.fake.socket.send('interactive', 'garbage'),
      h.fake.socket.send('slash_commands', { command: '/rdp', text: 'check x' }), // no user or channel
      h.fake.socket.send('events_api', { type: 'event_callback', event: { type: 'app_mention', text: 'x' } }),
    ];
    const marker = h.fake.socket.send('slash_commands', slashCommandPayload({ text: 'marker-after-garbage' }));
    await h.fake.socket.waitForAck(marker.envelopeId);
    const e = await h.inbound.next((x) => x.kind === 'command' && x.text === 'marker-after-garbage');
    assert.equal(h.inbound.events.length, before + 1, `only the marker arrived: ${JSON.stringify(h.inbound.events.slice(before))}`);
    assert.equal(e.kind, 'command');
    // Payloads Bolt could route were still acknowledged (Slack would otherwise retry them).
    await h.fake.socket.waitForAck(bad[0]?.envelopeId ?? '');
    await h.fake.socket.waitForAck(bad[3]?.envelopeId ?? '');
    assert.ok(h.log.some((l) => l.level === 'warn' && /malformed/.test(l.msg)));
  });

  test('a disconnect request from Slack: the client reconnects and commands keep arriving', async () => {
    const opened = h.fake.callsTo('apps.connections.open').length;
    h.fake.socket.sendDisconnect();
    await h.fake.waitFor((c) => c.method === 'apps.connections.open' && h.fake.callsTo('apps.connections.open').length > opened, { timeoutMs: 10_000 });
    // The old socket may still be closing; wait until only the new one is left.
    await h.fake.socket.waitForOpenSockets(1);
    assert.ok(h.fake.socket.connectionCount >= 2);
    const { envelopeId } = h.fake.socket.send('slash_commands', slashCommandPayload({ text: 'hosts' }));
    await h.fake.socket.waitForAck(envelopeId);
    await h.inbound.next((x) => x.kind === 'command' && x.text === 'hosts');
  });

  test('nothing logged contains a token', () => {
    const text = JSON.stringify(h.log);
    assert.equal(text.includes(FAKE_BOT_TOKEN), false);
    assert.equal(text.includes(FAKE_APP_TOKEN), false);
  });
});

describe('slack adapter, Socket Mode start failures', () => {
  test('auth.test refused: start() rejects naming the setting, without the token, and no unhandled rejection', async () => {
    const fake = await FakeSlack.start({ botToken: 'xoxb-a-different-token' });
    const { logger, lines } = captureLogger();
    const settings = loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl: fake.apiUrl }, {});
    const adapter = createSlackAdapter(settings, { logger, startTimeoutMs: 5_000 });
    const onInbound = async (_e: Inbound): Promise<void> => {};
    await assert.rejects(adapter.start(onInbound), (e: Error) => {
      assert.match(e.message, /auth\.test: invalid_auth.*SLACK_BOT_TOKEN/);
      assert.equal(e.message.includes(FAKE_BOT_TOKEN), false);
      return true;
    });
    await adapter.stop();
    await fake.close();
    assert.equal(JSON.stringify(lines).includes(FAKE_BOT_TOKEN), false);
  });

  test('Slack unreachable: start() rejects quickly (no retries keep the process alive)', async () => {
    const fake = await FakeSlack.start();
    const apiUrl = fake.apiUrl;
    await fake.close();
    const adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl }, {}), { startTimeoutMs: 5_000 });
    await assert.rejects(adapter.start(async () => {}), /could not be reached|auth\.test/);
    await adapter.stop();
  });

  test('no hello from the socket: start() gives up after startTimeoutMs and closes the socket', async () => {
    const fake = await FakeSlack.start();
    fake.socket.sendHello = false;
    const adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl: fake.apiUrl }, {}), { startTimeoutMs: 500 });
    await assert.rejects(adapter.start(async () => {}), /Socket Mode did not connect: .*did not finish within 500 ms/);
    await adapter.stop();
    await fake.close();
  });

  test('apps.connections.open refused (bad app token): start() rejects naming SLACK_APP_TOKEN', async () => {
    const fake = await FakeSlack.start({ appToken: 'xapp-1-another' });
    const adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl: fake.apiUrl }, {}), { startTimeoutMs: 3_000 });
    await assert.rejects(adapter.start(async () => {}), (e: Error) => /SLACK_APP_TOKEN/.test(e.message) && !e.message.includes(FAKE_APP_TOKEN));
    await adapter.stop();
    await fake.close();
  });
});
