// A card's file as a Discord message attachment: the file goes in the multipart request (discord.js
// REST sends the body as payload_json and the file as files[0]), and the body names it in
// `attachments` so Discord ties the two together. Kept apart from rendering the message itself.
import type { RawFile } from 'discord.js';
import type { Card } from '../../chat/model.ts';

/** Discord's smallest upload limit (a server without boosts): a bigger file is refused with 40005. */
export const DISCORD_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The files a card's message carries (none or one). */
export function filesOf(card: Card): RawFile[] | undefined {
  if (!card.file) return undefined;
  return [{ name: card.file.name, data: Buffer.from(card.file.content, 'utf8'), contentType: card.file.mime }];
}

/** The body's `attachments` entry for each file, by its place in the files list. */
export function attachmentsOf(card: Card): { attachments: { id: number; filename: string }[] } | Record<string, never> {
  return card.file ? { attachments: [{ id: 0, filename: card.file.name }] } : {};
}
