// A Card as Block Kit, inside Slack's limits: a header with the status emoji, sections split at
// 3,000 characters (long evidence is split, never silently dropped), fields ten to a section, code
// as ``` blocks, buttons in actions blocks with confirm dialogs, the footer as context.
// A card past 50 blocks becomes several messages: the first keeps the header and the buttons (it is
// the one later updated), the rest continue in the thread. Past MAX_CARD_PARTS, or when only one
// message is possible (an update), the rest is cut with a note saying how much is not shown.
import type { Card, CardAction, CardSection } from '../../chat/model.ts';
import type { ActionsBlock, Button, ContextBlock, Mrkdwn, PlainText, SlackBlock, SlackMessage } from './block-types.ts';
import { MAX_CARD_PARTS, SLACK_LIMITS as L } from './limits.ts';
import { chunk, codeText, cut, escapeMrkdwn, fence } from './mrkdwn.ts';
import { STATUS_EMOJI, STATUS_LABEL } from './status.ts';
import { expandMentions, plainMentions } from '../../chat/mention.ts';

export interface RenderOptions {
  /** Slack user group pinged (<!subteam^ID>) when a card has notify: 'oncall'. */
  oncallGroupId?: string;
  /** How many messages the card may become (default MAX_CARD_PARTS); 1 for an update in place. */
  maxParts?: number;
}

const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: cut(plainMentions(text), max) || ' ', emoji: true });
/** Card text as mrkdwn: escaped, with the card's mention tags of Slack users as real mentions. */
const slackMd = (text: string): string => expandMentions(escapeMrkdwn(text), 'slack', (id) => `<@${id}>`);
const md = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });
const context = (text: string): ContextBlock => ({ type: 'context', elements: [md(cut(text, L.contextElementText))] });

function sectionBlocks(s: CardSection): SlackBlock[] {
  if (s.kind === 'text') {
    if (!s.text.trim()) return [];
    return chunk(slackMd(s.text), L.sectionText).map((t) => ({ type: 'section', text: md(t) }));
  }
  if (s.kind === 'code') {
    // Each chunk is fenced on its own, so every block reads as code.
    return chunk(codeText(plainMentions(s.text)), L.sectionText - 6).map((t) => ({ type: 'section', text: md(fence(t)) }));
  }
  const fields = s.fields.map((f) => md(cut(`*${slackMd(f.label)}*\n${slackMd(f.value) || '—'}`, L.fieldText)));
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < fields.length; i += L.sectionFields) blocks.push({ type: 'section', fields: fields.slice(i, i + L.sectionFields) });
  return blocks;
}

export function button(a: CardAction): Button {
  const b: Button = { type: 'button', text: plain(a.label, L.buttonText), action_id: a.id, value: a.id };
  if (a.style !== 'default') b.style = a.style;
  if (a.confirm) {
    b.confirm = {
      title: plain(a.confirm.title, L.confirmTitle),
      text: plain(a.confirm.text, L.confirmText),
      confirm: plain(a.confirm.confirm, L.confirmButton),
      deny: plain(a.confirm.deny, L.confirmButton),
      ...(a.style === 'danger' ? { style: 'danger' as const } : {}),
    };
  }
  return b;
}

function actionBlocks(actions: CardAction[]): ActionsBlock[] {
  // An id Slack would refuse (too long) cannot be clicked back to us anyway; ids are references, so this never happens with our builders.
  const buttons = actions.filter((a) => a.id.length > 0 && a.id.length <= L.actionId).map(button);
  const blocks: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += L.actionsElements) blocks.push({ type: 'actions', elements: buttons.slice(i, i + L.actionsElements) });
  return blocks;
}

function mentionOf(card: Card, opts: RenderOptions): string | null {
  return card.notify === 'oncall' && opts.oncallGroupId ? `<!subteam^${opts.oncallGroupId}>` : null;
}

/** The notification text: status word, title, and the on-call mention so the ping notifies. */
export function fallbackText(card: Card, opts: RenderOptions = {}): string {
  const mention = mentionOf(card, opts);
  const text = `${STATUS_LABEL[card.status]}: ${escapeMrkdwn(plainMentions(card.notification ?? card.title))}`;
  return cut(mention ? `${mention} ${text}` : text, L.fallbackText);
}

/** Renders a card as one or more messages; the first carries the header and the buttons. */
export function renderCard(card: Card, opts: RenderOptions = {}): SlackMessage[] {
  const maxParts = Math.max(1, Math.min(opts.maxParts ?? MAX_CARD_PARTS, MAX_CARD_PARTS));
  const mention = mentionOf(card, opts);
  const head: SlackBlock[] = [
    ...(mention ? [{ type: 'section' as const, text: md(`${mention} this needs on-call attention.`) }] : []),
    { type: 'header', text: plain(`${STATUS_EMOJI[card.status]} ${card.title}`, L.headerText) },
  ];
  const body = card.sections.flatMap(sectionBlocks);
  // At most 4 actions blocks (100 buttons), so the first part always has room for content.
  const actions = actionBlocks(card.actions).slice(0, 4);
  const tail: SlackBlock[] = [...actions, ...(card.footer ? [context(slackMd(card.footer))] : [])];
  const text = fallbackText(card, opts);

  if (head.length + body.length + tail.length <= L.blocksPerMessage) return [{ text, blocks: [...head, ...body, ...tail] }];

  // Too long for one message: one block of every part is reserved for the note that links the parts.
  const firstRoom = L.blocksPerMessage - head.length - tail.length - 1;
  const restRoom = L.blocksPerMessage - 1;
  const parts: SlackBlock[][] = [body.slice(0, firstRoom)];
  for (let i = firstRoom; i < body.length && parts.length < maxParts; i += restRoom) parts.push(body.slice(i, i + restRoom));
  const shown = parts.reduce((n, p) => n + p.length, 0);
  const hidden = body.length - shown;
  const hiddenNote = hidden > 0 ? `… ${hidden} more block${hidden === 1 ? '' : 's'} not shown (Slack message limits).` : '';
  const n = parts.length;

  return parts.map((blocks, i) => {
    const last = i === n - 1;
    const note = n === 1 ? hiddenNote : [`Part ${i + 1} of ${n}${i === 0 ? '; continued in the thread.' : '.'}`, last ? hiddenNote : ''].filter(Boolean).join(' ');
    if (i === 0) return { text, blocks: [...head, ...blocks, context(note), ...tail] };
    return { text: cut(`${text} (part ${i + 1} of ${n})`, L.fallbackText), blocks: [...blocks, context(note)] };
  });
}
