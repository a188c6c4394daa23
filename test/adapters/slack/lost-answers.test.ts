// Slack posts carry their delivery key in message metadata, and a post whose answer was lost (Slack
// stored it, then the connection dropped) is found through conversations.history / .replies when the
// adapter is told the earlier attempt is unconfirmed, root, reply or a long card's continuation
// alike. Refusals (429, an error code) are `notSent`; a dropped connection is not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, ConversationRef } from '../../../src/chat/model.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/adapter.ts';
import { METADATA_EVENT_TYPE } from '../../../src/adapters/slack/outbound.ts';
import { loadSlackSettings } from '../../../src/adapters/slack/settings.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack } from '../../fakes/slack/index.ts';
import { captureLogger, type LogLine } from './harness.ts';

const CHANNEL: ConversationRef = { platform: 'slack', channel: 'C0OPS', rootMessageId: null, threadId: null, handle: null };
const SMALL: Card = { title: 'Checking work-pc for @alice…', status: 'running', sections: [{ kind: 'text', text: 'One moment.' }], actions: [] };
const HUGE: Card = { title: 'work-pc: evidence', status: 'problem', actions: [], sections: Array.from({ length: 70 }, (_, i) => ({ kind: 'text' as const, text: `evidence line ${i}` })) };

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `expected a DeliveryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('slack adapter: idempotency keys in metadata, lost answers found before posting again', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let log: LogLine[];
  before(async () => {
    fake = await FakeSlack.start();
    const c = captureLogger();
    log = c.lines;
    adapter = createSlackAdapter(loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, apiUrl: fake.apiUrl }, {}), { logger: c.logger, apiTimeoutMs: 2_000 });
  });
  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  const held = (title: string): number => fake.messagesIn(CHANNEL.channel).filter((m) => m.text.includes(title)).length;

  test('every part of a post carries {event_type, event_payload: {key, part}}', async () => {
    const n = fake.callsTo('chat.postMessage').length;
    await adapter.postRoot(CHANNEL, HUGE, 'r-meta.root');
    const metas = fake.callsTo('chat.postMessage').slice(n).map((c) => c.args.metadata);
    assert.deepEqual(metas, [
      { event_type: METADATA_EVENT_TYPE, event_payload: { key: 'r-meta.root', part: 0 } },
      { event_type: METADATA_EVENT_TYPE, event_payload: { key: 'r-meta.root', part: 1 } },
    ]);
  });

  test('a root whose answer was lost: an unknown outcome; retried as unconfirmed, it is found, not posted again', async () => {
    fake.loseAnswers('chat.postMessage');
    const err = await deliveryError(adapter.postRoot(CHANNEL, { ...SMALL, title: 'lost root A' }, 'r-lost-a.root'));
    assert.equal(err.notSent, false, err.message);
    assert.equal(held('lost root A'), 1, 'Slack stored it');
    const n = fake.calls.length;
    const found = await adapter.postRoot(CHANNEL, { ...SMALL, title: 'lost root A' }, 'r-lost-a.root', { unconfirmedSince: new Date() });
    assert.deepEqual(fake.calls.slice(n).map((c) => c.method), ['conversations.history']);
    assert.equal(fake.calls.at(-1)!.args.include_all_metadata, 'true');
    assert.equal(held('lost root A'), 1);
    const ts = fake.messagesIn(CHANNEL.channel).find((m) => m.text.includes('lost root A'))!.ts;
    assert.deepEqual(found, { messageId: ts, threadId: ts });
  });

  test('without being told, the same retry posts twice (what the deliver worker prevents)', async () => {
    fake.loseAnswers('chat.postMessage');
    await deliveryError(adapter.postRoot(CHANNEL, { ...SMALL, title: 'lost root B' }, 'r-lost-b.root'));
    await adapter.postRoot(CHANNEL, { ...SMALL, title: 'lost root B' }, 'r-lost-b.root');
    assert.equal(held('lost root B'), 2);
  });

  test('a reply whose answer was lost is found in its thread', async () => {
    const root = await adapter.postRoot(CHANNEL, { ...SMALL, title: 'root C' }, 'r-c.root');
    const where = { ...CHANNEL, rootMessageId: root.messageId, threadId: root.threadId };
    fake.loseAnswers('chat.postMessage');
    await deliveryError(adapter.postReply(where, { ...SMALL, title: 'reply C1' }, 'r-c.reply1'));
    const n = fake.calls.length;
    const found = await adapter.postReply(where, { ...SMALL, title: 'reply C1' }, 'r-c.reply1', { unconfirmedSince: new Date() });
    assert.deepEqual(fake.calls.slice(n).map((c) => [c.method, c.args.ts]), [['conversations.replies', root.messageId]]);
    assert.equal(held('reply C1'), 1);
    assert.equal(found.threadId, root.messageId);
  });

  test("a long card whose continuation's answer was lost: only the missing parts are posted", async () => {
    const n = fake.callsTo('chat.postMessage').length;
    // The head is answered, the continuation is stored but its answer lost.
    fake.loseAnswers('chat.postMessage', 1, (a) => (a.metadata as { event_payload?: { part?: number } } | undefined)?.event_payload?.part === 1);
    await deliveryError(adapter.postRoot(CHANNEL, { ...HUGE, title: 'huge D' }, 'r-d.root'));
    const posted = await adapter.postRoot(CHANNEL, { ...HUGE, title: 'huge D' }, 'r-d.root', { unconfirmedSince: new Date() });
    const parts = fake.callsTo('chat.postMessage').slice(n);
    assert.equal(parts.length, 2, 'head and continuation, each once');
    assert.equal(fake.messagesIn(CHANNEL.channel).filter((m) => m.thread_ts === posted.messageId || m.ts === posted.messageId).length, 2);
  });

  test('told unconfirmed but nothing is there: it posts once', async () => {
    const n = fake.calls.length;
    await adapter.postRoot(CHANNEL, { ...SMALL, title: 'never arrived E' }, 'r-e.root', { unconfirmedSince: new Date() });
    assert.deepEqual(fake.calls.slice(n).map((c) => c.method), ['conversations.history', 'chat.postMessage']);
    assert.equal(held('never arrived E'), 1);
  });

  test('an app without the history scopes: the lookup is skipped with a warning, and the message is posted', async () => {
    fake.failNext('conversations.history', { kind: 'platform', error: 'missing_scope' });
    await adapter.postRoot(CHANNEL, { ...SMALL, title: 'no scope F' }, 'r-f.root', { unconfirmedSince: new Date() });
    assert.equal(held('no scope F'), 1);
    assert.ok(log.some((l) => l.level === 'warn' && /channels:history and groups:history/.test(l.msg)), JSON.stringify(log));
  });

  test('a rate-limited lookup is retried later (the error goes back to the deliver queue), nothing is posted', async () => {
    fake.failNext('conversations.history', { kind: 'ratelimited', retryAfterSec: 3 });
    const err = await deliveryError(adapter.postRoot(CHANNEL, { ...SMALL, title: 'limited G' }, 'r-g.root', { unconfirmedSince: new Date() }));
    assert.equal(err.retryAfterMs, 3_000);
    assert.equal(held('limited G'), 0);
  });

  test('refusals are notSent: 429, an error code, a 4xx', async () => {
    fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 1 });
    assert.equal((await deliveryError(adapter.postRoot(CHANNEL, SMALL, 'r-h.root'))).notSent, true);
    fake.failNext('chat.postMessage', { kind: 'platform', error: 'channel_not_found' });
    assert.equal((await deliveryError(adapter.postRoot(CHANNEL, SMALL, 'r-h.root'))).notSent, true);
    fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    assert.equal((await deliveryError(adapter.postRoot(CHANNEL, SMALL, 'r-h.root'))).notSent, false, 'a 503 may come after the post');
  });
});
