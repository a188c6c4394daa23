// rdp-medic on Discord end to end: the real discord.js (through the adapter the bot builds from its
// config) against the fake Discord, with a real redis-server, the lab's simulated Windows hosts over
// WinRM, a worker and the bot. Each test waits on what Discord receives (REST calls, gateway frames)
// and on the queues (settled), never on a timer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALICE, BOB, IDS, autocompleteInteraction, buttonInteraction, slashInteraction, type FakeUser, type RestCall, type StoredInteraction } from '../../fakes/discord/index.ts';
import {
  buttonIds,
  clickInThread,
  findButton,
  isCallbackOf,
  isFollowUpOf,
  isOriginalEditOf,
  isPostIn,
  messagesIn,
  startDiscordStack,
  textOf,
  titleOf,
  type DiscordStack,
} from './discord-stack.ts';

/** A guild member with no role at all (only @everyone). */
const CAROL: FakeUser = { id: '1000000000000000302', username: 'carol', roles: [] };

// alice and bob respond (by user id); whoever holds the on-call role approves (bob does). Four-eyes
// covers safe fixes too, so the requester may never approve their own request.
const POLICY = {
  roles: { responder: [`discord:${IDS.alice}`, `discord:${IDS.bob}`], approver: [`discord-role:${IDS.oncallRole}`] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  fourEyes: ['safe', 'disruptive', 'weakens-security'],
  rateLimit: { commandsPerMinute: 1000 },
};

// One host per test, so no test depends on what another did to a host.
const HOSTS = ['work-pc', 'desk-02', 'desk-03', 'desk-04', 'desk-05', 'desk-06'].map((name) => ({ name, scenarios: ['cert-expired'] }));
const FIX = 'regenerate-rdp-certificate';
const SLOW = { timeoutMs: 20_000 };

let d: DiscordStack;

before(async () => {
  // A 1 s heartbeat: the zombie test notices a dead connection within two beats.
  // Our guild, and the ops channel (its threads count as it): anything else is refused.
  d = await startDiscordStack({ policy: POLICY, hosts: HOSTS, heartbeatIntervalMs: 1_000, discord: { allowedGuilds: [IDS.guild], allowedChannels: [IDS.channel] },
    // The "Checking…" root waits for the verdict as long as it takes (the verdict hurries it): a slow
    // machine must not turn "one edit of the response" into a race.
    botSettings: { interimHoldMs: 60_000 },
  });
});

after(async () => {
  await d?.close();
});

const settled = (): Promise<void> => d.stack.settled();
const bodyOf = (c: RestCall): { content?: string; embeds?: unknown[]; components?: unknown[]; flags?: number; allowed_mentions?: unknown } => (c.body ?? {}) as never;

/** `/rdp check host:HOST` by `user` until the verdict is on the root; returns the command and its thread. */
async function check(host: string, user: FakeUser): Promise<{ thread: string; rootId: string }> {
  const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host }, user }));
  await d.fake.waitForCall((c) => isOriginalEditOf(cmd)(c) && titleOf(bodyOf(c)) === `${host}: RDP problem found`, SLOW);
  await settled();
  const rootId = d.fake.world.interactions.get(cmd.id)!.originalId!;
  return { rootId, thread: rootId };
}

/** Checks `host`, then `user` presses its fix button; returns the approval request in the thread. */
async function requestFix(host: string, user: FakeUser): Promise<{ thread: string; approve: ReturnType<typeof findButton>; approvalId: string }> {
  const { thread } = await check(host, user);
  clickInThread(d.fake, thread, findButton(d.fake, thread, `propose:${host}:${FIX}`), user);
  await d.fake.waitForCall((c) => c.method === 'POST' && c.path === `/channels/${thread}/messages` && buttonIds(bodyOf(c)).some((id) => id.startsWith('approve:')), SLOW);
  await settled();
  const approve = findButton(d.fake, thread, 'approve:');
  return { thread, approve, approvalId: approve.customId.slice('approve:'.length) };
}

const resultsIn = (thread: string): string[] => messagesIn(d.fake, thread).map(titleOf).filter((t) => /: (applied|not applied|failed)/.test(t));

describe('Discord end to end', () => {
  test('autocomplete, check, thread, fix request, on-call ping, approval by another member, verified fix, undo', async () => {
    // Autocomplete while typing the host: answered from the inventory, the bot is not involved.
    const ac = d.fake.sendInteraction(autocompleteInteraction({ subcommand: 'check', focused: 'host', value: 'work' }));
    const acCall = await d.fake.waitForCall(isCallbackOf(ac));
    assert.deepEqual(acCall.body, { type: 8, data: { choices: [{ name: 'work-pc', value: 'work-pc' }] } });

    // The command is deferred at once (Discord's 3 seconds), publicly.
    const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'work-pc' }, user: ALICE }));
    const deferral = await d.fake.waitForCall(isCallbackOf(cmd));
    assert.deepEqual(deferral.body, { type: 5, data: { flags: 0 } });

    // The deferred response becomes the root: "thinking…" until the verdict replaces it (the
    // "Checking…" card waits while Discord shows "thinking…", and goes out as the verdict).
    const verdict = await d.fake.waitForCall((c) => isOriginalEditOf(cmd)(c) && titleOf(bodyOf(c)) === 'work-pc: RDP problem found', SLOW);
    assert.ok(deferral.n < verdict.n, 'deferred before the bot answered: the ack never waits for the work');
    await settled();
    assert.equal(d.fake.calls.filter(isOriginalEditOf(cmd)).length, 1, 'one edit of the response: the verdict');
    const rootId = d.fake.world.interactions.get(cmd.id)!.originalId!;
    const root = d.fake.world.messages.get(rootId)!;
    assert.equal(root.channel_id, IDS.channel);
    assert.equal(titleOf(root), 'work-pc: RDP problem found');
    assert.match(textOf(root), /certificate/i);
    assert.deepEqual(buttonIds(root), ['evidence:work-pc'], 'the root has only "Export evidence"; the fix buttons are in the thread');
    // Read in five seconds: the cause once in the whole conversation, evidence as words, not JSON.
    const headline = (await d.bot.state.diagnoses.last('work-pc'))!.diagnosis.headline;
    const conversation = [root, ...messagesIn(d.fake, rootId)].map(textOf).join('\n');
    assert.equal(conversation.split(headline).length - 1, 1, conversation);
    assert.doesNotMatch(conversation, /\{"/);
    assert.match(textOf(root), /one WinRM command \(NTLM\)/, 'the root says how WinRM authenticated');

    // A thread started from the root holds the diagnosis and the fix button.
    const threadCalls = d.fake.callsTo('POST', new RegExp(`^/channels/${IDS.channel}/messages/${rootId}/threads$`));
    assert.equal(threadCalls.length, 1);
    const thread = rootId;
    assert.equal(d.fake.world.channels.get(thread)?.parent_id, IDS.channel);
    const propose = findButton(d.fake, thread, `propose:work-pc:${FIX}`);
    assert.match(textOf(propose.message), /certificate/i);

    // alice presses the fix button: the approval request comes into the thread, pinging on-call.
    const press = clickInThread(d.fake, thread, propose, ALICE);
    assert.deepEqual((await d.fake.waitForCall(isCallbackOf(press))).body, { type: 6 });
    const request = await d.fake.waitForCall((c) => c.method === 'POST' && c.path === `/channels/${thread}/messages` && buttonIds(bodyOf(c)).some((id) => id.startsWith('approve:')), SLOW);
    const asked = bodyOf(request);
    assert.ok(asked.content?.startsWith(`<@&${IDS.oncallRole}> `), asked.content);
    assert.deepEqual(asked.allowed_mentions, { parse: [], roles: [IDS.oncallRole] });
    assert.match(titleOf(asked), /@alice asks to .* on work-pc/);
    const ids = buttonIds(asked);
    const approvalId = ids.find((id) => id.startsWith('approve:'))!.slice('approve:'.length);
    assert.deepEqual(ids, [`approve:${approvalId}`, `reject:${approvalId}`, `plan:${approvalId}`]);
    await settled();

    // bob, holding the approver (on-call) role, approves: the fix runs and is verified from outside.
    const approve = findButton(d.fake, thread, 'approve:');
    const approval = clickInThread(d.fake, thread, approve, BOB);
    assert.deepEqual((await d.fake.waitForCall(isCallbackOf(approval))).body, { type: 6 });
    const result = await d.fake.waitForCall(isPostIn(thread, /^work-pc: .*: applied and verified$/), SLOW);
    await settled();
    assert.match(textOf(bodyOf(result)), /Verified\nyes, from outside/);
    const undoId = buttonIds(bodyOf(result)).find((id) => id.startsWith('undo:work-pc:'));
    assert.ok(undoId, `no Undo button on the result: ${buttonIds(bodyOf(result)).join(', ')}`);
    // The approval card shows the decision and lost its buttons.
    const decided = d.fake.world.messages.get(approve.message.id)!;
    assert.deepEqual(decided.components, []);
    assert.match(titleOf(decided), /^Done: replace the RDP certificate .* on work-pc, asked by @alice$/);
    assert.match(textOf(decided), /\(approved by @bob\)/);
    assert.doesNotMatch(textOf(decided), /What will change/);
    // The root now says the host was fixed, by whom, verified; its verdict is the re-check's.
    const fixedRoot = d.fake.world.messages.get(rootId)!;
    assert.match(titleOf(fixedRoot), /^work-pc: fixed · looks healthy$/);
    assert.match(textOf(fixedRoot), new RegExp(`Fixed at .* \\(asked by <@${IDS.alice}>, approved by <@${IDS.bob}>\\): replace the RDP certificate .*; verified from outside\\.`));
    assert.equal((await d.bot.state.approvals.get(approvalId))?.state, 'done');

    // alice presses Undo: an undo is a fix, so it asks for approval (four-eyes); bob approves it
    // and the host is put back as it was, verified.
    const undo = findButton(d.fake, thread, 'undo:work-pc:');
    clickInThread(d.fake, thread, undo, ALICE);
    const undoRequest = await d.fake.waitForCall((c) => c.method === 'POST' && c.path === `/channels/${thread}/messages` && /undo/i.test(titleOf(bodyOf(c))) && buttonIds(bodyOf(c)).some((id) => id.startsWith('approve:')), SLOW);
    assert.match(titleOf(bodyOf(undoRequest)), /@alice asks to undo .* on work-pc/);
    await settled();
    clickInThread(d.fake, thread, findButton(d.fake, thread, 'approve:'), BOB);
    const undone = await d.fake.waitForCall(isPostIn(thread, /^work-pc: undo u-\S+: undone and verified$/), SLOW);
    await settled();
    assert.match(textOf(bodyOf(undone)), /certificate/i);
    // And after the undo the root says so, red again: the expired certificate is back.
    const undoneRoot = d.fake.world.messages.get(rootId)!;
    assert.match(titleOf(undoneRoot), /^work-pc: fix undone · RDP problem found$/);
    assert.match(textOf(undoneRoot), new RegExp(`Fix undone at .* \\(asked by <@${IDS.alice}>, approved by <@${IDS.bob}>\\)`));

    const audit = (await d.bot.state.audit.historyOf('work-pc', 50)).map((e) => `${e.kind}:${e.actor}`);
    for (const expected of [`command:discord:${IDS.alice}`, `decision:discord:${IDS.bob}`, 'result:worker', 'verification:worker', `command:discord:${IDS.bob}`]) {
      assert.ok(audit.some((k) => k.startsWith(expected)), `${expected} missing from ${audit.join(', ')}`);
    }
    // Every thread message went out once (enforce_nonce on replies), and nothing leaked a token.
    assert.equal(resultsIn(thread).length, 1);
  });

  test('a member without any role presses Approve: refused to them alone (ephemeral), nothing runs', async () => {
    const { thread, approve, approvalId } = await requestFix('desk-02', ALICE);
    const click = clickInThread(d.fake, thread, approve, CAROL);
    const refusal = await d.fake.waitForCall(isFollowUpOf(click), SLOW);
    await settled();
    assert.equal(bodyOf(refusal).flags, 64, 'the refusal is ephemeral');
    assert.match(textOf(bodyOf(refusal)), /@carol may not approve safe fixes: discord:1000000000000000302 has no rdp-medic role/);
    assert.equal((await d.bot.state.approvals.get(approvalId))?.state, 'pending');
    assert.deepEqual(resultsIn(thread), []);
    assert.deepEqual(buttonIds(d.fake.world.messages.get(approve.message.id)), [`approve:${approvalId}`, `reject:${approvalId}`, `plan:${approvalId}`], 'the buttons stay for a real approver');
    const history = await d.bot.state.audit.historyOf('desk-02', 50);
    assert.ok(!history.some((e) => e.kind === 'result' && (e.data as { approvalId?: string }).approvalId === approvalId), 'no fix ran');
  });

  test('self-approval is refused (four-eyes), even for a requester who holds the approver role', async () => {
    const { thread, approve, approvalId } = await requestFix('desk-03', BOB);
    const click = clickInThread(d.fake, thread, approve, BOB);
    const refusal = await d.fake.waitForCall(isFollowUpOf(click), SLOW);
    await settled();
    assert.equal(bodyOf(refusal).flags, 64);
    assert.match(textOf(bodyOf(refusal)), /@bob may not approve their own safe fix \(four-eyes\)/);
    assert.equal((await d.bot.state.approvals.get(approvalId))?.state, 'pending');
    assert.deepEqual(resultsIn(thread), []);
  });

  test('a double click on Approve (two interactions at once) runs the fix once: one result', async () => {
    const { thread, approve, approvalId } = await requestFix('desk-04', ALICE);
    const first = clickInThread(d.fake, thread, approve, BOB);
    const second = clickInThread(d.fake, thread, approve, BOB);
    await d.fake.waitForCall(isPostIn(thread, /^desk-04: .*: applied and verified$/), SLOW);
    // The losing click is told why, privately (already approved, or the host is busy with the fix).
    const refusal = await d.fake.waitForCall((c) => isFollowUpOf(first)(c) || isFollowUpOf(second)(c), SLOW);
    await settled();
    assert.equal(bodyOf(refusal).flags, 64);
    assert.match(textOf(bodyOf(refusal)), /already approved by @bob|busy/);
    assert.equal(d.fake.calls.filter((c) => isFollowUpOf(first)(c) || isFollowUpOf(second)(c)).length, 1);
    assert.equal(resultsIn(thread).length, 1);
    const results = (await d.bot.state.audit.historyOf('desk-04', 50)).filter((e) => e.kind === 'result' && (e.data as { approvalId?: string }).approvalId === approvalId);
    assert.equal(results.length, 1);
  });

  test('a zombie gateway connection after the command was acknowledged: the client resumes and the answer arrives', async () => {
    const diagnose = d.stack.workers[0]!.workers[0]!;
    // Hold the diagnosis back so the answer can only come after the gateway went zombie.
    await diagnose.pause();
    const identifies = d.fake.gateway.frames((e) => e.dir === 'in' && e.frame.op === 2).length;
    const cmd = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'desk-05' }, user: ALICE }));
    await d.fake.waitForCall(isCallbackOf(cmd));
    const zombieFrom = performance.now();
    d.fake.gateway.stopAckingHeartbeats();
    const resume = await d.fake.waitForFrame((e) => e.dir === 'in' && e.frame.op === 6 && e.at >= zombieFrom, { timeoutMs: 10_000 });
    await d.fake.waitForFrame((e) => e.dir === 'out' && e.frame.t === 'RESUMED' && e.connection === resume.connection);
    assert.ok(resume.connection > 1, 'resumed on a new connection');
    assert.equal(d.fake.gateway.frames((e) => e.dir === 'in' && e.frame.op === 2).length, identifies, 'resumed, not identified again');
    diagnose.resume();

    await d.fake.waitForCall((c) => isOriginalEditOf(cmd)(c) && titleOf(bodyOf(c)) === 'desk-05: RDP problem found', SLOW);
    await settled();
    // The gateway works after the resume: a click on the new connection reaches the bot.
    const thread = d.fake.world.interactions.get(cmd.id)!.originalId!;
    clickInThread(d.fake, thread, findButton(d.fake, thread, `propose:desk-05:${FIX}`), ALICE);
    await d.fake.waitForCall((c) => c.method === 'POST' && c.path === `/channels/${thread}/messages` && buttonIds(bodyOf(c)).some((id) => id.startsWith('approve:')), SLOW);
    await settled();
    assert.equal(d.fake.calls.filter((c) => isOriginalEditOf(cmd)(c) && titleOf(bodyOf(c)) === 'desk-05: RDP problem found').length, 1, 'answered once');
  });

  test('malformed interaction payloads are dropped without a crash; the next valid command is answered', async () => {
    const noEntitlements = slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } });
    delete noEntitlements.entitlements;
    const noChannel = slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } });
    delete noChannel.channel;
    const noWho = slashInteraction({ subcommand: 'hosts' });
    delete noWho.member;
    const clickWithoutMessage = buttonInteraction({ customId: 'approve:a_x', messageId: '1' });
    delete clickWithoutMessage.message;
    const longId = buttonInteraction({ customId: `approve:${'x'.repeat(200)}`, messageId: '1' });
    const noData = slashInteraction({ subcommand: 'hosts' });
    delete noData.data;
    const malformed = [noEntitlements, noChannel, noWho, clickWithoutMessage, longId, noData];
    for (const p of malformed) d.fake.sendInteraction(p);
    d.fake.gateway.dispatch('INTERACTION_CREATE', null);
    d.fake.gateway.dispatch('INTERACTION_CREATE', { id: 'x', type: 'nonsense' });

    // A well-formed command sent after them is answered; the malformed ones got no answer at all.
    const hosts = d.fake.sendInteraction(slashInteraction({ subcommand: 'hosts', user: BOB }));
    await d.fake.waitForCall((c) => isOriginalEditOf(hosts)(c) && /hosts in the inventory/.test(titleOf(bodyOf(c))), SLOW);
    await settled();
    for (const p of malformed) assert.equal(d.fake.world.interactions.get(String(p.id))?.callback, undefined, 'a malformed interaction was acknowledged');
    const dropped = d.logLines.filter((l) => l.includes('dropped a malformed INTERACTION_CREATE'));
    assert.equal(dropped.length, malformed.length + 2);
    assert.deepEqual(d.rejections, []);
  });

  test('a command, a click or autocomplete from a guild that is not ours, or from another channel: refused to the sender, nothing reaches the bot', async () => {
    await settled();
    const FOREIGN = '1000000000000000999';
    const audited = (await d.bot.state.audit.historyOf('work-pc', 200)).length;
    /** The interaction's answer: an ephemeral reply (type 4, flags 64) saying why. */
    const refusalOf = async (i: StoredInteraction): Promise<string> => {
      const body = (await d.fake.waitForCall(isCallbackOf(i))).body as { type: number; data: { content: string; flags: number } };
      assert.equal(body.type, 4);
      assert.equal(body.data.flags, 64, 'ephemeral');
      return body.data.content;
    };
    const foreign = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'work-pc' }, user: ALICE, guildId: FOREIGN }));
    assert.equal(await refusalOf(foreign), 'rdp-medic is not enabled in this server.');
    const click = d.fake.sendInteraction(buttonInteraction({ customId: `propose:work-pc:${FIX}`, messageId: '1100000000000000777', user: ALICE, guildId: FOREIGN }));
    assert.equal(await refusalOf(click), 'rdp-medic is not enabled in this server.');
    const ac = d.fake.sendInteraction(autocompleteInteraction({ subcommand: 'check', focused: 'host', value: 'work', guildId: FOREIGN }));
    assert.deepEqual((await d.fake.waitForCall(isCallbackOf(ac))).body, { type: 8, data: { choices: [] } }, 'the inventory is not for other servers');
    const other = d.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'work-pc' }, user: ALICE, channelId: IDS.otherChannel }));
    assert.equal(await refusalOf(other), `rdp-medic does not answer in this channel; use <#${IDS.channel}>.`);
    // The next command from our guild and channel is answered; the refused ones never reached the bot.
    const hosts = d.fake.sendInteraction(slashInteraction({ subcommand: 'hosts', user: BOB }));
    await d.fake.waitForCall((c) => isOriginalEditOf(hosts)(c) && /hosts in the inventory/.test(titleOf(bodyOf(c))), SLOW);
    await settled();
    assert.equal((await d.bot.state.audit.historyOf('work-pc', 200)).length, audited, 'nothing audited for work-pc');
    for (const i of [foreign, click, other]) assert.equal(d.fake.calls.filter((c) => isOriginalEditOf(i)(c) || isFollowUpOf(i)(c)).length, 0);
    assert.equal(d.logLines.filter((l) => l.includes('refused an interaction from outside discord.allowedGuilds')).length, 4);
  });

  test('Export evidence on the root: the evidence JSON is attached to a message in its thread', async () => {
    const { rootId, thread } = await check('desk-06', ALICE);
    const root = d.fake.world.messages.get(rootId)!;
    assert.deepEqual(buttonIds(root), ['evidence:desk-06']);
    const press = d.fake.sendInteraction(buttonInteraction({ customId: 'evidence:desk-06', messageId: rootId, channelId: IDS.channel, user: ALICE }));
    assert.deepEqual((await d.fake.waitForCall(isCallbackOf(press))).body, { type: 6 });
    await d.fake.waitForCall(isPostIn(thread, /^Evidence of desk-06$/), SLOW);
    await settled();
    const posted = messagesIn(d.fake, thread).find((m) => titleOf(m) === 'Evidence of desk-06')!;
    assert.equal(posted.attachments?.length, 1);
    assert.match(posted.attachments![0]!.filename, /^evidence-desk-06-.*\.json$/);
    const doc = JSON.parse(posted.attachments![0]!.bytes.toString('utf8')) as { host: string; verdict: string };
    assert.deepEqual([doc.host, doc.verdict], ['desk-06', 'problem']);
    assert.ok(!textOf(posted).includes('{"'), 'the JSON is in the file, not the message');
  });

  test('no unhandled rejection, and no token in any log line', () => {
    assert.deepEqual(d.rejections, []);
    const tokens = [d.fake.token, ...[...d.fake.world.interactions.values()].map((i) => i.token)];
    for (const line of d.logLines) for (const t of tokens) assert.ok(!line.includes(t), `a log line holds a token: ${line}`);
    assert.ok(d.logLines.some((l) => l.includes('connected to Discord')));
  });
});
