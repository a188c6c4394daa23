// The Discord adapter with the real discord.js against the fake Discord: acknowledgements come
// before the bot hears of an event, replies land where they should (the deferred response, its
// thread, ephemeral follow-ups), and Discord's failures become the right DeliveryErrors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, Inbound } from '../../../src/chat/model.ts';
import { BOB, IDS, autocompleteInteraction, buttonInteraction, discordError, rateLimited, serverError, slashInteraction, type RestCall } from '../../fakes/discord/index.ts';
import { startHarness, type Harness } from './harness.ts';

const card = (title: string, extra: Partial<Card> = {}): Card => ({ title, status: 'ok', sections: [{ kind: 'text', text: `${title} body` }], actions: [], ...extra });
const isCallback = (id: string) => (c: RestCall) => c.method === 'POST' && c.path.startsWith(`/interactions/${id}/`);
const commandOf = (e: Inbound): Extract<Inbound, { kind: 'command' }> => {
  assert.equal(e.kind, 'command');
  return e as Extract<Inbound, { kind: 'command' }>;
};

describe('discord adapter: inbound', () => {
  let h: Harness;
  let callbackBeforeHandler: boolean | null = null;
  before(async () => {
    h = await startHarness({
      onInbound: (e) => {
        // What the fake had received by the time the bot's handler ran.
        if (e.where.handle) callbackBeforeHandler = h.fake.world.interactions.get(e.where.handle)?.callback !== undefined;
        return Promise.resolve();
      },
    });
  });
  after(async () => {
    await h.close();
    assert.deepEqual(h.rejections, []);
  });

  test('a slash command is deferred (type 5) before the bot gets it, with the grammar text, user, roles and channel', async () => {
    const sent = h.fake.sendInteraction(slashInteraction({ subcommand: 'fix', options: { host: 'work-pc', fix: 'cert-regenerate' }, user: BOB }));
    const e = commandOf(await h.waitForInbound(1));
    assert.equal(callbackBeforeHandler, true, 'the deferral reached Discord before onInbound ran');
    const cb = await h.fake.waitForCall(isCallback(sent.id));
    assert.deepEqual(cb.body, { type: 5, data: { flags: 0 } });
    assert.equal(cb.authorization, undefined, 'callbacks carry no bot token');
    assert.equal(e.text, 'fix work-pc cert-regenerate');
    assert.deepEqual(e.user, { platform: 'discord', id: IDS.bob, name: 'bob', groups: [IDS.responderRole, IDS.oncallRole] });
    assert.deepEqual(e.where, { platform: 'discord', channel: IDS.channel, rootMessageId: null, threadId: null, handle: sent.id });
    assert.ok(!JSON.stringify(e).includes(sent.token), 'the token never reaches the bot');
  });

  test('autocomplete answers with inventory matches (and group:/tag: for check) without calling the bot', async () => {
    const before = h.inbound.length;
    const check = h.fake.sendInteraction(autocompleteInteraction({ subcommand: 'check', focused: 'host', value: 'la' }));
    const cb = await h.fake.waitForCall(isCallback(check.id));
    assert.deepEqual(cb.body, { type: 8, data: { choices: [{ name: 'group:lab', value: 'group:lab' }, { name: 'work-laptop', value: 'work-laptop' }] } });
    const fix = h.fake.sendInteraction(autocompleteInteraction({ subcommand: 'fix', focused: 'fix', value: 'RE', others: { host: 'work-pc' } }));
    const fixCb = await h.fake.waitForCall(isCallback(fix.id));
    assert.deepEqual((fixCb.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value), ['reset-rdp-port', 'restart-termservice', 'cert-regenerate']);
    const status = h.fake.sendInteraction(autocompleteInteraction({ subcommand: 'status', focused: 'host', value: '' }));
    const statusCb = await h.fake.waitForCall(isCallback(status.id));
    assert.deepEqual((statusCb.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value), ['build-agent', 'db-01', 'work-laptop', 'work-pc']);
    assert.equal(h.inbound.length, before);
  });

  test('a button is acknowledged with deferUpdate (type 6), then the bot gets the action', async () => {
    const n = h.inbound.length + 1;
    const sent = h.fake.sendInteraction(buttonInteraction({ customId: 'approve:ap-1', messageId: '1100000000000000001', user: BOB }));
    const e = await h.waitForInbound(n);
    assert.equal(callbackBeforeHandler, true);
    assert.deepEqual((await h.fake.waitForCall(isCallback(sent.id))).body, { type: 6 });
    assert.deepEqual(e, {
      kind: 'action', actionId: 'approve:ap-1', messageId: '1100000000000000001', receivedAt: e.receivedAt, deliveryId: sent.id,
      user: { platform: 'discord', id: IDS.bob, name: 'bob', groups: [IDS.responderRole, IDS.oncallRole] },
      where: { platform: 'discord', channel: IDS.channel, rootMessageId: null, threadId: null, handle: sent.id },
    });
  });

  test('a click inside a thread names the thread as channel, thread and root', async () => {
    const n = h.inbound.length + 1;
    const thread = '1100000000000000050';
    h.fake.sendInteraction(buttonInteraction({ customId: 'undo:work-pc:u-1', messageId: '1100000000000000051', channelId: thread, channelType: 11, parentId: IDS.channel }));
    const e = await h.waitForInbound(n);
    assert.deepEqual({ ...e.where, handle: null }, { platform: 'discord', channel: thread, rootMessageId: thread, threadId: thread, handle: null });
  });

  test('a malformed INTERACTION_CREATE is dropped and logged; the process and the next command carry on', async () => {
    const n = h.inbound.length + 1;
    const bad = slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } });
    delete bad.entitlements;
    h.fake.sendInteraction(bad);
    const noMessage = buttonInteraction({ customId: 'approve:x', messageId: '1' });
    delete noMessage.message;
    h.fake.sendInteraction(noMessage);
    h.fake.gateway.dispatch('INTERACTION_CREATE', { id: 'x', type: 'nonsense' });
    h.fake.sendInteraction(slashInteraction({ subcommand: 'hosts' }));
    const e = commandOf(await h.waitForInbound(n));
    assert.equal(e.text, 'hosts', 'the malformed ones never reached the bot');
    assert.deepEqual(h.rejections, []);
  });
});

describe('discord adapter: outbound', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ oncallRoleId: IDS.oncallRole });
  });
  after(async () => {
    await h.close();
    assert.deepEqual(h.rejections, []);
  });

  async function command(sub = 'check'): Promise<Extract<Inbound, { kind: 'command' }>> {
    const n = h.inbound.length + 1;
    h.fake.sendInteraction(slashInteraction({ subcommand: sub, options: sub === 'check' ? { host: 'work-pc' } : {} }));
    return commandOf(await h.waitForInbound(n));
  }

  test('postRoot edits the deferred @original response and starts a thread from it; replies go into the thread with a nonce', async () => {
    const e = await command();
    const since = h.fake.calls.length;
    const root = await h.adapter.postRoot(e.where, card('work-pc: RDP problem found', { status: 'problem', actions: [{ id: 'details:r1', label: 'Details', style: 'default' }] }), 'root:r1');
    const edit = await h.fake.waitForCall((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'), { since });
    assert.match(edit.path, new RegExp(`^/webhooks/${IDS.application}/[^/]+/messages/@original$`));
    const body = edit.body as { embeds: { title: string }[]; components: unknown[] };
    assert.equal(body.embeds[0]?.title, 'work-pc: RDP problem found');
    assert.deepEqual(body.components, [{ type: 1, components: [{ type: 2, custom_id: 'details:r1', label: 'Details', style: 2 }] }]);
    const thread = await h.fake.waitForCall((c) => c.method === 'POST' && c.path.endsWith('/threads'), { since });
    assert.equal(thread.path, `/channels/${IDS.channel}/messages/${root.messageId}/threads`);
    assert.equal(thread.authorization, `Bot ${h.fake.token}`);
    assert.equal(root.threadId, root.messageId, 'a thread started from a message has its id');
    assert.equal(h.fake.world.channels.get(root.threadId!)?.parent_id, IDS.channel);

    const where = { ...e.where, rootMessageId: root.messageId, threadId: root.threadId };
    const reply = await h.adapter.postReply(where, card('step 1'), 'reply:r1:1');
    const again = await h.adapter.postReply(where, card('step 1'), 'reply:r1:1');
    assert.equal(again.messageId, reply.messageId, 'a retried reply (same key) is the same message');
    const posts = h.fake.callsTo('POST', new RegExp(`^/channels/${root.threadId}/messages$`));
    assert.equal(posts.length, 2);
    assert.deepEqual(posts.map((p) => [(p.body as { nonce: string }).nonce, (p.body as { enforce_nonce: boolean }).enforce_nonce]), [['reply:r1:1', true], ['reply:r1:1', true]]);
    assert.equal(h.fake.world.messages.get(reply.messageId)?.channel_id, root.threadId);
  });

  test('updateMessage replaces the root (through the live token) and can remove or disable buttons', async () => {
    const e = await command();
    const root = await h.adapter.postRoot(e.where, card('Approve?', { actions: [{ id: 'approve:a9', label: 'Approve', style: 'primary' }] }), 'root:a9');
    const where = { ...e.where, rootMessageId: root.messageId, threadId: root.threadId };
    await h.adapter.updateMessage(where, root.messageId, card('Approved by @bob'));
    assert.deepEqual(h.fake.world.messages.get(root.messageId)?.components, [], 'a card without actions removes the buttons');
    // With the token gone the adapter edits the root in its channel (the thread's parent).
    h.fake.expireInteraction(e.where.handle!);
    const threadWhere = { ...where, channel: root.threadId!, handle: null };
    await h.adapter.updateMessage(threadWhere, root.messageId, card('Done', { actions: [{ id: 'undo:work-pc:u-1', label: 'Undo', style: 'danger' }] }));
    const last = h.fake.calls.at(-1)!;
    assert.equal(`${last.method} ${last.path}`, `PATCH /channels/${IDS.channel}/messages/${root.messageId}`);
    assert.equal((h.fake.world.messages.get(root.messageId)?.embeds[0] as { title: string }).title, 'Done');
  });

  test('a reply in the thread is edited in the thread', async () => {
    const e = await command();
    const root = await h.adapter.postRoot(e.where, card('root'), 'root:x2');
    const where = { ...e.where, rootMessageId: root.messageId, threadId: root.threadId, handle: null };
    const reply = await h.adapter.postReply(where, card('plan', { actions: [{ id: 'approve:z', label: 'Approve', style: 'primary' }] }), 'reply:x2');
    await h.adapter.updateMessage(where, reply.messageId, card('plan (decided)'));
    assert.equal(h.fake.calls.at(-1)!.path, `/channels/${root.threadId}/messages/${reply.messageId}`);
    assert.deepEqual(h.fake.world.messages.get(reply.messageId)?.components, []);
  });

  test('without a live interaction, postRoot posts in the channel with nonce = key (retries never double) and threads it', async () => {
    const where = { platform: 'discord' as const, channel: IDS.channel, rootMessageId: null, threadId: null, handle: null };
    const a = await h.adapter.postRoot(where, card('fleet: group:lab'), 'root:fleet-1');
    const b = await h.adapter.postRoot(where, card('fleet: group:lab'), 'root:fleet-1');
    assert.deepEqual(b, a, 'same key: same message, same thread (160004 handled)');
    const posts = h.fake.callsTo('POST', new RegExp(`^/channels/${IDS.channel}/messages$`)).slice(-2);
    assert.deepEqual(posts.map((p) => (p.body as { nonce: string }).nonce), ['root:fleet-1', 'root:fleet-1']);
    assert.equal(h.fake.callsTo('POST', /\/threads$/).filter((c) => c.status === 400).length, 1);
  });

  test('postEphemeral follows up with the ephemeral flag on a live click, and falls back to a mention in the thread', async () => {
    const n = h.inbound.length + 1;
    const click = h.fake.sendInteraction(buttonInteraction({ customId: 'plan:a1', messageId: '1100000000000000077' }));
    const e = await h.waitForInbound(n);
    await h.adapter.postEphemeral(e.where, e.user, card('The exact plan'));
    const follow = h.fake.calls.at(-1)!;
    assert.equal(follow.method, 'POST');
    assert.match(follow.path, new RegExp(`^/webhooks/${IDS.application}/[^/]+$`));
    assert.equal(follow.query.get('wait'), 'true');
    assert.equal((follow.body as { flags: number }).flags, 64);
    assert.equal(follow.authorization, undefined);

    h.fake.expireInteraction(click.id);
    const thread = { ...e.where, threadId: IDS.channel };
    await h.adapter.postEphemeral(thread, e.user, card('Refused'));
    const post = h.fake.calls.filter((c) => c.status === 200).at(-1)!;
    assert.equal(post.path, `/channels/${IDS.channel}/messages`);
    const body = post.body as { content: string; allowed_mentions: unknown; flags?: number };
    assert.match(body.content, new RegExp(`^<@${IDS.alice}> `));
    assert.deepEqual(body.allowed_mentions, { parse: [], users: [IDS.alice] });
  });

  test("postEphemeral on a fresh slash command removes the public 'thinking…' placeholder first", async () => {
    const e = await command('hosts');
    const since = h.fake.calls.length;
    await h.adapter.postEphemeral(e.where, e.user, card('You may not do that'));
    const calls = h.fake.calls.slice(since).map((c) => `${c.method} ${c.path.replace(/\/webhooks\/\d+\/[^/]+/, '/webhooks/APP/TOKEN')}`);
    assert.deepEqual(calls, ['DELETE /webhooks/APP/TOKEN/messages/@original', 'POST /webhooks/APP/TOKEN']);
  });

  test("the on-call role is mentioned only for notify:'oncall', with allowed_mentions naming it", async () => {
    const where = { platform: 'discord' as const, channel: IDS.channel, rootMessageId: null, threadId: null, handle: null };
    await h.adapter.postRoot(where, card('plain'), 'root:plain');
    const plain = h.fake.callsTo('POST', new RegExp(`^/channels/${IDS.channel}/messages$`)).at(-1)!.body as { content: string; allowed_mentions: unknown };
    assert.equal(plain.content, '');
    assert.deepEqual(plain.allowed_mentions, { parse: [] });
    await h.adapter.postRoot(where, card('Approval needed', { notify: 'oncall' }), 'root:ping');
    const ping = h.fake.callsTo('POST', new RegExp(`^/channels/${IDS.channel}/messages$`)).at(-1)!.body as { content: string; allowed_mentions: unknown };
    assert.equal(ping.content, `<@&${IDS.oncallRole}> Approval needed`);
    assert.deepEqual(ping.allowed_mentions, { parse: [], roles: [IDS.oncallRole] });
  });

  test('a 500 is a transient DeliveryError; permanent codes map; nothing carries a token', async () => {
    const where = { platform: 'discord' as const, channel: IDS.channel, rootMessageId: null, threadId: IDS.channel, handle: null };
    const match = (c: RestCall): boolean => c.method === 'POST' && c.path === `/channels/${IDS.channel}/messages`;
    h.fake.fail({ match, reply: serverError() });
    const transient = await h.adapter.postReply(where, card('x'), 'k-500').catch((e: unknown) => e);
    assert.ok(transient instanceof DeliveryError);
    assert.equal(transient.permanent, false);
    assert.equal(transient.retryAfterMs, undefined);
    for (const [status, code, text] of [[403, 50013, 'Missing Permissions'], [403, 50001, 'Missing Access'], [404, 10003, 'Unknown Channel']] as const) {
      h.fake.fail({ match, reply: discordError(status, code, text) });
      const err = await h.adapter.postReply(where, card('x'), `k-${code}`).catch((e: unknown) => e);
      assert.ok(err instanceof DeliveryError);
      assert.equal(err.permanent, true, `${code} is permanent`);
      assert.match(err.message, new RegExp(String(code)));
    }
    // A webhook route: the interaction token is in the URL, never in the error.
    const n = h.inbound.length + 1;
    const click = h.fake.sendInteraction(buttonInteraction({ customId: 'plan:t', messageId: '1100000000000000078' }));
    const e = await h.waitForInbound(n);
    h.fake.fail({ match: (c) => c.path.startsWith('/webhooks/'), reply: discordError(400, 50035, 'Invalid Form Body') });
    const bad = await h.adapter.postEphemeral(e.where, e.user, card('x')).catch((x: unknown) => x);
    assert.ok(bad instanceof DeliveryError);
    assert.ok(!bad.message.includes(click.token) && !bad.message.includes(h.fake.token), bad.message);
    assert.equal(bad.cause, undefined, 'the library error (with its URL) is not attached');
  });

  test('a long 429 comes back as retryAfterMs; a short one is waited out by the library', async () => {
    const where = { platform: 'discord' as const, channel: IDS.channel, rootMessageId: null, threadId: IDS.channel, handle: null };
    const match = (c: RestCall): boolean => c.method === 'POST' && c.path === `/channels/${IDS.channel}/messages`;
    h.fake.fail({ match, reply: rateLimited(30, { bucket: 'long' }) });
    const limited = await h.adapter.postReply(where, card('x'), 'k-429').catch((e: unknown) => e);
    assert.ok(limited instanceof DeliveryError, String(limited));
    assert.equal(limited.permanent, false);
    assert.ok((limited.retryAfterMs ?? 0) >= 29_000 && (limited.retryAfterMs ?? 0) <= 31_000, String(limited.retryAfterMs));

    const since = h.fake.calls.length;
    h.fake.fail({ match, reply: rateLimited(0.05, { bucket: 'short' }) });
    const ok = await h.adapter.postReply(where, card('y'), 'k-429-short');
    assert.ok(ok.messageId);
    assert.deepEqual(h.fake.calls.slice(since).filter(match).map((c) => c.status), [429, 200]);
  });
});

describe('discord adapter: autocomplete within scope', () => {
  test('suggests what the interacting user may target, asked with that user', async () => {
    const askedFor: string[] = [];
    const h = await startHarness({
      inventory: (user) => {
        askedFor.push(user.id);
        return user.id === IDS.bob ? { names: ['db-01'], groups: ['office'], tags: [] } : { names: [], groups: [], tags: [] };
      },
    });
    try {
      const asBob = h.fake.sendInteraction(autocompleteInteraction({ subcommand: 'check', focused: 'host', value: '', user: BOB }));
      const bobCb = await h.fake.waitForCall(isCallback(asBob.id));
      assert.deepEqual((bobCb.body as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value), ['db-01', 'group:office']);
      const other = h.fake.sendInteraction(autocompleteInteraction({ subcommand: 'check', focused: 'host', value: 'w' }));
      const otherCb = await h.fake.waitForCall(isCallback(other.id));
      assert.deepEqual((otherCb.body as { data: { choices: unknown[] } }).data.choices, []);
      assert.deepEqual(askedFor, [IDS.bob, IDS.alice]);
    } finally {
      await h.close();
    }
  });
});
