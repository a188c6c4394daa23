// How many REST calls a Discord conversation costs before its verdict is visible (issue 13, item 7):
// the deferral, then one edit of the command's response that is the verdict. The "Checking…" root
// waits while Discord shows "thinking…" and goes out as the verdict; the thread and its details
// follow. The hold is long here (60 s) so a slow machine cannot turn it into a timing test: the
// verdict must hurry the held root, or the wait below runs out. The fake enforces Discord's rate limits.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DISCORD_RATE_LIMITS, IDS, slashInteraction, type RestCall } from '../../fakes/discord/index.ts';
import { isCallbackOf, isOriginalEditOf, messagesIn, startDiscordStack, titleOf, type DiscordStack } from './discord-stack.ts';

const POLICY = { roles: { responder: [`discord:${IDS.alice}`] }, rateLimit: { commandsPerMinute: 1000 } };
const SLOW = { timeoutMs: 20_000 };

let d: DiscordStack;
before(async () => {
  d = await startDiscordStack({ policy: POLICY, hosts: [{ name: 'budget-pc', scenarios: ['cert-expired'] }], botSettings: { interimHoldMs: 60_000 }, rateLimits: DISCORD_RATE_LIMITS });
});
after(async () => {
  await d?.close();
});

const describeCall = (c: RestCall): string => `${c.method} ${c.path.replace(/\/webhooks\/(\d+)\/[^/]+/, '/webhooks/$1/TOKEN').replace(/\/interactions\/(\d+)\/[^/]+/, '/interactions/$1/TOKEN')} ${titleOf((c.body ?? {}) as { embeds?: unknown[] })}`;

describe('Discord REST calls per conversation', () => {
  test('a check: the deferral, then the verdict as the one edit of the response; thread and details after', async () => {
    const since = d.fake.calls.length;
    const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'budget-pc' } }));
    const verdict = await d.fake.waitForCall((c) => isOriginalEditOf(cmd)(c) && c.status === 200 && titleOf((c.body ?? {}) as { embeds?: unknown[] }) === 'budget-pc: RDP problem found', { ...SLOW, since });
    const before = d.fake.calls.slice(since, verdict.n + 1);
    assert.ok(before.length <= 2, `at most 2 REST calls before the verdict is visible, made ${before.length}:\n${before.map(describeCall).join('\n')}`);
    assert.ok(before.some(isCallbackOf(cmd)), 'the command was deferred');
    assert.equal(before.filter(isOriginalEditOf(cmd)).length, 1, 'one edit of the response: the verdict');

    await d.stack.settled();
    const rootId = d.fake.world.interactions.get(cmd.id)!.originalId!;
    const root = d.fake.world.messages.get(rootId)!;
    assert.equal(titleOf(root), 'budget-pc: RDP problem found', 'the response shows the verdict, not "Checking…"');
    const all = d.fake.calls.slice(since);
    assert.ok(!all.some((c) => isOriginalEditOf(cmd)(c) && /Checking/i.test(describeCall(c))), `the interim card was never sent:\n${all.map(describeCall).join('\n')}`);
    // The thread opens from the verdict and holds the details.
    assert.ok(d.fake.world.threadsOf.has(rootId), 'a thread was opened from the response');
    assert.ok(messagesIn(d.fake, rootId).length >= 1, 'the details are in the thread');
  });
});
