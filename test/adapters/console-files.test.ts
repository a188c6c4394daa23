// A card's file on the console: written into the adapter's private folder (0700, the file 0600)
// under the message id, byte for byte, and shown as a line with its size and path to open or copy.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { ConsoleAdapter } from '../../src/adapters/console/adapter.ts';
import { defaultFilesDir } from '../../src/adapters/console/files.ts';
import type { Card } from '../../src/chat/model.ts';

const base = mkdtempSync(join(tmpdir(), 'rdp-medic-console-files-'));
after(() => rmSync(base, { recursive: true, force: true }));

const where = { platform: 'console' as const, channel: 'console', rootMessageId: 'm1', threadId: 'm1', handle: null };
const SCRIPT = "# rdp-medic: étape ✓\r\nWrite-RegValue 'HKLM:\\X' 'Y' 'DWord' 2\n";
const card: Card = {
  title: 'The exact plan', status: 'info', sections: [{ kind: 'text', text: 'Two steps.' }], actions: [],
  file: { name: 'enable-tls12-work-pc-0123456789ab.ps1', mime: 'text/x-powershell', content: SCRIPT },
};

test('a reply with a file: written (0600 in a 0700 folder), its path and size shown', async () => {
  const dir = join(base, 'files');
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  const chat = new ConsoleAdapter({ input: new PassThrough(), output, filesDir: dir });
  const posted = await chat.postReply(where, card);
  const path = join(dir, `${posted.messageId}-${card.file!.name}`);
  assert.equal(readFileSync(path, 'utf8'), SCRIPT);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.ok(shown.includes(`file: ${card.file!.name} (${Buffer.byteLength(SCRIPT)} bytes) written to ${path}`), shown);
  assert.ok(!shown.includes('Write-RegValue'), 'the file is not printed into the chat');
  await chat.stop();
});

test('the default folder: the runtime dir when there is one, else a per-user folder in the temp dir', () => {
  assert.equal(defaultFilesDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/rdp-medic-files');
  assert.match(defaultFilesDir({}), new RegExp(`^${tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/rdp-medic-files(-\\d+)?$`));
});
