// "See what runs" through the bot, with real Redis, the lab and a worker: a diagnosis root carries
// "Export evidence", which posts the full evidence as a JSON file in the thread (the JSON never in a
// message's text); the same export is refused for a host outside the presser's scope and counts
// against the per-person rate limit; "Show the PowerShell" posts the exact plan and the script for
// the plan whose hash was approved, once per approval; each finding links its Microsoft article.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Card } from '../../../src/chat/model.ts';
import { FIX_IDS } from '../../../src/rdp/fixes/catalogue.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const carol = person('carol');
const dave = person('dave');
const FIX = 'regenerate-rdp-certificate';
const PER_MINUTE = 4;

const POLICY = {
  roles: {
    responder: ['console:alice', 'console:bob', 'console:dave'],
    approver: ['console:bob'],
    // carol looks after the hosts with an expired certificate only.
    'cert-responder': { members: ['console:carol'], scope: ['tag:cert-expired'] },
  },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: PER_MINUTE },
};

const HOSTS = [
  { name: 'cert-01', scenarios: ['cert-expired'] },
  { name: 'db-01', scenarios: ['termservice-stopped'] },
];

let stack: Stack;
const recorder = new ChatRecorder();

before(async () => {
  assert.ok(FIX_IDS.includes(FIX));
  stack = await startStack([recorder], { hosts: HOSTS, config: { policy: POLICY } });
});
after(async () => stack?.close());

/** Everything a card shows as message text (the file is not text). */
const textOf = (c: Card): string =>
  [c.title, ...c.sections.map((s) => (s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : s.text)), c.footer ?? '', ...c.actions.map((a) => a.label)].join('\n');
const since = (n: number): Recorded[] => recorder.records.slice(n);

async function say(text: string, who = alice): Promise<void> {
  await recorder.command(text, who);
  await stack.settled();
}

async function press(actionId: string, messageId: string, who = alice): Promise<void> {
  await recorder.click(actionId, messageId, who);
  await stack.settled();
}

describe('see what runs', () => {
  test('Export evidence on a diagnosis root posts the facts, findings and timings as a JSON file in its thread', async () => {
    const start = recorder.records.length;
    await say('check cert-01');
    const button = recorder.action('evidence:');
    assert.equal(button.id, 'evidence:cert-01');
    await press(button.id, button.messageId);
    const posted = since(start);
    const file = posted.find((r) => r.card.file);
    assert.ok(file, 'a card with a file was posted');
    assert.equal(file.op, 'reply', 'in the clicked diagnosis thread');
    assert.equal(file.card.file?.mime, 'application/json');
    assert.match(file.card.file!.name, /^evidence-cert-01-.*\.json$/);
    const doc = JSON.parse(file.card.file!.content) as Record<string, unknown>;
    assert.equal(doc.format, 'rdp-medic-evidence');
    assert.equal(doc.host, 'cert-01');
    assert.equal(doc.verdict, 'problem');
    assert.equal((doc.hostRead as { read: boolean }).read, true);
    assert.ok((doc.hostRead as { facts: Record<string, unknown> }).facts.os, 'the facts the read plan returned');
    const findings = doc.findings as { check: string; evidence: unknown; references: { url: string }[] }[];
    assert.ok(findings.length > 20);
    assert.ok(findings.every((f) => f.references[0]?.url.startsWith('http')), 'each finding names its reference');
    assert.ok((doc.timingsMs as { total: number }).total > 0);
    assert.ok((doc.versions as { runtime: string }).runtime);
    // The lab's WinRM password is nowhere in the file.
    assert.ok(!file.card.file!.content.includes(stack.lab.hosts[0]!.winrm.password), 'no password in the evidence');
    // The presser is told it is coming; the JSON is in the file, not in the messages about it.
    const told = posted.find((r) => r.op === 'ephemeral' && /Collecting the evidence of cert-01/.test(r.card.title));
    assert.ok(told);
    for (const card of [told.card, file.card]) assert.ok(!textOf(card).includes('{"'), `raw JSON in chat text: ${textOf(card).slice(0, 200)}`);
    // Each problem's finding card links its Microsoft article.
    const findingCards = posted.filter((r) => r.op === 'reply' && r.card.footer?.startsWith('check '));
    assert.ok(findingCards.length > 0);
    for (const r of findingCards) assert.match(textOf(r.card), /Why \/ Microsoft reference: .+: https:\/\/(learn|techcommunity)\.microsoft\.com\//);
  });

  test('evidence of a host outside the scope is refused, and nothing is collected or posted', async () => {
    const start = recorder.records.length;
    const jobsBefore = await stack.bot!.queues.fix.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed');
    await say('evidence db-01', carol);
    const posted = since(start);
    assert.equal(posted.length, 1, 'one answer');
    assert.equal(posted[0]!.op, 'ephemeral');
    assert.equal(posted[0]!.user, 'carol');
    assert.equal(posted[0]!.card.status, 'refused');
    assert.ok(!posted.some((r) => r.card.file), 'no file');
    assert.equal(await stack.bot!.queues.fix.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed'), jobsBefore, 'no job');
    // In her scope, typed: the file is the root of its own conversation.
    await say('evidence cert-01', carol);
    const mine = since(start).find((r) => r.card.file);
    assert.equal(mine?.op, 'root');
    assert.equal(JSON.parse(mine!.card.file!.content).host, 'cert-01');
  });

  test('evidence requests count against the per-person rate limit', async () => {
    const start = recorder.records.length;
    for (let i = 0; i <= PER_MINUTE; i++) await say('evidence cert-01', dave);
    const toDave = since(start).filter((r) => r.op === 'ephemeral' && r.user === 'dave');
    assert.equal(toDave.length, 1, 'one refusal');
    assert.equal(toDave[0]!.card.title, 'Slow down');
    assert.equal(since(start).filter((r) => r.card.file).length, PER_MINUTE, 'only the allowed requests collected evidence');
  });

  test('Show the PowerShell posts the exact plan and the script of the approved plan, once per approval', async () => {
    await say(`fix cert-01 ${FIX}`);
    const plan = recorder.action('plan:');
    const approvalId = plan.id.slice('plan:'.length);
    const record = await stack.bot!.state.approvals.get(approvalId);
    assert.ok(record);
    const start = recorder.records.length;
    await press(plan.id, plan.messageId, bob);
    const posted = since(start);
    const file = posted.find((r) => r.card.file);
    assert.ok(file, 'a card with the script');
    assert.equal(file.op, 'reply');
    assert.equal(file.card.file!.mime, 'text/x-powershell');
    assert.match(file.card.file!.name, new RegExp(`^${FIX}-cert-01-${record.planHash.slice(0, 12)}\\.ps1$`, 'i'));
    assert.ok(!textOf(file.card).includes('{"'), 'no raw JSON in the plan card');
    const script = file.card.file!.content;
    assert.match(script, new RegExp(`^# Plan sha256 ${record.planHash}:`, 'm'), 'the script names the approved hash');
    const stored = await stack.bot!.state.plans.get(approvalId);
    const steps = [...script.matchAll(/^# Step (\d+) of (\d+) \(([^)]+)\)/gm)].map((m) => m[3]);
    assert.deepEqual(steps, stored!.apply.ops.map((o) => o.id), 'one step per operation of the plan, in order');
    assert.match(textOf(file.card), /1\. Move certificate/);
    assert.ok(posted.some((r) => r.op === 'ephemeral' && r.user === 'bob' && /in the approval's thread/.test(textOf(r.card))));
    // Pressed again (after the same-press window would not matter: the thread already has it): no second file.
    const again = recorder.records.length;
    await say(`plan ${approvalId}`, bob);
    assert.equal(since(again).filter((r) => r.card.file).length, 0, 'posted once per approval');
    assert.ok(since(again).some((r) => r.op === 'ephemeral' && r.user === 'bob'));
  });
});
