// An undo is a fix: typed or clicked, it is planned, classed by what it puts back, and waits for the
// approval that class needs (four-eyes included). Undoing restore-security-layer puts SecurityLayer
// 0 back: weakens-security, so neither the responder who asks nor a safe-only approver can run it.
// Undoing add-rdp-user takes a logon right away: disruptive. Real Redis, the lab, a worker, the bot.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApprovalRecord } from '../../../src/state/approvals/record.ts';
import { RDP_TCP } from '../../../src/lab/model/paths.ts';
import { getNumber } from '../../../src/lab/model/registry.ts';
import { runDueTasks } from '../../../src/lab/model/tasks.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const carol = person('carol');
const sam = person('sam');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob', 'console:carol', 'console:sam'], 'safe-approver': ['console:sam'], approver: ['console:bob'] },
  approve: { safe: ['safe-approver', 'approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 1000 },
};

let stack: Stack;
const recorder = new ChatRecorder();

before(async () => {
  stack = await startStack([recorder], {
    hosts: [
      { name: 'sec-pc', scenarios: ['security-layer-mismatch'] },
      { name: 'user-pc', scenarios: ['user-not-allowed'] },
    ],
    config: { policy: POLICY },
  });
});
after(async () => stack.close());

const modelOf = (host: string) => stack.lab.hosts.find((h) => h.name === host)!.simulated.model;
const securityLayer = (): number | undefined => getNumber(modelOf('sec-pc'), RDP_TCP, 'SecurityLayer');
const textOf = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');
const toUser = (user: string): Recorded[] => recorder.records.filter((r) => r.op === 'ephemeral' && r.user === user);

async function say(text: string, who = alice): Promise<void> {
  await recorder.command(text, who);
  await stack.settled();
}

async function click(prefix: string, who: ReturnType<typeof person>): Promise<void> {
  const action = recorder.action(prefix);
  await recorder.click(action.id, action.messageId, who);
  await stack.settled();
}

/** alice asks for the fix, bob approves it; returns the undo id the result offers. */
async function applied(host: string, fixId: string): Promise<string> {
  await say(`fix ${host} ${fixId}`);
  await click('approve:', bob);
  const undo = recorder.action(`undo:${host}:`).id;
  return undo.split(':')[2]!;
}

/** The newest approval request's record. */
async function newestApproval(): Promise<ApprovalRecord> {
  const id = recorder.action('approve:').id.slice('approve:'.length);
  const record = await stack.bot!.state.approvals.get(id);
  assert.ok(record, `approval ${id} is stored`);
  return record;
}

describe('bad undo ids are refusals, told to the asker alone', () => {
  test('a malformed id is a grammar refusal; an unknown one says there is no such record; neither opens a conversation', async () => {
    const before = recorder.records.length;
    for (const id of ['u-bogus', 'abc', 'u-7k3m9qzx']) await say(`undo sec-pc ${id}`, carol);
    const after = recorder.records.slice(before);
    assert.deepEqual(after.filter((r) => r.op !== 'ephemeral').map((r) => `${r.op} ${r.card.status} ${r.card.title}`), [], 'no root message, no [RUNNING] card, no thread');
    const told = after.filter((r) => r.user === 'carol').map(textOf);
    assert.equal(told.length, 3, told.join('\n---\n'));
    assert.match(told[0]!, /I did not understand that\n"u-bogus" is not an undo id/);
    assert.match(told[1]!, /I did not understand that\n"abc" is not an undo id/);
    assert.match(told[2]!, /^Not undone: u-7k3m9qzx\nno undo record "u-7k3m9qzx" for sec-pc; recent undo ids for sec-pc: none/);
    for (const t of told) assert.doesNotMatch(t, /\{"|"level":|Error:/, 'no log line or JSON in chat');
    const refusals = (await stack.bot!.state.audit.historyOf('sec-pc', 50)).filter((e) => e.kind === 'refusal' && (e.data as { stage?: string }).stage === 'not-found');
    assert.equal(refusals.length, 1, 'the unknown id is in the audit trail as a refusal');
  });
});

describe('undo takes the approval of the fix class it amounts to', () => {
  test('undoing a security-restoring fix, typed or clicked, by a responder or a safe-only approver changes nothing', async () => {
    const undoId = await applied('sec-pc', 'restore-security-layer');
    assert.equal(securityLayer(), 2, 'the fix restored SecurityLayer 2 (TLS)');

    // carol (a responder) types the undo: it is planned and waits for approval; the host is untouched.
    await say(`undo sec-pc ${undoId}`, carol);
    assert.equal(securityLayer(), 2, 'a typed undo does not run without an approval');
    const typed = await newestApproval();
    assert.equal(typed.undoId, undoId);
    assert.equal(typed.risk, 'weakens-security');
    assert.equal(typed.requester.id, 'carol');
    assert.equal(typed.state, 'pending');

    // The Undo button takes the same path: another approval request of the same class.
    await click(`undo:sec-pc:${undoId}`, carol);
    assert.equal(securityLayer(), 2, 'a clicked undo does not run without an approval');
    const clicked = await newestApproval();
    assert.notEqual(clicked.id, typed.id);
    assert.deepEqual([clicked.undoId, clicked.risk, clicked.requester.id], [undoId, 'weakens-security', 'carol']);

    // carol may not approve it (no approver role, and four-eyes); sam approves safe fixes only.
    await click(`approve:${clicked.id}`, carol);
    await click(`approve:${clicked.id}`, sam);
    assert.match(textOf(toUser('sam').at(-1)!), /@sam may not approve weakens-security fixes/);
    assert.equal((await stack.bot!.state.approvals.get(clicked.id))?.state, 'pending');
    assert.equal(securityLayer(), 2, 'refused approvals change nothing');

    // The request says the weaker value is time-boxed, as the break-glass fix is.
    const plan = await stack.bot!.state.plans.get(clicked.id);
    assert.equal(plan?.timeBoxMinutes, 60);
    assert.deepEqual(plan?.apply.ops[0] && { op: plan.apply.ops[0].op }, { op: 'task.scheduleRevert' }, 'the first step arms the time box');

    // bob holds the role for the class: the undo runs and puts SecurityLayer 0 back, for an hour.
    await click(`approve:${clicked.id}`, bob);
    assert.equal(securityLayer(), 0, 'the approved undo restored the previous value');
    const result = recorder.records.find((r) => r.op === 'reply' && /undo u-\S+: undone/.test(r.card.title));
    assert.ok(result, 'the undo result is posted');
    assert.match(textOf(result), /The weaker setting lasts until \S+: the host puts the secure value back itself then/);
    assert.equal((await stack.bot!.state.approvals.get(clicked.id))?.state, 'done');
    assert.deepEqual(runDueTasks(modelOf('sec-pc'), new Date(Date.now() + 59 * 60_000)), [], 'not before the hour is up');
    assert.equal(runDueTasks(modelOf('sec-pc'), new Date(Date.now() + 61 * 60_000)).length, 1);
    assert.equal(securityLayer(), 2, 'the host put TLS back itself when the time box ended');
  });

  test('undoing add-rdp-user takes access away: disruptive, not for a safe-only approver', async () => {
    const undoId = await applied('user-pc', 'add-rdp-user');
    const members = (): number => modelOf('user-pc').groups['S-1-5-32-555']!.members.length;
    const before = members();
    await click(`undo:user-pc:${undoId}`, carol);
    const undo = await newestApproval();
    assert.deepEqual([undo.undoId, undo.risk], [undoId, 'disruptive']);
    await click(`approve:${undo.id}`, sam);
    assert.match(textOf(toUser('sam').at(-1)!), /@sam may not approve disruptive fixes/);
    assert.equal(members(), before, 'the member is still in Remote Desktop Users');
  });
});
