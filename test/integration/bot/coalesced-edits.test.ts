// Edits of one message that pile up while the platform refuses coalesce into the newest (issue 13,
// item 7), and an older card never follows a newer one; a root not posted yet goes out as the newest
// update of it. Against a real redis-server and the real deliver worker (BullMQ), the recorder as
// the platform; waits are on the queues settling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueEvents } from 'bullmq';
import type { Card } from '../../../src/chat/model.ts';
import { newConversationId } from '../../../src/state/ids.ts';
import { bullPrefix, QUEUE_NAMES } from '../../../src/state/names.ts';
import { Outbox } from '../../../src/state/outbox.ts';
import { ChatRecorder, TEST_CHANNEL, person } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const POLICY = { roles: { responder: ['console:alice'] } };
const card = (title: string): Card => ({ title, status: 'info', sections: [], actions: [] });

async function conversation(stack: Stack): Promise<{ id: string; ref: { platform: 'console' } }> {
  return stack.bot!.state.conversations.create({
    id: newConversationId(),
    kind: 'check',
    ref: { platform: 'console', channel: TEST_CHANNEL, rootMessageId: null, threadId: null, handle: null },
    requester: person('alice'),
    createdAt: new Date().toISOString(),
    subject: 'work-pc',
  }) as Promise<{ id: string; ref: { platform: 'console' } }>;
}

test('three updates of a message refused by the platform: every edit after shows the newest, which is the final state', async () => {
  const chat = new ChatRecorder();
  const stack = await startStack([chat], { config: { policy: POLICY } });
  try {
    const outbox = new Outbox(stack.bot!.queues);
    const conv = await conversation(stack);
    await outbox.root(conv, card('root v0'));
    await stack.settled();
    // Each update's first attempt is refused (a transient error with a Retry-After): all three wait.
    chat.failNext = 3;
    await Promise.all([1, 2, 3].map((v) => outbox.update(conv, 'root', v, card(`root v${v}`))));
    await stack.settled();
    const edits = chat.records.filter((r) => r.op === 'update').map((r) => r.card.title);
    assert.equal(chat.failures, 3);
    assert.ok(edits.length >= 1 && edits.length <= 3, edits.join(', '));
    assert.deepEqual(new Set(edits), new Set(['root v3']), `after the refusals only the newest card is sent: ${edits.join(', ')}`);
  } finally {
    await stack.close();
  }
});

test('an update waiting for its root: the root is posted once, as the update, and the update has nothing left to send', async () => {
  const chat = new ChatRecorder();
  const stack = await startStack([chat], { config: { policy: POLICY } });
  const events = new QueueEvents(QUEUE_NAMES.deliver, { connection: { url: stack.redis.url }, prefix: bullPrefix(stack.config.redis.prefix) });
  try {
    await events.waitUntilReady();
    const outbox = new Outbox(stack.bot!.queues);
    const conv = await conversation(stack);
    // The verdict first: it finds no root, offers its card and waits (delayed, not an attempt).
    const waiting = new Promise<void>((resolve) => events.on('delayed', () => resolve()));
    await outbox.update(conv, 'root', 1, card('verdict'));
    await waiting;
    await outbox.root(conv, card('Checking…'));
    await stack.settled();
    const shown = chat.records.map((r) => `${r.op}: ${r.card.title}`);
    assert.deepEqual(shown, ['root: verdict']);
  } finally {
    await events.close();
    await stack.close();
  }
});
