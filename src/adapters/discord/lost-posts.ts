// Finding a message whose post answer was lost (the request timed out or the connection dropped
// after Discord created it). enforce_nonce makes Discord return that message for a retry with the
// same nonce, but only for a few minutes, and Discord does not store the nonce: a fetched message
// has none. So a retry that may come later looks through the bot's own messages in the channel
// created since the lost attempt began, and takes the one with exactly the same embeds, content and
// buttons (button ids name the approval or conversation, so two cards rarely look alike).
import { SnowflakeUtil, type APIMessage } from 'discord.js';
import type { DiscordMessage } from './render.ts';
import type { DiscordRest } from './rest-calls.ts';

/** Clocks differ: look from a minute before the attempt began. */
const CLOCK_MARGIN_MS = 60_000;
/** Messages after that point to look through (one request). */
const LOOK_AT = 100;

interface Comparable {
  content?: string;
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text?: string } }[];
  components?: { components?: { custom_id?: string; label?: string }[] }[];
}

/** What a reader sees of a message, normalised the way Discord returns it (trimmed text, no colours). */
export function fingerprintOf(m: Comparable): string {
  return JSON.stringify({
    content: (m.content ?? '').trim(),
    embeds: (m.embeds ?? []).map((e) => [e.title?.trim() ?? '', e.description?.trim() ?? '', (e.fields ?? []).map((f) => [f.name.trim(), f.value.trim()]), e.footer?.text?.trim() ?? '']),
    buttons: (m.components ?? []).flatMap((r) => (r.components ?? []).map((b) => [b.custom_id ?? '', b.label ?? ''])),
  });
}

/** The bot's message in `channelId` with this body, created since `since`, if Discord holds one. */
export async function findLostPost(rest: DiscordRest, channelId: string, body: DiscordMessage, since: Date, botUserId: string | undefined): Promise<APIMessage | null> {
  const after = SnowflakeUtil.generate({ timestamp: Math.max(0, since.getTime() - CLOCK_MARGIN_MS) }).toString();
  const wanted = fingerprintOf(body);
  const recent = await rest.messagesAfter(channelId, after, LOOK_AT);
  return recent.find((m) => (!botUserId || m.author?.id === botUserId) && fingerprintOf(m as Comparable) === wanted) ?? null;
}
