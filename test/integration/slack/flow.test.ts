// End to end through Slack, in both modes: the real Bolt (Socket Mode, and HTTP with signed
// requests) against FakeSlack, with a real redis-server, the lab, a worker and the bot. alice checks
// work-pc (expired RDP certificate), asks for the fix, may not approve it herself (four-eyes), carol
// (no approver role) may not either, bob (in the approver user group) approves, the fix runs and is
// verified from outside, Undo restores the host. Then: two approvals at once run one fix, an expired
// approval loses its buttons and refuses clicks, malformed payloads change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SlackMode } from '../../../src/adapters/slack/settings.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, type ApiCall } from '../../fakes/slack/index.ts';
import { blockActionsPayload, formBody, payloadBody, slashCommandPayload } from '../../fakes/slack/payloads.ts';
import { trackUnhandledRejections } from '../../adapters/slack/harness.ts';
import {
  alice,
  all,
  blocksTextOf,
  bob,
  button,
  CHANNEL,
  buttonsOf,
  carol,
  dave,
  inThread,
  isEphemeralTo,
  isRoot,
  isUpdateOf,
  saying,
  SIGNING_SECRET,
  startSlackStack,
  textOf,
  tsOf,
  WAIT,
  withButton,
  type Clicked,
  type SlackStack,
} from './slack-stack.ts';

const rejections = trackUnhandledRejections();
after(() => {
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

const certThumbprints = (s: SlackStack, host: string): string[] =>
  s.stack.lab.hosts.find((h) => h.name === host)!.simulated.model.certStores['remote desktop']!.certs.map((c) => c.thumbprint);

interface Requested {
  rootTs: string;
  approval: Clicked & { id: string; call: ApiCall };
}

/** /rdp check HOST by alice, then her click on the fix button: the approval request in the thread. */
async function requestCertFix(s: SlackStack, host: string): Promise<Requested> {
  const { fake, driver } = s;
  await driver.command(`check ${host}`, alice);
  const root = await fake.waitFor(all(isRoot, saying(new RegExp(`Checking ${host} for @alice`))), WAIT);
  const rootTs = tsOf(root);
  const fixCard = await fake.waitFor(all(inThread(rootTs), withButton(`propose:${host}:`)), WAIT);
  await driver.click(button(fixCard, `propose:${host}:`).action_id, { ts: tsOf(fixCard), threadTs: rootTs }, alice);
  const approval = await fake.waitFor(all(inThread(rootTs), withButton('approve:')), WAIT);
  const id = button(approval, 'approve:').action_id.slice('approve:'.length);
  return { rootTs, approval: { id, ts: tsOf(approval), threadTs: rootTs, call: approval } };
}

function flowSuite(mode: SlackMode): void {
  describe(`Slack end to end, ${mode === 'socket' ? 'Socket Mode' : 'HTTP mode (signed requests)'}`, () => {
    let s: SlackStack;
    before(async () => {
      s = await startSlackStack(mode);
    });
    after(async () => s?.close());

    test('check, four-eyes and role refusals, approval by the group, verified fix, undo', async () => {
      const { fake, driver } = s;
      const original = certThumbprints(s, 'work-pc');
      await driver.command('check work-pc', alice);

      // The root message at once, naming the requester; the verdict replaces it.
      const root = await fake.waitFor(all(isRoot, saying(/Checking work-pc for @alice/)), WAIT);
      assert.equal(root.args.channel, 'C0OPS');
      const rootTs = tsOf(root);
      const verdict = await fake.waitFor(all(isUpdateOf(rootTs), saying(/work-pc: RDP problem found/)), WAIT);
      assert.match(blocksTextOf(verdict), /Asked by <@U0ALICE>/, 'the requester is a real mention');
      // What a phone shows is the cause, not just "problem found".
      const headline = (await s.stack.bot!.state.diagnoses.last('work-pc'))!.diagnosis.headline;
      assert.equal(verdict.args.text, `Problem: work-pc: ${headline}`);

      // The diagnosis in the thread, with the fix button.
      const fixCard = await fake.waitFor(all(inThread(rootTs), withButton('propose:work-pc:')), WAIT);
      assert.match(textOf(fixCard), /certificate/i);
      const propose = button(fixCard, 'propose:work-pc:');
      await s.stack.settled();
      // Read in five seconds: the cause once in the conversation, evidence as words, not JSON.
      const said = [verdict, ...fake.calls.filter(inThread(rootTs))].map(blocksTextOf).join('\n');
      assert.equal(said.split(headline).length - 1, 1, said);
      assert.doesNotMatch(said, /\{"/);

      // alice asks for the fix: the approval request in the thread with its three buttons.
      await driver.click(propose.action_id, { ts: tsOf(fixCard), threadTs: rootTs }, alice);
      const approval = await fake.waitFor(all(inThread(rootTs), withButton('approve:')), WAIT);
      const approvalId = button(approval, 'approve:').action_id.slice('approve:'.length);
      assert.deepEqual(buttonsOf(approval).map((b) => b.action_id), [`approve:${approvalId}`, `reject:${approvalId}`, `plan:${approvalId}`]);
      assert.match(textOf(approval), /@alice asks to .* on work-pc/);
      const onApproval: Clicked = { ts: tsOf(approval), threadTs: rootTs };

      // alice approving her own fix: refused (four-eyes), to her alone, in the thread.
      await driver.click(`approve:${approvalId}`, onApproval, alice);
      const selfRefusal = await fake.waitFor(isEphemeralTo(alice), WAIT);
      assert.match(textOf(selfRefusal), /may not approve their own .* fix \(four-eyes\)/);
      assert.equal(selfRefusal.args.thread_ts, rootTs);

      // carol has no approver role: refused, naming who can.
      await driver.click(`approve:${approvalId}`, onApproval, carol);
      const roleRefusal = await fake.waitFor(isEphemeralTo(carol), WAIT);
      assert.match(textOf(roleRefusal), /@carol may not approve .* fixes.*Who can: the approver role \(slack-group:S0APPR\)/s);
      assert.equal((await s.stack.bot!.state.approvals.get(approvalId))?.state, 'pending', 'refusals change nothing');

      // bob (in S0APPR) approves: the buttons go, the decision names him, the fix runs and is verified.
      await driver.click(`approve:${approvalId}`, onApproval, bob);
      const result = await fake.waitFor(all(inThread(rootTs), saying(/applied on .* and verified/i)), WAIT);
      await s.stack.settled();
      const updates = fake.calls.filter(isUpdateOf(onApproval.ts));
      assert.ok(updates.length >= 1, 'the approval message was updated');
      for (const u of updates) {
        assert.deepEqual(buttonsOf(u), [], 'no buttons left after the decision');
        assert.match(textOf(u), /by @bob/);
      }
      assert.ok(updates.some(saying(/approved by @bob/i)), updates.map(textOf).join('\n---\n'));
      assert.notDeepEqual(certThumbprints(s, 'work-pc'), original, 'the certificate was replaced');
      // The root tells the channel: fixed, by whom, verified; its verdict is the re-check's.
      const fixedRoot = await fake.waitFor(all(isUpdateOf(rootTs), saying(/work-pc: fixed · looks healthy/)), WAIT);
      assert.match(blocksTextOf(fixedRoot), /Fixed at .* \(asked by <@U0ALICE>, approved by <@U0BOB>\): replace the RDP certificate .*; verified from outside\./);
      assert.match(String(fixedRoot.args.text), /^OK: work-pc: fixed and verified\./);

      // The Undo button asks for confirmation (danger) and restores the host.
      const undo = button(result, 'undo:work-pc:');
      assert.equal(undo.style, 'danger');
      assert.ok(undo.confirm, 'undo has a confirm dialog');
      await driver.click(undo.action_id, { ts: tsOf(result), threadTs: rootTs }, bob);
      // An undo is a fix: it asks for approval in the thread, and bob may not approve his own (four-eyes).
      const undoApproval = await fake.waitFor(all(inThread(rootTs), saying(/@bob asks to undo .* on work-pc/), withButton('approve:')), WAIT);
      await driver.click(button(undoApproval, 'approve:').action_id, { ts: tsOf(undoApproval), threadTs: rootTs }, dave);
      const undone = await fake.waitFor(all(inThread(rootTs), saying(/undone and verified/)), WAIT);
      assert.match(textOf(undone), /expired/i, 'the host is back as it was: the expired certificate');
      await fake.waitFor(all(isUpdateOf(rootTs), saying(/work-pc: fix undone · RDP problem found/), saying(/Fix undone at .* \(asked by <@U0BOB>, approved by <@U0DAVE>\)/)), WAIT);
      await s.stack.settled();
      assert.deepEqual(certThumbprints(s, 'work-pc'), original, 'the original certificate is back');

      // Exactly one root for the check; one result for the approval.
      assert.equal(fake.calls.filter(all(isRoot, saying(/Checking work-pc/))).length, 1);
      assert.equal(fake.calls.filter(all(inThread(rootTs), saying(/applied on .* and verified/i))).length, 1);
      const kinds = (await s.stack.bot!.state.audit.historyOf('work-pc', 50)).map((e) => `${e.kind}:${e.actor}`);
      for (const expected of ['command:slack:U0ALICE', 'decision:slack:U0BOB', 'result:worker']) {
        assert.ok(kinds.some((k) => k.startsWith(expected)), `${expected} missing from ${kinds.join(', ')}`);
      }
    });

    test('a host that cannot be reached: one finding says what was tried and what to do, within 1,500 characters', async () => {
      const { fake, driver } = s;
      await driver.command('check off-pc', alice);
      const root = await fake.waitFor(all(isRoot, saying(/Checking off-pc for @alice/)), WAIT);
      const rootTs = tsOf(root);
      const verdict = await fake.waitFor(all(isUpdateOf(rootTs), saying(/off-pc: RDP problem found/)), WAIT);
      await s.stack.settled();
      const thread = fake.calls.filter(inThread(rootTs));
      assert.equal(thread.length, 1, thread.map(blocksTextOf).join('\n---\n'));
      assert.match(blocksTextOf(thread[0]!), /Tried from rdp-medic: .*What to do: check that the machine is running/s);
      assert.match(blocksTextOf(verdict), /could not run without the host read/);
      assert.match(blocksTextOf(verdict), /not read: WinRM could not be reached/);
      assert.doesNotMatch(blocksTextOf(verdict), /WinRM command/, 'no command ran');
      const said = [verdict, ...thread].map(blocksTextOf).join('\n');
      assert.ok(said.length <= 1500, `${said.length} characters:\n${said}`);
    });

    test('two approvals clicked at once: one fix, one result, the other approver told who won', async () => {
      const { fake, driver } = s;
      const { rootTs, approval } = await requestCertFix(s, 'dup-pc');
      await Promise.all([driver.click(`approve:${approval.id}`, approval, bob), driver.click(`approve:${approval.id}`, approval, dave)]);
      await fake.waitFor(all(inThread(rootTs), saying(/applied on .* and verified/i)), WAIT);
      await s.stack.settled();
      assert.equal(fake.calls.filter(all(inThread(rootTs), saying(/dup-pc: .*(applied|not applied|failed)/i))).length, 1, 'one result message');
      const losers = fake.calls.filter((c) => isEphemeralTo(bob)(c) || isEphemeralTo(dave)(c)).filter((c) => c.args.thread_ts === rootTs);
      assert.equal(losers.length, 1, losers.map(textOf).join('\n---\n'));
      assert.match(textOf(losers[0]!), /already approved by @(bob|dave)|busy/);
      const applied = (await s.stack.bot!.state.audit.historyOf('dup-pc', 100)).filter((e) => e.kind === 'result' && (e.data as { approvalId?: string }).approvalId === approval.id);
      assert.equal(applied.length, 1);
    });

    test('an expired approval: its buttons are replaced by the expiry, and a late click is refused', async () => {
      const { fake, driver, stack } = s;
      const original = certThumbprints(s, 'exp-pc');
      const { rootTs, approval } = await requestCertFix(s, 'exp-pc');
      // The policy's shortest expiry is a minute: move this approval's expiry into the past instead
      // (record and pending index), as if the minutes had gone by; the bot's sweep does the rest.
      const redis = stack.bot!.redis;
      const prefix = stack.bot!.state.prefix;
      const past = Date.now() - 1_000;
      await redis.hset(`${prefix}:approval:${approval.id}`, 'expiresAt', String(past));
      await redis.zadd(`${prefix}:approvals:pending`, past, approval.id);

      const expired = await fake.waitFor(all(isUpdateOf(approval.ts), saying(/Expired at/)), WAIT);
      assert.deepEqual(buttonsOf(expired), [], 'no buttons on an expired approval');
      assert.match(textOf(expired), /nothing was changed/);

      await driver.click(`approve:${approval.id}`, approval, bob);
      const refusal = await fake.waitFor(all(isEphemeralTo(bob), (c) => c.args.thread_ts === rootTs), WAIT);
      assert.match(textOf(refusal), /expired at .*; ask for the fix again/);
      await stack.settled();
      assert.equal((await stack.bot!.state.approvals.get(approval.id))?.state, 'expired');
      assert.equal(fake.calls.filter(all(inThread(rootTs), saying(/exp-pc: .*(applied|failed)/i))).length, 0, 'no fix ran');
      assert.deepEqual(certThumbprints(s, 'exp-pc'), original, 'the host was not touched');
    });

    test('malformed payloads: nothing reaches the bot, nothing crashes, a valid command still works', async () => {
      const { fake, driver, stack } = s;
      await stack.settled();
      const seen = fake.calls.length;
      const garbageClick = { type: 'block_actions', user: { id: alice.id }, actions: [{ action_id: 'approve:a_12345678' }] }; // no channel, no message
      if (mode === 'socket') {
        fake.socket.sendRaw('{not json');
        fake.socket.sendRaw(JSON.stringify({ type: 'slash_commands' }));
        fake.socket.send('interactive', garbageClick);
        fake.socket.send('interactive', { type: 'block_actions', user: { id: alice.id }, actions: [] });
        fake.socket.send('interactive', 'garbage');
        fake.socket.send('slash_commands', { command: '/rdp', text: 'check work-pc' }); // no user, no channel
      } else {
        assert.ok((await driver.signed('payload=%7Bnot-json')).status >= 400);
        assert.equal((await driver.signed(payloadBody(garbageClick))).status, 200, 'routable click: acked, then dropped');
        assert.equal((await driver.signed(formBody({ command: '/rdp', text: 'check work-pc' }))).status, 200, 'routable command: acked, then dropped');
      }
      await driver.command('help', carol);
      await fake.waitFor(all(isRoot, (c) => fake.calls.indexOf(c) >= seen), WAIT);
      await stack.settled();
      // The only thing the bot did since: carol's help (plus the user group lookup it may refresh).
      const since = fake.calls.slice(seen).filter((c) => c.method !== 'usergroups.list');
      assert.deepEqual(since.map((c) => c.method), ['chat.postMessage'], since.map(textOf).join('\n---\n'));
      assert.match(textOf(since[0]!), /\/rdp check/);
    });

    test('the Web API answering 429 (Retry-After: 1), then 500: the root is delivered once, after the wait', async () => {
      const { fake, driver, stack } = s;
      await stack.settled();
      const seen = fake.calls.length;
      fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 1 });
      fake.failNext('chat.postMessage', { kind: 'http', status: 500 });
      await driver.command('check ok-pc', alice);
      // Any verdict will do: this is about the root's delivery, and on a loaded machine the healthy
      // lab host can show a latency warning (net-latency-loss measures real jitter).
      const verdict = /ok-pc: (looks healthy|RDP works)/;
      await stack.settled();
      const root = fake.calls.slice(seen).find(all(isRoot, saying(/ok-pc/)))!;
      assert.ok(root, 'the root was delivered');
      const attempts = fake.calls.slice(seen).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined);
      assert.deepEqual(attempts.map((c) => c.status), [429, 500, 200], 'rate limited, failed, then delivered');
      assert.ok(/Checking ok-pc for @alice/.test(textOf(attempts[0]!)), 'the first attempt is the "Checking…" root');
      // A retry sends the newest card of the root: the verdict, when it came during the wait (edits
      // coalesce), sent again unchanged after the 500 (an attempt in doubt is retried as it was).
      assert.equal(textOf(attempts[2]!), textOf(attempts[1]!), 'the attempt after the 500 repeats the one in doubt');
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 990, `Retry-After honoured: retried after ${Math.round(attempts[1]!.at - attempts[0]!.at)} ms`);
      assert.equal(fake.calls.slice(seen).filter(isRoot).length, 1, 'exactly one root message');
      const shown = [root, ...fake.calls.filter(isUpdateOf(tsOf(root)))].at(-1)!;
      assert.match(textOf(shown), verdict, 'the root ends showing the verdict');
    });

    test('nothing the adapter logged contains a token or the signing secret', () => {
      const logged = JSON.stringify(s.log);
      for (const secret of [FAKE_BOT_TOKEN, FAKE_APP_TOKEN, SIGNING_SECRET]) assert.equal(logged.includes(secret), false);
    });

    test('a command or click from another workspace, or from a channel outside the allow-list, is refused to its sender and reaches nothing', async () => {
      const { fake, driver, stack } = s;
      await stack.settled();
      const seen = fake.calls.length;
      const audited = (await stack.bot!.state.audit.historyOf('ok-pc', 100)).length;
      const fromOtherTeam = await driver.commandAck(slashCommandPayload({ text: 'check ok-pc', userId: alice.id, userName: alice.name, channelId: CHANNEL, teamId: 'T0OTHER' }));
      assert.deepEqual(fromOtherTeam, { response_type: 'ephemeral', text: 'rdp-medic does not answer in this workspace.' });
      const fromOtherChannel = await driver.commandAck(slashCommandPayload({ text: 'check ok-pc', userId: alice.id, userName: alice.name, channelId: 'C0ELSEWHERE' }));
      assert.deepEqual(fromOtherChannel, { response_type: 'ephemeral', text: `rdp-medic does not answer in this channel; use <#${CHANNEL}>.` });
      await driver.click('propose:ok-pc:regenerate-rdp-certificate', { ts: '1700000999.000100' }, { ...alice });
      // The same click from another workspace (acked, then dropped).
      const foreignClick = blockActionsPayload({ actionId: 'propose:ok-pc:regenerate-rdp-certificate', userId: alice.id, userName: alice.name, channelId: CHANNEL, messageTs: '1700000998.000100', teamId: 'T0OTHER' });
      if (mode === 'socket') await fake.socket.waitForAck(fake.socket.send('interactive', foreignClick).envelopeId);
      else assert.equal((await driver.signed(payloadBody(foreignClick))).status, 200);
      await driver.command('help', carol);
      await fake.waitFor(all(isRoot, (c) => fake.calls.indexOf(c) >= seen), WAIT);
      await stack.settled();
      // alice's click from our workspace and channel was taken (and refused by the bot: no such message);
      // the rest never got that far.
      assert.equal((await stack.bot!.state.audit.historyOf('ok-pc', 100)).length, audited + 1, 'only the click from our workspace reached the bot');
      assert.equal(fake.calls.slice(seen).filter(all(isRoot, saying(/Checking ok-pc/))).length, 0, 'no check of ok-pc started');
    });

    if (mode === 'http') {
      test('a signed /rdp fix replayed three times within the window makes one approval request; a request dated in the future is refused', async () => {
        const { fake, driver, stack } = s;
        await stack.settled();
        const body = formBody(slashCommandPayload({ text: 'fix replay-pc regenerate-rdp-certificate', userId: alice.id, userName: alice.name, channelId: CHANNEL, responseUrl: fake.responseUrl('cmd') }));
        const timestamp = Math.floor(Date.now() / 1000);
        // The captured request, sent again as it was (same timestamp, same signature): Slack's check passes each time.
        for (let i = 0; i < 3; i++) assert.equal((await driver.signed(body, { timestamp })).status, 200);
        const root = await fake.waitFor(all(isRoot, saying(/Planning regenerate-rdp-certificate on replay-pc/)), WAIT);
        await fake.waitFor(all(inThread(tsOf(root)), withButton('approve:')), WAIT);
        await stack.settled();
        assert.equal(fake.calls.filter(all(isRoot, saying(/Planning .* on replay-pc/))).length, 1, 'one request planned');
        assert.equal(fake.calls.filter(all((c) => c.method === 'chat.postMessage', withButton('approve:'), saying(/on replay-pc/))).length, 1, 'one approval request');
        const commands = (await stack.bot!.state.audit.historyOf('replay-pc', 100)).filter((e) => e.kind === 'command');
        assert.equal(commands.length, 1, 'one command audited');

        // Signed correctly but dated 5 minutes ahead (a request prepared for a later replay, or a wrong clock): 401.
        const later = formBody(slashCommandPayload({ text: 'status replay-pc', userId: alice.id, userName: alice.name, channelId: CHANNEL }));
        assert.equal((await driver.signed(later, { timestamp: timestamp + 300 })).status, 401);
        // A clock a few seconds ahead is fine.
        assert.equal((await driver.signed(formBody(slashCommandPayload({ text: 'status replay-pc', userId: bob.id, userName: bob.name, channelId: CHANNEL })), { timestamp: timestamp + 20 })).status, 200);
        await fake.waitFor(all(isRoot, saying(/replay-pc/), (c) => /@bob|replay-pc:/.test(textOf(c)) && !/Planning/.test(textOf(c))), WAIT);
        await stack.settled();
        const audited = (await stack.bot!.state.audit.historyOf('replay-pc', 100, { includeLookups: true })).filter((e) => e.kind === 'command').map((e) => e.actor);
        assert.deepEqual(audited.sort(), ['slack:U0ALICE', 'slack:U0BOB'], 'the request from the future never reached the bot');
      });

      test('a bad signature or a stale timestamp: 401, and nothing reaches the bot', async () => {
        const { fake, driver, stack } = s;
        await stack.settled();
        const seen = fake.calls.length;
        const audited = (await stack.bot!.state.audit.historyOf('ok-pc', 100)).length;
        const command = formBody(slashCommandPayload({ text: 'check ok-pc', userId: alice.id, userName: alice.name, channelId: CHANNEL }));
        const click = payloadBody(blockActionsPayload({ actionId: 'propose:ok-pc:cert-regenerate', userId: alice.id, channelId: CHANNEL }));
        for (const body of [command, click]) {
          assert.equal((await driver.signed(body, { wrongSecret: 'not-the-signing-secret' })).status, 401, 'bad signature');
          assert.equal((await driver.signed(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })).status, 401, 'stale timestamp');
          assert.equal((await driver.signed(body, { unsigned: true })).status, 401, 'no signature');
        }
        // A valid command afterwards is answered, and is all the bot did.
        await driver.command('help', carol);
        await fake.waitFor(all(isRoot, (c) => fake.calls.indexOf(c) >= seen), WAIT);
        await stack.settled();
        const since = fake.calls.slice(seen);
        assert.deepEqual(since.map((c) => c.method), ['chat.postMessage'], 'only the help answer (groups cached; the refused requests never got that far)');
        assert.equal((await stack.bot!.state.audit.historyOf('ok-pc', 100)).length, audited, 'no command audited for ok-pc');
      });
    }
  });
}

flowSuite('socket');
flowSuite('http');
