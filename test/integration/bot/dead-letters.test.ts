// The deliver worker's bounds, against a real redis-server, the lab, a worker and the bot with a
// recording chat: a platform that refuses a message for good sends it to the dead-letter list at
// once (no retries), the messages waiting for it follow instead of waiting forever, and re-driving
// them, root first, delivers each exactly once. A lost answer is looked up (the adapter is told).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryError, type PostedMessage, type PostOptions } from '../../../src/chat/adapter.ts';
import type { Card, ConversationRef } from '../../../src/chat/model.ts';
import { redrive } from '../../../src/state/dead-letters.ts';
import { ChatRecorder, person } from '../../fakes/chat-recorder.ts';
import { startStack } from '../../support/stack.ts';

const alice = person('alice');
const POLICY = { roles: { responder: ['console:alice'] }, rateLimit: { commandsPerMinute: 1000 } };

/** A chat whose next root posts fail the given way; it records the PostOptions each root post got. */
class TroubledChat extends ChatRecorder {
  rootFailures: (DeliveryError | 'lose-answer')[] = [];
  readonly rootOptions: PostOptions[] = [];

  override async postRoot(where: ConversationRef, card: Card, key: string, opts: PostOptions = {}): Promise<PostedMessage> {
    this.rootOptions.push(opts);
    const next = this.rootFailures.shift();
    if (next instanceof DeliveryError) throw next;
    if (opts.unconfirmedSince) {
      // The platform kept the post whose answer was lost: return it, as an adapter's lookup does.
      const earlier = this.records.find((r) => r.op === 'root' && r.key === key);
      if (earlier) return { messageId: earlier.messageId, threadId: earlier.threadId };
    }
    const posted = await super.postRoot(where, card, key);
    if (next === 'lose-answer') throw new DeliveryError('the connection dropped before the answer');
    return posted;
  }
}

test('a root refused for good: dead-lettered at once with its waiters; re-driven, each arrives once', async () => {
  const chat = new TroubledChat();
  const stack = await startStack([chat], { hosts: [{ name: 'work-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY } });
  try {
    const bot = stack.bot!;
    chat.rootFailures.push(new DeliveryError('channel_not_found', { permanent: true, notSent: true }));
    await chat.command('check work-pc', alice);
    await stack.settled();

    const letters = await bot.deadLetters.list();
    const root = letters.find((l) => l.keys.includes('root'));
    assert.ok(root, JSON.stringify(letters));
    assert.equal(root.reason, 'channel_not_found');
    assert.equal(root.attempts, 1, 'a permanent refusal is not retried');
    assert.equal(chat.rootOptions.length, 1);
    const waiting = letters.filter((l) => l !== root);
    assert.ok(waiting.length >= 1, 'the verdict and the replies did not wait forever');
    for (const l of waiting) assert.match(l.reason, new RegExp(`^waits for message "root", which was not delivered \\(dead letter ${root.id.replaceAll('.', '\\.')}\\)`));
    assert.equal(chat.records.length, 0, 'nothing was shown');

    for (const l of letters) assert.ok(await redrive(bot.queues, bot.deadLetters, l.id));
    await stack.settled();
    // The verdict was offered while the root waited: the root goes out once, as the verdict (edits
    // coalesce into the newest card), and the verdict's own update has nothing left to do.
    assert.deepEqual(chat.records.filter((r) => r.op === 'root').map((r) => r.card.title), ['work-pc: RDP problem found']);
    assert.deepEqual(chat.records.filter((r) => r.op === 'update').map((r) => r.card.title), []);
    const replies = chat.records.filter((r) => r.op === 'reply').map((r) => r.key);
    assert.ok(replies.length >= 1);
    assert.equal(new Set(replies).size, replies.length);
    assert.equal(await bot.deadLetters.count(), 0);
    assert.equal(await redrive(bot.queues, bot.deadLetters, root.id), null, 'a second re-drive finds nothing');
  } finally {
    await stack.close();
  }
});

test('a lost answer: the retry tells the adapter when the unconfirmed attempt began, and nothing is posted twice', async () => {
  const chat = new TroubledChat();
  const stack = await startStack([chat], { hosts: [{ name: 'work-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY } });
  try {
    chat.rootFailures.push('lose-answer', new DeliveryError('rate limited', { retryAfterMs: 10, notSent: true }));
    const before = Date.now();
    await chat.command('check work-pc', alice);
    await stack.settled();
    // 1st: posted, answer lost. 2nd: told (refused with a 429). 3rd: still told (the refusal proved
    // nothing about the 1st), finds it.
    assert.deepEqual(chat.rootOptions.map((o) => o.unconfirmedSince !== undefined), [false, true, true]);
    const since = chat.rootOptions[1]!.unconfirmedSince!.getTime();
    assert.ok(since >= before && since <= Date.now());
    assert.equal(chat.rootOptions[2]!.unconfirmedSince!.getTime(), since, 'the first unconfirmed attempt counts');
    assert.equal(chat.records.filter((r) => r.op === 'root').length, 1);
    assert.deepEqual(chat.records.filter((r) => r.op === 'update').map((r) => r.card.title), ['work-pc: RDP problem found']);
  } finally {
    await stack.close();
  }
});
