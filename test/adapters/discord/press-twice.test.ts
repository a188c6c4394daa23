// Discord has no confirm dialog: a security-weakening Approve acts only on a second press by the same
// person on the same message within the window. The real discord.js against the fake Discord, the
// card rendered by the adapter itself: the first press is answered ephemerally with the warning and
// never reaches the bot; another person's press does not count; a late second press starts over; a
// gateway replay of the first press is not a second press. Plus the bound on remembered presses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationRef } from '../../../src/chat/model.ts';
import { approvalRequest, type ApprovalView } from '../../../src/cards/index.ts';
import { SecondPress } from '../../../src/adapters/discord/press-twice.ts';
import { ALICE, BOB, IDS, buttonInteraction, messageObject, type RestCall, type StoredInteraction } from '../../fakes/discord/index.ts';
import { startHarness, type Harness } from './harness.ts';

const WEAKENS: ApprovalView = {
  id: 'ap-fw01', host: 'work-pc', fixId: 'enable-rdp-firewall-rules', title: 'Enable the Remote Desktop firewall rules', risk: 'weakens-security',
  impact: { disruptive: false, weakensSecurity: true, drops: [], summary: 'Enables the built-in inbound rules.', exposes: 'opens TCP and UDP 3389 to any address' },
  planSummary: ['Enable firewall rules RemoteDesktop-UserMode-In-TCP, RemoteDesktop-UserMode-In-UDP'],
  requester: { platform: 'discord', id: IDS.alice, name: 'alice', groups: [] }, expiresAt: '2026-11-02T09:15:00.000Z',
};
const WINDOW_MS = 15_000;
const isCallback = (i: StoredInteraction) => (c: RestCall) => c.method === 'POST' && c.path.startsWith(`/interactions/${i.id}/`);

describe('discord: a second press for security-weakening buttons', () => {
  let h: Harness;
  let clock = Date.parse('2026-11-02T09:00:00Z');
  let message: Record<string, unknown>;
  let messageId: string;
  let customId: string;

  before(async () => {
    h = await startHarness({ adapter: { now: () => clock, pressTwiceWindowMs: WINDOW_MS } });
    const where: ConversationRef = { platform: 'discord', channel: IDS.channel, rootMessageId: null, threadId: null, handle: null };
    const posted = await h.adapter.postRoot(where, approvalRequest(WEAKENS), 'root:press-twice');
    messageId = posted.messageId;
    const stored = h.fake.world.messages.get(messageId)!;
    message = messageObject({ id: stored.id, channel_id: stored.channel_id, embeds: stored.embeds, components: stored.components });
    const buttons = (stored.components as { components: { custom_id: string; style: number }[] }[]).flatMap((r) => r.components);
    customId = buttons[0]!.custom_id;
    assert.equal(buttons[0]!.style, 4, 'Approve on a weakening fix is red');
  });
  after(async () => {
    await h.close();
    assert.deepEqual(h.rejections, []);
  });

  const press = (user = ALICE, id = customId) => h.fake.sendInteraction(buttonInteraction({ customId: id, messageId, message, user }));

  /** The press was answered with the ephemeral "press again"; returns its text. */
  async function askedAgain(sent: StoredInteraction): Promise<string> {
    const cb = await h.fake.waitForCall(isCallback(sent));
    const body = cb.body as { type: number; data: { content: string; flags: number } };
    assert.equal(body.type, 4, 'answered with a message, not acknowledged as a click');
    assert.equal(body.data.flags & 64, 64, 'ephemeral');
    return body.data.content;
  }

  test('the first press only answers, to the presser alone, with what the button opens up', async () => {
    const before = h.inbound.length;
    const text = await askedAgain(press());
    assert.match(text, /^Press again within 15 s to confirm: Approve on work-pc\? Nobody is disconnected\. It opens TCP and UDP 3389 to any address until someone undoes it\./);
    assert.equal(h.inbound.length, before, 'the bot heard nothing');
  });

  test('another person\'s press does not count as the second; the same person\'s does, and the bot gets the plain action id', async () => {
    const before = h.inbound.length;
    clock += 2_000;
    await askedAgain(press(BOB));
    assert.equal(h.inbound.length, before, 'bob\'s press is a first press of his own');
    clock += 3_000;
    const second = press(ALICE);
    const e = await h.waitForInbound(before + 1);
    assert.deepEqual((await h.fake.waitForCall(isCallback(second))).body, { type: 6 });
    assert.equal(e.kind === 'action' && e.actionId, 'approve:ap-fw01');
    assert.equal(e.user.id, IDS.alice);
    // Done: a third press starts over.
    await askedAgain(press(ALICE));
    assert.equal(h.inbound.length, before + 1);
  });

  test('a second press after the window starts over', async () => {
    const before = h.inbound.length;
    clock += 60_000;
    await askedAgain(press(BOB)); // bob's earlier first press has long expired: asked again
    clock += WINDOW_MS + 1;
    await askedAgain(press(BOB));
    assert.equal(h.inbound.length, before);
    clock += 1_000;
    press(BOB);
    const e = await h.waitForInbound(before + 1);
    assert.equal(e.user.id, IDS.bob);
  });

  test('a gateway replay of the first press is not a second press', async () => {
    clock += 60_000;
    const before = h.inbound.length;
    const first = press(ALICE);
    await askedAgain(first);
    h.fake.sendInteraction(first.payload); // the same interaction again
    // A plain button after the replay: once the bot has it, the replay has been handled too.
    h.fake.sendInteraction(buttonInteraction({ customId: 'plan:ap-fw01', messageId, message, user: ALICE }));
    const e = await h.waitForInbound(before + 1);
    assert.equal(e.kind === 'action' && e.actionId, 'plan:ap-fw01');
    assert.equal(h.inbound.length, before + 1, 'the replay did not approve');
  });
});

describe('discord: remembered first presses are bounded', () => {
  test('the oldest is forgotten first; a forgotten press needs pressing twice again', () => {
    const gate = new SecondPress(WINDOW_MS, () => 0, 2);
    const p = (userId: string, interactionId: string) => gate.press({ messageId: 'm', customId: 'c', userId, interactionId });
    assert.equal(p('a', '1'), 'ask');
    assert.equal(p('b', '2'), 'ask');
    assert.equal(p('c', '3'), 'ask'); // evicts a
    assert.equal(p('a', '4'), 'ask', 'a was forgotten');
    assert.equal(p('c', '5'), 'go');
    assert.equal(p('c', '6'), 'ask', 'after go, the next press starts over');
  });
});
