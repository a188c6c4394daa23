// A card's file on Discord, through the real discord.js REST client and the fake's multipart parsing:
// the file is a message attachment (files[0] with the body in payload_json, named in `attachments`),
// in a thread reply, in a deferred command's response, and in an ephemeral follow-up; a retried reply
// (same key) is the same message with one attachment; a file beyond Discord's limit is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, Inbound } from '../../../src/chat/model.ts';
import { IDS, buttonInteraction, slashInteraction } from '../../fakes/discord/index.ts';
import { MAX_UPLOAD_BYTES } from '../../fakes/discord/rest.ts';
import { startHarness, type Harness } from './harness.ts';

const JSON_TEXT = `${JSON.stringify({ format: 'rdp-medic-evidence', host: 'work-pc', note: 'état ✓' }, null, 2)}\n`;
const EVIDENCE: Card = {
  title: 'Evidence of work-pc', status: 'problem', actions: [],
  sections: [{ kind: 'text', text: 'The JSON file holds the facts.' }],
  file: { name: 'evidence-work-pc-2026-12-07T10-00-00-000Z.json', mime: 'application/json', content: JSON_TEXT },
};

describe('discord adapter: a card with a file', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
    assert.deepEqual(h.rejections, []);
  });

  async function inbound(send: () => void): Promise<Inbound> {
    const n = h.inbound.length + 1;
    send();
    return h.waitForInbound(n);
  }

  test('postRoot (deferred command) and postReply (thread): the file is an attachment of the message, byte for byte', async () => {
    const e = await inbound(() => h.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } })));
    const root = await h.adapter.postRoot(e.where, EVIDENCE, 'root:ev1');
    const original = h.fake.world.messages.get(root.messageId)!;
    assert.equal(original.attachments?.length, 1);
    assert.equal(original.attachments![0]!.bytes.toString('utf8'), JSON_TEXT);
    assert.equal(original.attachments![0]!.filename, EVIDENCE.file!.name);
    assert.ok(original.embeds.length > 0, 'the card is still the message');

    const where = { ...e.where, rootMessageId: root.messageId, threadId: root.threadId };
    const reply = await h.adapter.postReply(where, EVIDENCE, 'reply:ev1');
    const again = await h.adapter.postReply(where, EVIDENCE, 'reply:ev1');
    assert.equal(again.messageId, reply.messageId, 'a retry (same key) is the same message');
    const stored = h.fake.world.messages.get(reply.messageId)!;
    assert.equal(stored.attachments?.length, 1);
    assert.equal(stored.attachments![0]!.content_type, 'application/json');
    assert.equal(stored.attachments![0]!.bytes.toString('utf8'), JSON_TEXT);
    const post = h.fake.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${root.threadId}/messages`).at(-1)!;
    const body = post.body as { attachments: unknown; nonce: string };
    assert.deepEqual(body.attachments, [{ id: 0, filename: EVIDENCE.file!.name }]);
    assert.equal(body.nonce, 'reply:ev1');
  });

  test('postEphemeral on a live click: the follow-up carries the file', async () => {
    const e = await inbound(() => h.fake.sendInteraction(buttonInteraction({ customId: 'plan:a1', messageId: '1100000000000000088' })));
    await h.adapter.postEphemeral(e.where, e.user, EVIDENCE);
    const follow = h.fake.calls.filter((c) => c.method === 'POST' && c.path.startsWith(`/webhooks/${IDS.application}/`)).at(-1)!;
    assert.equal((follow.body as { flags: number }).flags, 64);
    const made = [...h.fake.world.messages.values()].at(-1)!;
    assert.equal(made.attachments?.[0]?.bytes.toString('utf8'), JSON_TEXT);
  });

  test("a file beyond Discord's upload limit: a permanent DeliveryError (413), nothing posted", async () => {
    const where = { platform: 'discord' as const, channel: IDS.channel, rootMessageId: null, threadId: IDS.channel, handle: null };
    const before = h.fake.world.messages.size;
    // The card schema keeps files far below this; the fake enforces Discord's own limit regardless.
    const big: Card = { ...EVIDENCE, file: { ...EVIDENCE.file!, content: 'x'.repeat(MAX_UPLOAD_BYTES + 1) } };
    await assert.rejects(h.adapter.postReply(where, big, 'reply:big'), (err: unknown) => err instanceof DeliveryError && err.permanent);
    assert.equal(h.fake.world.messages.size, before);
  });
});
