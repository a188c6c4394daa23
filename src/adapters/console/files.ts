// A card's file on the console: written into a private folder (0700, the file 0600) and shown as
// its path, so a plan's PowerShell or an evidence export can be opened, copied or diffed. The name
// is the card's (a plain name, see CardFile) behind the message id, so two files never collide.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardFile } from '../../chat/model.ts';

/** Where files go unless the adapter is told: the runtime dir if there is one, else the temp dir. */
export function defaultFilesDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR || tmpdir();
  const user = typeof process.getuid === 'function' ? `-${process.getuid()}` : '';
  return join(base, `rdp-medic-files${env.XDG_RUNTIME_DIR ? '' : user}`);
}

/** Writes the file and returns the line the screen shows for it. */
export function saveCardFile(dir: string, messageId: string, file: CardFile): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${messageId}-${file.name}`);
  writeFileSync(path, file.content, { mode: 0o600 });
  return `file: ${file.name} (${Buffer.byteLength(file.content, 'utf8')} bytes) written to ${path}`;
}
