// Delivery through Discord that never loses or doubles, end to end (the real discord.js against
// the fake Discord, a real redis-server, the lab, a worker and the bot): a 10 s storm of 429s on
// everything that writes a message, and a thread reply whose answer was lost, retried after
// Discord's nonce window. Waits are on events: the storm's end, REST calls, the queues settling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALICE, IDS, slashInteraction, type RestCall, type StoredInteraction } from '../../fakes/discord/index.ts';
import { findButton, isOriginalEditOf, messagesIn, startDiscordStack, titleOf, type DiscordStack } from './discord-stack.ts';

const POLICY = {
  roles: { responder: [`discord:${IDS.alice}`], approver: [`discord-role:${IDS.oncallRole}`] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 1000 },
};
const HOSTS = ['storm-pc', 'lost-pc'].map((name) => ({ name, scenarios: ['cert-expired'] }));
const SLOW = { timeoutMs: 30_000 };

let d: DiscordStack;
before(async () => {
  d = await startDiscordStack({ policy: POLICY, hosts: HOSTS });
});
after(async () => {
  await d?.close();
});

const bodyTitle = (c: RestCall): string => titleOf((c.body ?? {}) as { embeds?: unknown[] });

/** Waits for the verdict on the command's response; returns the thread (the root's id) once all settled. */
async function answered(cmd: StoredInteraction, host: string): Promise<string> {
  await d.fake.waitForCall((c) => isOriginalEditOf(cmd)(c) && c.status === 200 && bodyTitle(c) === `${host}: RDP problem found`, SLOW);
  await d.stack.settled();
  return d.fake.world.interactions.get(cmd.id)!.originalId!;
}

/** Every message in the thread once: no two with the same title and buttons. */
function assertNoDoubles(thread: string): void {
  const seen = messagesIn(d.fake, thread).map((m) => `${titleOf(m)} ${JSON.stringify(m.components)}`);
  assert.equal(new Set(seen).size, seen.length, `a message was posted twice:\n${seen.join('\n')}`);
}

describe('Discord delivery under trouble', () => {
  test('10 s of 429s (retry_after 1) on every message write: the root, the verdict and every reply arrive once', async () => {
    const storm = d.fake.storm({ forMs: 10_000, retryAfterSec: 1 });
    const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'storm-pc' }, user: ALICE }));
    await storm.ended;
    const thread = await answered(cmd, 'storm-pc');

    assert.ok(storm.rejected >= 5, `the storm refused ${storm.rejected} calls`);
    const root = d.fake.world.messages.get(thread)!;
    assert.equal(titleOf(root), 'storm-pc: RDP problem found');
    assert.equal(d.fake.world.channels.get(thread)?.parent_id, IDS.channel, 'the thread was opened');
    findButton(d.fake, thread, 'propose:storm-pc:'); // exactly one fix card
    assert.ok(messagesIn(d.fake, thread).length >= 1, 'the details are in the thread');
    assertNoDoubles(thread);
    assert.equal((await d.bot.queues.deliver.getJobCounts('failed')).failed, 0, 'no deliver job failed');
    assert.equal(await d.bot.deadLetters.count(), 0);
  });

  test('a reply whose answer was lost, retried after the nonce window: found among the thread\'s messages, not posted twice', async () => {
    d.fake.world.nonceWindowMs = 0;
    const threadPost = (c: RestCall): boolean => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path) && c.path !== `/channels/${IDS.channel}/messages`;
    d.fake.loseAnswers(threadPost);
    const since = d.fake.calls.length;
    const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'lost-pc' }, user: ALICE }));
    const thread = await answered(cmd, 'lost-pc');

    const calls = d.fake.calls.slice(since);
    const lost = calls.find((c) => c.answerLost);
    assert.ok(lost, 'an answer was lost');
    assert.equal(lost.path, `/channels/${thread}/messages`);
    assertNoDoubles(thread);
    findButton(d.fake, thread, 'propose:lost-pc:');
    assert.ok(calls.some((c) => c.method === 'GET' && c.path === `/channels/${thread}/messages` && c.n > lost.n), 'the retry looked in the thread first');
    assert.equal(await d.bot.deadLetters.count(), 0);
  });
});
