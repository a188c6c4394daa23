// A Card as one Discord message: embeds (coloured by status) for the body, buttons as action rows,
// and a content line only for mentions. Discord buttons have no confirm dialog, so each action that
// asks for confirmation has its warning written on the card, next to the buttons, and one that asks
// for a second press (pressTwice) acts only on it (press-twice.ts). Mentions never
// come from card text: allowed_mentions names exactly the on-call role or user we mean to ping.
import type { APIAllowedMentions, APIEmbed } from 'discord.js';
import type { Card, CardStatus } from '../../chat/model.ts';
import { LIMITS } from './limits.ts';
import { renderButtons, type ButtonRow } from './render-buttons.ts';
import { PRESS_TWICE_WINDOW_MS, pressTwiceWarningPrefix } from './press-twice.ts';
import { renderEmbeds } from './render-embeds.ts';
import { clip, escapeText } from './render-text.ts';
import { renderCardMentions } from '../../chat/mention.ts';
import { STATUS_LABEL } from '../../cards/status.ts';
import { attachmentsOf } from './attachment.ts';

/** A message body for POST/PATCH channel messages and interaction/webhook messages alike. */
export interface DiscordMessage {
  content: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
  allowed_mentions: APIAllowedMentions;
  /** The card's file, named here and sent as multipart (attachment.ts). */
  attachments?: { id: number; filename: string }[];
}

export type ComponentsMode = 'active' | 'disabled' | 'none';

export interface RenderOptions {
  /** The role notify:'oncall' pings; without it the card is posted without a ping. */
  oncallRoleId?: string;
  /** Buttons clickable (default), shown greyed out (a decided card), or removed. */
  components?: ComponentsMode;
  /** Address this user (the ephemeral fallback: a thread message meant for one person). */
  mentionUserId?: string;
}

export const STATUS_COLOR: Record<CardStatus, number> = {
  info: 0x5865f2,
  running: 0x3498db,
  ok: 0x57f287,
  warning: 0xfee75c,
  problem: 0xed4245,
  unknown: 0x95a5a6,
  pending: 0xe67e22,
  done: 0x2ecc71,
  refused: 0x992d22,
};

/** The status word every platform shows (src/cards/status.ts). */
export const STATUS_WORD = STATUS_LABEL;

const WARNING_MAX = 600;
export const NO_CONFIRM_NOTE = 'Discord buttons have no confirmation step: a press acts at once.';
export const PRESS_TWICE_NOTE = `Discord buttons have no confirmation step: a press acts at once, except a button marked "press twice", which acts only when you press it again within ${PRESS_TWICE_WINDOW_MS / 1000} s.`;

function warnings(card: Card): string[] {
  const confirms = card.actions.filter((a) => a.confirm);
  const lines = confirms.map((a) => {
    // The press-twice prefix names the button as it shows (clipped): the first press's answer finds it by that label.
    const lead = a.confirm!.pressTwice ? pressTwiceWarningPrefix(clip(a.label.trim(), LIMITS.label)) : `⚠️ **${escapeText(a.label)}**: `;
    return clip(`${lead}${escapeText(a.confirm!.title)} ${escapeText(a.confirm!.text)}`, WARNING_MAX);
  });
  const note = confirms.some((a) => a.confirm!.pressTwice) ? PRESS_TWICE_NOTE : NO_CONFIRM_NOTE;
  // The general note first: if many warnings must be cut, the rule they illustrate survives.
  return lines.length ? [`_${note}_`, ...lines] : [];
}

export function renderCard(tagged: Card, opts: RenderOptions = {}): DiscordMessage {
  // Embed text shows <@id> as a mention; embed footers do not, so they get "@name".
  const card = renderCardMentions(tagged, 'discord', (id) => `<@${id}>`, { plainFooter: true });
  const mode = opts.components ?? 'active';
  const buttons = mode === 'none' ? { rows: [], dropped: [] } : renderButtons(card.actions, { disabled: mode === 'disabled' });
  const tail = mode === 'active' ? warnings(card) : [];
  if (buttons.dropped.length) {
    tail.unshift(`${buttons.dropped.length} button${buttons.dropped.length === 1 ? '' : 's'} could not be shown (${[...new Set(buttons.dropped.map((d) => d.why))].join('; ')}).`);
  }
  const footer = card.footer ? `${STATUS_WORD[card.status]} · ${card.footer}` : STATUS_WORD[card.status];
  const embeds = renderEmbeds({ title: card.title, color: STATUS_COLOR[card.status], sections: card.sections, footer, tail });

  const allowed: APIAllowedMentions = { parse: [] };
  const content: string[] = [];
  if (card.notify === 'oncall' && opts.oncallRoleId) {
    content.push(`<@&${opts.oncallRoleId}>`);
    allowed.roles = [opts.oncallRoleId];
  }
  if (opts.mentionUserId) {
    content.push(`<@${opts.mentionUserId}>`);
    allowed.users = [opts.mentionUserId];
  }
  // A push notification shows the content, so a ping says what it is about.
  const text = content.length ? clip(`${content.join(' ')} ${escapeText(card.notification ?? card.title)}`, LIMITS.content) : '';
  return { content: text, embeds, components: buttons.rows, allowed_mentions: allowed, ...attachmentsOf(card) };
}
