// Delivery through Slack that never loses or doubles, end to end (the real Bolt in Socket Mode
// against FakeSlack, a real redis-server, the lab, a worker and the bot): a 10 s storm of 429s,
// answers lost after Slack accepted a post, and a storm longer than the retry window, whose
// messages go to the dead-letter list and arrive once each when re-driven. Every wait is on an
// event: the storm's end, a Web API call, the queues settling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redrive } from '../../../src/state/dead-letters.ts';
import type { ApiCall, FakeSlackMessage } from '../../fakes/slack/index.ts';
import { trackUnhandledRejections } from '../../adapters/slack/harness.ts';
import { alice, all, CHANNEL, inThread, isRoot, saying, startSlackStack, tsOf, WAIT, withButton, type SlackStack } from './slack-stack.ts';

const isUpdate = (c: ApiCall): boolean => c.method === 'chat.update' && c.status === 200;

const rejections = trackUnhandledRejections();
after(() => {
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

/** The delivery key and part a message carries in its metadata. */
const keyOf = (m: FakeSlackMessage): string => `${String(m.metadata?.event_payload?.key)}#${String(m.metadata?.event_payload?.part)}`;

/** What Slack holds of one check: its root(s) and the replies in the first root's thread. */
function heldFor(s: SlackStack, title: RegExp): { roots: FakeSlackMessage[]; replies: FakeSlackMessage[] } {
  const inChannel = s.fake.messagesIn(CHANNEL);
  const roots = inChannel.filter((m) => !m.thread_ts && title.test(m.text));
  const replies = roots[0] ? inChannel.filter((m) => m.thread_ts === roots[0]!.ts) : [];
  return { roots, replies };
}

/** Waits for the verdict on `host` (on whichever root it went to) and the fix card in that thread; returns the root's ts. */
async function checkAnswered(s: SlackStack, host: string): Promise<string> {
  // The verdict replaces the root, or is the root (it came while the root waited: edits coalesce).
  const verdict = await s.fake.waitFor((c) => (isUpdate(c) || isRoot(c)) && saying(new RegExp(`${host}: RDP problem found`))(c), WAIT);
  const rootTs = isUpdate(verdict) ? String(verdict.args.ts) : tsOf(verdict);
  await s.fake.waitFor(all(inThread(rootTs), withButton(`propose:${host}:`)), WAIT);
  await s.stack.settled();
  return rootTs;
}

describe('Slack delivery under a storm and lost answers (default retry window)', () => {
  let s: SlackStack;
  before(async () => {
    s = await startSlackStack('socket');
  });
  after(async () => s?.close());

  test('10 s of 429s (Retry-After: 1) on every chat.* call: the root, the verdict and every reply arrive once, after it', async () => {
    const { fake, driver, stack } = s;
    const storm = fake.storm({ forMs: 10_000, retryAfterSec: 1 });
    await driver.command('check work-pc', alice);
    await storm.ended;
    const rootTs = await checkAnswered(s, 'work-pc');

    const posts = fake.callsTo('chat.postMessage');
    const refused = posts.filter((c) => c.status === 429);
    assert.ok(storm.rejected >= 5 && refused.at(-1)!.at >= storm.endsAt - 1_500, `the root was refused through the storm (${storm.rejected} times)`);
    const firstAccepted = posts.find((c) => c.status === 200)!;
    assert.ok(firstAccepted.at >= storm.endsAt - 5, 'nothing was accepted during the storm');
    // The root, as "Checking…" or (once the verdict came) as the verdict: the others waited for it.
    assert.ok(posts.filter((c) => c.status === 429).every((c) => c.args.thread_ts === undefined && /work-pc/.test(String(c.args.text))), 'only the root was tried during the storm: the others waited for it');

    const { roots, replies } = heldFor(s, /Checking work-pc|^Problem: work-pc: /);
    assert.equal(roots.length, 1, 'one root');
    assert.equal(roots[0]!.ts, rootTs);
    assert.match(roots[0]!.text, /^Problem: work-pc: The RDP certificate expired/, 'the verdict replaced the root');
    assert.ok(replies.length >= 1, `replies in the thread: ${replies.map((m) => m.text).join(' | ')}`);
    assert.equal(new Set(replies.map(keyOf)).size, replies.length, `a reply was posted twice: ${replies.map(keyOf).join(', ')}`);
    assert.equal((await stack.bot!.queues.deliver.getJobCounts('failed')).failed, 0, 'no deliver job failed');
    assert.equal(await stack.bot!.deadLetters.count(), 0, 'nothing in the dead-letter list');
  });

  test('answers lost after Slack accepted the root and a reply: each is found by its metadata, none is posted twice', async () => {
    const { fake, driver, stack } = s;
    await stack.settled();
    const seen = fake.calls.length;
    fake.loseAnswers('chat.postMessage', 1, (a) => /Checking dup-pc/.test(String(a.text)));
    fake.loseAnswers('chat.postMessage', 1, (a) => a.thread_ts !== undefined);
    await driver.command('check dup-pc', alice);
    await checkAnswered(s, 'dup-pc');

    const since = fake.calls.slice(seen);
    assert.equal(since.filter((c) => c.answerLost).length, 2, 'two answers were lost');
    const { roots, replies } = heldFor(s, /Checking dup-pc|^Problem: dup-pc: /);
    assert.equal(roots.length, 1, `roots: ${roots.map((m) => m.text).join(' | ')}`);
    assert.ok(replies.length >= 1);
    assert.equal(new Set(replies.map(keyOf)).size, replies.length, `a reply was posted twice: ${replies.map(keyOf).join(', ')}`);
    // The retries looked before posting again: the root in the channel, the reply in its thread.
    // A post whose answer arrived is never looked up: one lookup per lost answer.
    const history = since.filter((c) => c.method === 'conversations.history');
    const threadLookups = since.filter((c) => c.method === 'conversations.replies');
    assert.equal(history.length, 1);
    assert.equal(threadLookups.length, 1);
    assert.equal(threadLookups[0]!.args.ts, roots[0]!.ts);
    for (const c of [...history, ...threadLookups]) assert.equal(String(c.args.include_all_metadata), 'true', 'metadata asked for');
  });
});

describe('Slack delivery beyond the retry window: the dead-letter list and re-driving it', () => {
  let s: SlackStack;
  before(async () => {
    // A 1.5 s window, so a 4 s storm outlasts it.
    s = await startSlackStack('socket', { config: { bot: { expirySweepMs: 200, summaryIntervalMs: 200, deliveryRetryWindowMs: 1_500 } } });
  });
  after(async () => s?.close());

  test('what the storm kept out goes to the dead-letter list; re-driven after it, each message arrives once', async () => {
    const { fake, driver, stack } = s;
    const bot = stack.bot!;
    const storm = fake.storm({ forMs: 4_000, retryAfterSec: 1 });
    await driver.command('check exp-pc', alice);
    await storm.ended;
    await stack.settled();
    const letters = await bot.deadLetters.list();
    const root = letters.find((l) => l.keys.includes('root'));
    assert.ok(root, `the root is a dead letter: ${letters.map((l) => l.id).join(', ')}`);
    assert.match(root.reason, /^still failing after [\d.]+ s \(retry window 1\.5 s\): Slack chat\.postMessage: rate limited, retry after 1s$/);
    // The diagnosis's messages (the verdict and the replies, one job) gave up waiting for the root.
    const waiting = letters.filter((l) => l !== root);
    assert.ok(waiting.length >= 1, JSON.stringify(letters.map((l) => [l.id, l.reason])));
    for (const l of waiting) assert.equal(l.reason, `waits for message "root", which was not delivered (dead letter ${root.id}); re-drive that one first`);
    assert.ok(waiting.some((l) => l.keys.some((k) => k.startsWith('upd.root.'))), 'the verdict is among them');
    assert.equal(heldFor(s, /exp-pc/).roots.length, 0, 'nothing reached Slack');

    // The storm is over: re-drive everything, oldest (the root) first, as `deliveries redrive --all` does.
    for (const l of letters) assert.ok(await redrive(bot.queues, bot.deadLetters, l.id));
    await checkAnswered(s, 'exp-pc');
    const { roots, replies } = heldFor(s, /Checking exp-pc|^Problem: exp-pc: /);
    assert.equal(roots.length, 1);
    assert.match(roots[0]!.text, /^Problem: exp-pc: The RDP certificate expired/);
    assert.equal(new Set(replies.map(keyOf)).size, replies.length, 'no reply twice');
    assert.equal(await bot.deadLetters.count(), 0, 'the list is empty again');
    assert.equal((await bot.deadLetters.list()).length, 0);
  });
});
