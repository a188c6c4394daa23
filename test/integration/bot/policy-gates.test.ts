// The policy gates through the bot, with real Redis, the lab and a worker: roles scoped to inventory
// tags through group: expansion, the hosts list and fix requests; four-eyes across two accounts of one
// person; an approval answered only on its own message (typed: in its own channel); a flood of clicks
// on one button acted on once; clicks counted by the rate limit; a replayed delivery acted on once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatUser } from '../../../src/chat/model.ts';
import { ChatRecorder, person, TEST_CHANNEL, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
/** alice's Slack account: the same person as console:alice (policy.people). */
const aliceSlack: ChatUser = { platform: 'slack', id: 'U0ALICE', name: 'alice.slack', groups: [] };
const bob = person('bob');
const carol = person('carol');
const dave = person('dave');
const erin = person('erin');
const frank = person('frank');
const FIX = 'regenerate-rdp-certificate';
/** Low enough to reach with a handful of clicks; each test's people stay below it. */
const PER_MINUTE = 8;

const POLICY = {
  roles: {
    responder: ['console:alice', 'console:bob', 'console:dave', 'console:erin', 'slack:U0ALICE'],
    approver: ['console:bob', 'slack:U0ALICE'],
    // carol looks after the hosts with an expired certificate only.
    'cert-responder': { members: ['console:carol'], scope: ['tag:cert-expired'] },
  },
  people: { alice: ['console:alice', 'slack:U0ALICE'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  fourEyes: ['safe', 'disruptive', 'weakens-security'],
  rateLimit: { commandsPerMinute: PER_MINUTE },
};

const HOSTS = [
  { name: 'cert-01', scenarios: ['cert-expired'] },
  { name: 'cert-02', scenarios: ['cert-expired'] },
  { name: 'db-01', scenarios: ['termservice-stopped'] },
  { name: 'ok-01', scenarios: ['healthy'] },
];

let stack: Stack;
const recorder = new ChatRecorder();

before(async () => {
  stack = await startStack([recorder], { hosts: HOSTS, config: { policy: POLICY } });
});
after(async () => stack?.close());

const textOf = (r: Recorded): string =>
  [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.fields.map((f) => `${f.label}: ${f.value}`).join('\n'))), r.card.footer ?? ''].join('\n');
const toUser = (who: ChatUser): Recorded[] => recorder.records.filter((r) => r.op === 'ephemeral' && r.user === who.id);
const since = (n: number): Recorded[] => recorder.records.slice(n);

async function say(text: string, who: ChatUser, opts: { channel?: string } = {}): Promise<void> {
  await recorder.command(text, who, opts);
  await stack.settled();
}

async function press(actionId: string, messageId: string, who: ChatUser): Promise<void> {
  await recorder.click(actionId, messageId, who);
  await stack.settled();
}

/** alice asks for the fix on `host`; returns the approval id and the message its request is on. */
async function requested(host: string, who: ChatUser = alice): Promise<{ id: string; messageId: string }> {
  await say(`fix ${host} ${FIX}`, who);
  const action = recorder.action('approve:');
  const record = await stack.bot!.state.approvals.get(action.id.slice('approve:'.length));
  assert.equal(record?.host, host, 'the newest approval request is for this host');
  return { id: record.id, messageId: action.messageId };
}

const stateOf = async (id: string): Promise<string | undefined> => (await stack.bot!.state.approvals.get(id))?.state;

describe('policy through the bot', () => {
  test('a role scoped to a tag: group: checks only its hosts and says how many were left out; the rest is refused', async () => {
    const before = recorder.records.length;
    await say('check group:lab', carol);
    assert.ok(await stack.bot!.state.diagnoses.last('cert-01'), 'cert-01 (tag cert-expired) was checked');
    assert.ok(await stack.bot!.state.diagnoses.last('cert-02'), 'cert-02 (tag cert-expired) was checked');
    assert.equal(await stack.bot!.state.diagnoses.last('db-01'), null, 'db-01 is outside carol\'s scope: not checked');
    assert.equal(await stack.bot!.state.diagnoses.last('ok-01'), null, 'ok-01 is outside carol\'s scope: not checked');
    const leftOut = toUser(carol).at(-1)!;
    assert.equal(leftOut.card.title, 'group:lab: 2 hosts left out');
    assert.match(textOf(leftOut), /2 of the 4 hosts in group:lab are outside your roles' scope and were not checked; the check covers the other 2\./);
    assert.ok(since(before).some((r) => /group:lab: 2 of 2 checked/.test(r.card.title)), since(before).map((r) => r.card.title).join('\n'));

    await say('check db-01', carol);
    assert.match(textOf(toUser(carol).at(-1)!), /@carol may not check db-01: your roles \(cert-responder\) cover tag:cert-expired only\. Who can: the responder role/);
    await say(`fix db-01 ${FIX}`, carol);
    assert.match(textOf(toUser(carol).at(-1)!), /@carol may not request fixes on db-01: your roles \(cert-responder\) cover tag:cert-expired only/);
    assert.equal(await stack.bot!.state.diagnoses.last('db-01'), null, 'refusals change nothing');

    await say('hosts', carol);
    const list = recorder.records.filter((r) => r.op === 'root' && /hosts? in the inventory/.test(r.card.title)).at(-1)!;
    assert.equal(list.card.title, '2 hosts in the inventory');
    assert.match(textOf(list), /cert-01/);
    assert.doesNotMatch(textOf(list), /db-01|ok-01/);
    assert.match(textOf(list), /2 more hosts are outside your roles' scope\./);
  });

  test('four-eyes compares people: alice\'s Slack account may not approve what her console account asked', async () => {
    const { id, messageId } = await requested('cert-01');
    await press(`approve:${id}`, messageId, aliceSlack);
    assert.match(textOf(toUser(aliceSlack).at(-1)!), /@alice\.slack may not approve their own safe fix \(four-eyes\): slack:U0ALICE and console:alice are both alice \(policy\.people\)/);
    assert.equal(await stateOf(id), 'pending');
    // Another person approves; the fix runs.
    await press(`approve:${id}`, messageId, bob);
    assert.equal(await stateOf(id), 'done');
  });

  test('an approval is answered on its own message only: a click elsewhere or a typed id from another channel changes nothing', async () => {
    const { id, messageId } = await requested('cert-02');
    // The same approve id, pressed on another message (the "Planning…" root of this very request).
    const planning = recorder.records.filter((r) => r.op === 'root' && /^Planning /.test(r.card.title)).at(-1)!;
    assert.notEqual(planning.messageId, messageId);
    await press(`approve:${id}`, planning.messageId, bob);
    assert.equal(textOf(toUser(bob).at(-1)!).split('\n')[1], `That button is not on the request of approval ${id}, so it was not honoured: answer an approval with the buttons on its own request message. Nothing was changed.`);
    await press(`reject:${id}`, planning.messageId, bob);
    assert.match(textOf(toUser(bob).at(-1)!), /not on the request of approval/);
    assert.equal(await stateOf(id), 'pending');
    // Typed in another channel: refused; typed in the approval's own channel, or pressed on its own message: honoured.
    await say(`approve ${id}`, bob, { channel: 'C-elsewhere' });
    assert.match(textOf(toUser(bob).at(-1)!), new RegExp(`Approval ${id} was asked in another channel: answer it there`));
    assert.equal(await stateOf(id), 'pending');
    await press(`approve:${id}`, messageId, bob);
    assert.equal(await stateOf(id), 'done');
  });

  test('thirty presses of one Details button at once post the details once', async () => {
    await say('check group:lab', alice);
    const details = recorder.action('details:');
    const before = recorder.records.length;
    await Promise.all(Array.from({ length: 30 }, () => recorder.click(details.id, details.messageId, alice)));
    await stack.settled();
    const batches = since(before).filter((r) => r.op === 'reply' && /(^|\.)details\..*\.0$/.test(r.key ?? ''));
    assert.equal(batches.length, 1, `details posted ${batches.length} times`);
    assert.deepEqual(since(before).filter((r) => r.op === 'ephemeral'), [], 'a repeated press is dropped, not answered');
  });

  test('clicks count against the rate limit like commands; the refusal is told once', async () => {
    // The newest approval request (decided already: the policy refuses dave before the state would).
    const { id: action, messageId } = recorder.action('approve:');
    const id = action.slice('approve:'.length);
    const state = await stateOf(id);
    const before = recorder.records.length;
    // dave may not approve: every press is refused, and every press counts.
    for (let i = 0; i < PER_MINUTE + 3; i++) await recorder.click(`approve:${id}`, messageId, dave);
    await stack.settled();
    const told = since(before).filter((r) => r.op === 'ephemeral' && r.user === 'dave');
    assert.equal(told.filter((r) => /may not approve/.test(textOf(r))).length, PER_MINUTE);
    const slowDown = told.filter((r) => r.card.title === 'Slow down');
    assert.equal(slowDown.length, 1, 'one "slow down" for the three presses over the limit');
    assert.match(textOf(slowDown[0]!), new RegExp(`slow down: ${PER_MINUTE} commands a minute; try again in \\d+ s`));
    assert.equal(await stateOf(id), state, 'nothing changed');
  });

  test('typos do not count against the rate limit: answered with help, and the budget is still whole', async () => {
    const before = recorder.records.length;
    for (let i = 0; i < PER_MINUTE + 3; i++) await say('chekc cert-01', frank);
    const typos = since(before).filter((r) => r.op === 'ephemeral' && r.user === 'frank');
    assert.equal(typos.filter((r) => r.card.title === 'I did not understand that' && /did you mean "check"\?/.test(textOf(r))).length, PER_MINUTE + 3);
    // The whole budget is left: PER_MINUTE commands answered, the next one is the first refused.
    const mid = recorder.records.length;
    for (let i = 0; i < PER_MINUTE; i++) await say('help', frank);
    assert.deepEqual(since(mid).filter((r) => r.card.title === 'Slow down'), [], 'no command was refused');
    assert.equal(since(mid).filter((r) => r.op === 'root').length, PER_MINUTE, 'each answered');
    await say('help', frank);
    assert.equal(since(mid).filter((r) => r.op === 'ephemeral' && r.card.title === 'Slow down').length, 1, 'the limit still applies to commands');
  });

  test('a delivery the platform hands over three times (a replay) is acted on once', async () => {
    const where = { platform: 'console' as const, channel: TEST_CHANNEL, rootMessageId: null, threadId: null, handle: null };
    const commands = async (): Promise<number> => (await stack.bot!.state.audit.historyOf('cert-02', 200, { includeLookups: true })).filter((e) => e.kind === 'command' && e.actor === 'console:erin').length;
    const before = recorder.records.length;
    for (let i = 0; i < 3; i++) await recorder.send({ kind: 'command', text: 'status cert-02', user: erin, where, receivedAt: new Date().toISOString(), deliveryId: 'Tr-replayed-1' });
    await stack.settled();
    assert.equal(await commands(), 1, 'one command audited');
    assert.equal(since(before).filter((r) => r.op === 'root').length, 1, 'one answer');
    // Another delivery id is another event.
    await recorder.send({ kind: 'command', text: 'status cert-02', user: erin, where, receivedAt: new Date().toISOString(), deliveryId: 'Tr-other-2' });
    await stack.settled();
    assert.equal(await commands(), 2);
  });
});
