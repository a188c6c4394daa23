// A Discord post whose answer was lost (Discord created the message, then the connection dropped):
// a retry within Discord's few minutes is answered by enforce_nonce; a later one (the fake's nonce
// window set to 0) would post again, unless the adapter is told the earlier attempt is unconfirmed,
// in which case it finds its own message among the channel's recent ones. Refusals are `notSent`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, ConversationRef } from '../../../src/chat/model.ts';
import { IDS, discordError, rateLimited, type RestCall } from '../../fakes/discord/index.ts';
import { startHarness, type Harness } from './harness.ts';

const card = (title: string, actions: Card['actions'] = []): Card => ({ title, status: 'ok', sections: [{ kind: 'text', text: `${title} body` }], actions });
const CHANNEL: ConversationRef = { platform: 'discord', channel: IDS.channel, rootMessageId: null, threadId: null, handle: null };
const postsTo = (channel: string) => (c: RestCall): boolean => c.method === 'POST' && c.path === `/channels/${channel}/messages`;

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `expected a DeliveryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('discord adapter: answers lost after Discord created the message', () => {
  let h: Harness;
  let thread: ConversationRef;
  before(async () => {
    h = await startHarness({});
    const root = await h.adapter.postRoot(CHANNEL, card('root of the lost-answer tests'), 'root:lost-1');
    thread = { ...CHANNEL, rootMessageId: root.messageId, threadId: root.threadId };
  });
  after(async () => {
    await h.close();
    assert.deepEqual(h.rejections, []);
  });

  test('a lost reply answer is an unknown outcome (not notSent); the message is in the thread', async () => {
    const before = h.fake.calls.length;
    h.fake.loseAnswers(postsTo(thread.threadId!));
    const err = await deliveryError(h.adapter.postReply(thread, card('step 1', [{ id: 'approve:a_lost1', label: 'Approve', style: 'primary' }]), 'reply:lost-1'));
    assert.equal(err.notSent, false, err.message);
    assert.equal(err.permanent, false);
    const lost = h.fake.calls.slice(before).find((c) => c.answerLost);
    assert.ok(lost && lost.status === 200, 'Discord created it');
  });

  test('retried after the nonce window without being told: posted twice (what the deliver worker prevents)', async () => {
    h.fake.world.nonceWindowMs = 0;
    h.fake.loseAnswers(postsTo(thread.threadId!));
    await deliveryError(h.adapter.postReply(thread, card('step 2'), 'reply:lost-2'));
    await h.adapter.postReply(thread, card('step 2'), 'reply:lost-2');
    const held = [...h.fake.world.messages.values()].filter((m) => m.channel_id === thread.threadId && (m.embeds[0] as { title?: string } | undefined)?.title === 'step 2');
    assert.equal(held.length, 2);
  });

  test('retried after the nonce window, told the earlier attempt is unconfirmed: the same message, found, not posted', async () => {
    h.fake.world.nonceWindowMs = 0;
    h.fake.loseAnswers(postsTo(thread.threadId!));
    const at = new Date();
    const body = card('step 3', [{ id: 'approve:a_lost3', label: 'Approve', style: 'primary' }]);
    await deliveryError(h.adapter.postReply(thread, body, 'reply:lost-3'));
    const before = h.fake.calls.length;
    const found = await h.adapter.postReply(thread, body, 'reply:lost-3', { unconfirmedSince: at });
    const since = h.fake.calls.slice(before);
    assert.deepEqual(since.map((c) => `${c.method} ${c.path}`), [`GET /channels/${thread.threadId}/messages`], 'looked, did not post');
    assert.ok(since[0]!.query.get('after'), 'only messages after the attempt');
    const held = [...h.fake.world.messages.values()].filter((m) => m.channel_id === thread.threadId && (m.embeds[0] as { title?: string } | undefined)?.title === 'step 3');
    assert.equal(held.length, 1);
    assert.equal(found.messageId, held[0]!.id);
  });

  test('told unconfirmed, but nothing is there (the attempt never arrived): it posts', async () => {
    const before = h.fake.calls.length;
    const posted = await h.adapter.postReply(thread, card('step 4'), 'reply:lost-4', { unconfirmedSince: new Date() });
    assert.deepEqual(h.fake.calls.slice(before).map((c) => c.method), ['GET', 'POST']);
    assert.equal(h.fake.world.messages.get(posted.messageId)?.channel_id, thread.threadId);
  });

  test('a lost root (a channel message) is found in the channel and its thread is opened once', async () => {
    h.fake.world.nonceWindowMs = 0;
    h.fake.loseAnswers(postsTo(IDS.channel));
    const at = new Date();
    await deliveryError(h.adapter.postRoot(CHANNEL, card('late root'), 'root:lost-5'));
    const posted = await h.adapter.postRoot(CHANNEL, card('late root'), 'root:lost-5', { unconfirmedSince: at });
    const roots = [...h.fake.world.messages.values()].filter((m) => m.channel_id === IDS.channel && (m.embeds[0] as { title?: string } | undefined)?.title === 'late root');
    assert.equal(roots.length, 1);
    assert.deepEqual(posted, { messageId: roots[0]!.id, threadId: roots[0]!.id });
  });

  test('refusals are notSent: a 429 beyond the library wait, a 403; nothing to look for afterwards', async () => {
    h.fake.fail({ match: postsTo(thread.threadId!), reply: discordError(403, 50013, 'Missing Permissions') });
    const refused = await deliveryError(h.adapter.postReply(thread, card('x'), 'reply:refused'));
    assert.equal(refused.notSent, true);
    assert.equal(refused.permanent, true);
    h.fake.fail({ match: postsTo(thread.threadId!), reply: rateLimited(30) });
    const limited = await deliveryError(h.adapter.postReply(thread, card('y'), 'reply:limited'));
    assert.equal(limited.notSent, true);
    assert.ok((limited.retryAfterMs ?? 0) >= 5_000, String(limited.retryAfterMs));
  });
});
