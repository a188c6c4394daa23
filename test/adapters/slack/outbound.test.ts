// The bot's answers through the adapter to the fake Web API: the right methods, channels, threads,
// blocks and token; long cards continue in the thread and resume after a failure without a second
// root; Slack's failures become DeliveryErrors the deliver queue can act on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../../src/chat/model.ts';
import { approvalDecided, approvalRequest, type ApprovalView } from '../../../src/cards/index.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/adapter.ts';
import { loadSlackSettings } from '../../../src/adapters/slack/settings.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack } from '../../fakes/slack/index.ts';
import { captureLogger, startHarness, type Harness, type LogLine } from './harness.ts';

const ALICE: ChatUser = { platform: 'slack', id: 'U0USER', name: 'alice', groups: [] };
const CHANNEL: ConversationRef = { platform: 'slack', channel: 'C0OPS', rootMessageId: null, threadId: null, handle: null };
const APPROVAL: ApprovalView = {
  id: 'a_7f3k', host: 'work-pc', fixId: 'regenerate-rdp-certificate', title: 'Regenerate the RDP certificate', risk: 'safe',
  impact: { disruptive: false, weakensSecurity: false, drops: [], summary: 'Moves the expired certificate away and restarts SessionEnv.' },
  planSummary: ['Move the certificate', 'Restart SessionEnv'], requester: ALICE, expiresAt: '2026-11-02T09:15:00.000Z',
};
const SMALL: Card = { title: 'Checking work-pc for @alice…', status: 'running', sections: [{ kind: 'text', text: 'One moment.' }], actions: [] };
const HUGE: Card = {
  title: 'work-pc: evidence', status: 'problem', actions: [{ id: 'details:r-1', label: 'Details', style: 'default' }],
  sections: Array.from({ length: 70 }, (_, i) => ({ kind: 'text' as const, text: `evidence line ${i}` })),
};

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `expected a DeliveryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('slack adapter: delivering cards', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('socket', {}, { oncallGroupId: 'S0ONCALL' });
  });
  after(async () => h.close());

  test('postRoot: chat.postMessage in the channel with blocks and fallback text; its ts is the message and the thread', async () => {
    const posted = await h.adapter.postRoot(CHANNEL, approvalRequest(APPROVAL), 'k-root-1');
    const call = h.fake.callsTo('chat.postMessage').at(-1);
    assert.equal(call?.token, FAKE_BOT_TOKEN);
    assert.equal(call?.args.channel, 'C0OPS');
    assert.equal(call?.args.thread_ts, undefined);
    assert.equal(call?.args.text, 'Pending: @alice asks to regenerate the RDP certificate on work-pc');
    const blocks = call?.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    assert.equal(blocks[0]?.type, 'header');
    assert.deepEqual(blocks.find((b) => b.type === 'actions')?.elements?.map((e) => [e.action_id, e.value]), [
      ['approve:a_7f3k', 'approve:a_7f3k'], ['reject:a_7f3k', 'reject:a_7f3k'], ['plan:a_7f3k', 'plan:a_7f3k'],
    ]);
    const ts = (call?.response as { ts: string }).ts;
    assert.deepEqual(posted, { messageId: ts, threadId: ts });
  });

  test('postReply: into where.threadId; returns the reply ts and the same thread', async () => {
    const where = { ...CHANNEL, rootMessageId: '1700000001.000100', threadId: '1700000001.000100' };
    const posted = await h.adapter.postReply(where, SMALL, 'k-reply-1');
    const call = h.fake.callsTo('chat.postMessage').at(-1);
    assert.equal(call?.args.thread_ts, '1700000001.000100');
    assert.deepEqual(posted, { messageId: (call?.response as { ts: string }).ts, threadId: '1700000001.000100' });
  });

  test('updateMessage: chat.update replaces the blocks, so decided buttons disappear', async () => {
    await h.adapter.updateMessage(CHANNEL, '1700000001.000100', approvalDecided(APPROVAL, { state: 'approved', by: ALICE, at: '2026-11-02T09:05:00Z' }));
    const call = h.fake.callsTo('chat.update').at(-1);
    assert.equal(call?.args.channel, 'C0OPS');
    assert.equal(call?.args.ts, '1700000001.000100');
    const blocks = call?.args.blocks as { type: string }[];
    assert.ok(blocks.length > 0);
    assert.equal(blocks.some((b) => b.type === 'actions'), false);
  });

  test('postEphemeral: chat.postEphemeral to the user in the channel, in the thread if any', async () => {
    await h.adapter.postEphemeral({ ...CHANNEL, threadId: '1700000001.000100' }, ALICE, { title: 'Not allowed', status: 'refused', sections: [], actions: [] });
    const call = h.fake.callsTo('chat.postEphemeral').at(-1);
    assert.equal(call?.args.user, 'U0USER');
    assert.equal(call?.args.channel, 'C0OPS');
    assert.equal(call?.args.thread_ts, '1700000001.000100');
    assert.equal(call?.args.text, 'Refused: Not allowed');
  });

  test("notify:'oncall' pings the configured user group", async () => {
    await h.adapter.postRoot(CHANNEL, { ...SMALL, notify: 'oncall' }, 'k-oncall');
    assert.match(String(h.fake.callsTo('chat.postMessage').at(-1)?.args.text), /^<!subteam\^S0ONCALL> /);
  });

  test('a card too long for one message: the root, then the rest as replies in its thread', async () => {
    const n = h.fake.callsTo('chat.postMessage').length;
    const posted = await h.adapter.postRoot(CHANNEL, HUGE, 'k-huge-1');
    const calls = h.fake.callsTo('chat.postMessage').slice(n);
    assert.equal(calls.length, 2);
    assert.equal(calls[0]?.args.thread_ts, undefined);
    assert.equal(calls[1]?.args.thread_ts, posted.messageId);
    assert.ok(calls.every((c) => c.status === 200 && (c.response as { ok: boolean }).ok), 'the fake accepted every part');
  });

  test('a failed continuation is retried with the same key without posting the root again', async () => {
    const n = h.fake.callsTo('chat.postMessage').length;
    // The first call (the root) succeeds; the second (the continuation) fails.
    h.fake.failNext('chat.postMessage', { kind: 'http', status: 503 }, 1, { skip: 1 });
    const attempt = h.adapter.postRoot(CHANNEL, HUGE, 'k-huge-2');
    const err = await deliveryError(attempt);
    assert.equal(err.permanent, false);
    const posted = await h.adapter.postRoot(CHANNEL, HUGE, 'k-huge-2');
    const calls = h.fake.callsTo('chat.postMessage').slice(n);
    assert.deepEqual(calls.map((c) => [c.status, c.args.thread_ts ?? null]), [[200, null], [503, posted.messageId], [200, posted.messageId]]);
  });

  test('429 with Retry-After: DeliveryError with retryAfterMs, not permanent', async () => {
    h.fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 7 });
    const err = await deliveryError(h.adapter.postRoot(CHANNEL, SMALL, 'k-429'));
    assert.equal(err.retryAfterMs, 7_000);
    assert.equal(err.permanent, false);
    assert.match(err.message, /chat\.postMessage: rate limited/);
  });

  test('HTTP 500: a transient DeliveryError', async () => {
    h.fake.failNext('chat.update', { kind: 'http', status: 500 });
    const err = await deliveryError(h.adapter.updateMessage(CHANNEL, '1.2', SMALL));
    assert.equal(err.permanent, false);
    assert.equal(err.retryAfterMs, undefined);
    assert.match(err.message, /chat\.update: HTTP 500/);
  });

  test('channel_not_found, not_in_channel and invalid_blocks: permanent; internal_error: transient', async () => {
    for (const error of ['channel_not_found', 'not_in_channel', 'invalid_blocks']) {
      h.fake.failNext('chat.postMessage', { kind: 'platform', error });
      const err = await deliveryError(h.adapter.postRoot(CHANNEL, SMALL, `k-${error}`));
      assert.equal(err.permanent, true, error);
      assert.match(err.message, new RegExp(`chat\\.postMessage: ${error}`));
    }
    h.fake.failNext('chat.postEphemeral', { kind: 'platform', error: 'internal_error' });
    assert.equal((await deliveryError(h.adapter.postEphemeral(CHANNEL, ALICE, SMALL))).permanent, false);
  });

  test('no DeliveryError message or log line contains the token', async () => {
    h.fake.failNext('chat.postMessage', { kind: 'platform', error: 'channel_not_found' });
    const err = await deliveryError(h.adapter.postRoot(CHANNEL, SMALL, 'k-secret'));
    assert.equal(`${err.message} ${String(err.cause)}`.includes(FAKE_BOT_TOKEN), false);
    assert.equal(JSON.stringify(h.log).includes(FAKE_BOT_TOKEN), false);
  });
});

describe('slack adapter: delivering without start(), timeouts, network errors', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let log: LogLine[];
  before(async () => {
    fake = await FakeSlack.start();
    const c = captureLogger();
    log = c.lines;
    adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl: fake.apiUrl }, {}), { logger: c.logger, apiTimeoutMs: 300 });
  });
  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  test('outbound calls work from a process that never started receiving (a deliver worker)', async () => {
    const posted = await adapter.postRoot(CHANNEL, SMALL, 'k-1');
    assert.match(posted.messageId, /^\d+\.\d+$/);
    assert.equal(fake.callsTo('auth.test').length, 0);
  });

  test('a Slack that does not answer: the request times out as a transient DeliveryError', async () => {
    fake.failNext('chat.postMessage', { kind: 'hang' });
    const err = await deliveryError(adapter.postRoot(CHANNEL, SMALL, 'k-hang'));
    assert.equal(err.permanent, false);
    assert.match(err.message, /chat\.postMessage: request failed/);
    assert.equal(JSON.stringify(log).includes(FAKE_BOT_TOKEN), false);
  });
});

describe('slack adapter: Slack not reachable at all', () => {
  test('connection refused: a transient DeliveryError', async () => {
    const fake = await FakeSlack.start();
    const apiUrl = fake.apiUrl;
    await fake.close();
    const adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl }, {}), { apiTimeoutMs: 2_000 });
    const err = await deliveryError(adapter.postReply({ ...CHANNEL, threadId: '1.2' }, SMALL, 'k'));
    assert.equal(err.permanent, false);
    assert.equal(err.message.includes(FAKE_BOT_TOKEN), false);
  });
});
