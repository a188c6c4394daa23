// A card's file on Slack, through the real @slack/bolt client and the fake's model of Slack's upload
// API (files.getUploadURLExternal, the bytes POSTed to the URL it gives, files.completeUploadExternal):
// the message first, then the file shared in its thread; a failed upload is retried without posting
// the message again; an ephemeral card cannot carry a file and says so instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryError } from '../../../src/chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../../src/chat/model.ts';
import { NO_EPHEMERAL_FILE } from '../../../src/adapters/slack/outbound.ts';
import { FAKE_BOT_TOKEN } from '../../fakes/slack/index.ts';
import { startHarness, type Harness } from './harness.ts';

const ALICE: ChatUser = { platform: 'slack', id: 'U0USER', name: 'alice', groups: [] };
const CHANNEL: ConversationRef = { platform: 'slack', channel: 'C0FILES', rootMessageId: null, threadId: null, handle: null };
const SCRIPT = "# rdp-medic: étape 1 ✓\r\nWrite-RegValue 'HKLM:\\X' 'Y' 'DWord' 2\n";
const WITH_FILE: Card = {
  title: 'The exact plan: regenerate the certificate on work-pc', status: 'info', actions: [],
  sections: [{ kind: 'text', text: 'Two steps.' }],
  file: { name: 'regenerate-rdp-certificate-work-pc-abc.ps1', mime: 'text/x-powershell', content: SCRIPT },
};

describe('slack adapter: a card with a file', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('socket');
  });
  after(async () => h.close());

  test('postReply: the message in the thread, then the file uploaded and shared in that thread, byte for byte', async () => {
    const where = { ...CHANNEL, rootMessageId: '1700000001.000100', threadId: '1700000001.000100' };
    const before = h.fake.calls.length;
    const posted = await h.adapter.postReply(where, WITH_FILE, 'k-file-1');
    const methods = h.fake.calls.slice(before).map((c) => c.method);
    assert.deepEqual(methods, ['chat.postMessage', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    const announce = h.fake.callsTo('files.getUploadURLExternal').at(-1)!;
    assert.equal(announce.token, FAKE_BOT_TOKEN);
    assert.equal(announce.args.filename, 'regenerate-rdp-certificate-work-pc-abc.ps1');
    assert.equal(Number(announce.args.length), Buffer.byteLength(SCRIPT, 'utf8'));
    const complete = h.fake.callsTo('files.completeUploadExternal').at(-1)!;
    assert.equal(complete.args.channel_id, 'C0FILES');
    assert.equal(complete.args.thread_ts, '1700000001.000100');
    const shared = h.fake.filesIn('C0FILES');
    assert.equal(shared.length, 1);
    assert.equal(shared[0]!.text, SCRIPT, 'the bytes arrived unchanged (UTF-8, CRLF kept)');
    assert.equal(shared[0]!.message.thread_ts, '1700000001.000100');
    assert.equal(posted.threadId, '1700000001.000100');
    // The message text says what the file is; the file is not pasted into it.
    const text = String(h.fake.callsTo('chat.postMessage').at(-1)?.args.text);
    assert.ok(!text.includes('Write-RegValue'));
  });

  test('postRoot: the file goes into the thread the root opens', async () => {
    const posted = await h.adapter.postRoot(CHANNEL, WITH_FILE, 'k-file-root');
    const last = h.fake.filesIn('C0FILES').at(-1)!;
    assert.equal(last.message.thread_ts, posted.messageId);
  });

  test('a failed upload: a DeliveryError; the retry uploads the file without posting the message again', async () => {
    const where = { ...CHANNEL, rootMessageId: '1700000001.000100', threadId: '1700000001.000100' };
    const posts = h.fake.callsTo('chat.postMessage').length;
    const shared = h.fake.filesIn('C0FILES').length;
    h.fake.failNext('files.completeUploadExternal', { kind: 'http', status: 503 });
    await assert.rejects(h.adapter.postReply(where, WITH_FILE, 'k-file-2'), (e: unknown) => e instanceof DeliveryError && !e.permanent);
    assert.equal(h.fake.filesIn('C0FILES').length, shared, 'not shared yet');
    await h.adapter.postReply(where, WITH_FILE, 'k-file-2');
    assert.equal(h.fake.callsTo('chat.postMessage').length, posts + 1, 'the message was posted once');
    assert.equal(h.fake.filesIn('C0FILES').length, shared + 1, 'the file was shared once');
  });

  test('postEphemeral: no upload (Slack shares files in a channel, never to one person); the card says so', async () => {
    const before = h.fake.calls.length;
    await h.adapter.postEphemeral(CHANNEL, ALICE, WITH_FILE);
    const calls = h.fake.calls.slice(before);
    assert.deepEqual(calls.map((c) => c.method), ['chat.postEphemeral']);
    assert.match(JSON.stringify(calls[0]!.args.blocks), new RegExp(NO_EPHEMERAL_FILE.slice(0, 30)));
  });
});
