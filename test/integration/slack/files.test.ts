// "See what runs" end to end through Slack (Socket Mode): the real Bolt against FakeSlack with its
// upload API, a real redis-server, the lab, a worker and the bot. The diagnosis root's "Export
// evidence" shares the evidence JSON as a file in the root's thread; an approval's "Show the
// PowerShell" shares the plan's script (named by the approved hash) in the approval's thread.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { trackUnhandledRejections } from '../../adapters/slack/harness.ts';
import { alice, all, bob, button, CHANNEL, inThread, isEphemeralTo, isRoot, isUpdateOf, saying, startSlackStack, textOf, tsOf, WAIT, withButton, type SlackStack } from './slack-stack.ts';

const rejections = trackUnhandledRejections();
let s: SlackStack;
before(async () => {
  s = await startSlackStack('socket');
});
after(async () => {
  await s?.close();
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

test('Export evidence shares the JSON in the thread; Show the PowerShell shares the approved plan\'s script', async () => {
  const { fake, driver } = s;
  await driver.command('check work-pc', alice);
  const root = await fake.waitFor(all(isRoot, saying(/Checking work-pc for @alice/)), WAIT);
  const rootTs = tsOf(root);
  const verdict = await fake.waitFor(all(isUpdateOf(rootTs), withButton('evidence:')), WAIT);
  await driver.click(button(verdict, 'evidence:').action_id, { ts: rootTs }, alice);
  await fake.waitFor(isEphemeralTo(alice), WAIT);
  const shared = await fake.waitFor((c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === rootTs, WAIT);
  assert.equal(shared.args.channel_id, CHANNEL);
  const file = fake.filesIn(CHANNEL).find((f) => f.message.thread_ts === rootTs && f.file.filename.endsWith('.json'))!;
  assert.match(file.file.filename, /^evidence-work-pc-.*\.json$/);
  const doc = JSON.parse(file.text) as { host: string; verdict: string; findings: unknown[] };
  assert.deepEqual([doc.host, doc.verdict], ['work-pc', 'problem']);
  const card = await fake.waitFor(all(inThread(rootTs), saying(/Evidence of work-pc/)), WAIT);
  assert.ok(!textOf(card).includes('{"'), 'the JSON is in the file, not the message');

  const fixCard = await fake.waitFor(all(inThread(rootTs), withButton('propose:work-pc:')), WAIT);
  await driver.click(button(fixCard, 'propose:work-pc:').action_id, { ts: tsOf(fixCard), threadTs: rootTs }, alice);
  const approval = await fake.waitFor(all(inThread(rootTs), withButton('plan:')), WAIT);
  const approvalId = button(approval, 'plan:').action_id.slice('plan:'.length);
  await driver.click(button(approval, 'plan:').action_id, { ts: tsOf(approval), threadTs: rootTs }, bob);
  await fake.waitFor((c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === rootTs && fake.filesIn(CHANNEL).some((f) => f.file.filename.endsWith('.ps1')), WAIT);
  const script = fake.filesIn(CHANNEL).find((f) => f.file.filename.endsWith('.ps1'))!;
  const record = await s.stack.bot!.state.approvals.get(approvalId);
  assert.ok(script.file.filename.includes(record!.planHash.slice(0, 12)));
  assert.match(script.text, new RegExp(`^# Plan sha256 ${record!.planHash}:`, 'm'));
});
