// A Card as terminal text, like Hubot's shell adapter: a header with a status marker, sections
// (text wrapped, fields as aligned "label: value", code indented), buttons as numbered lines that
// "/click N" or "N" presses. Plain text unless the caller says colour is on (TTY without NO_COLOR).
import { renderCardMentions } from '../../chat/mention.ts';
import type { Card, CardAction, CardSection, CardStatus } from '../../chat/model.ts';
import { paint, STATUS_PAINT } from './render-color.ts';
import type { ActionNumbering } from './render-numbering.ts';
import { wrap } from './render-wrap.ts';

export interface RenderOptions {
  numbering: ActionNumbering;
  /** The console message this card is (a card updated in place keeps its button numbers). */
  messageId?: string;
  /** ANSI colours; decide with colorEnabled(). Default off. */
  color?: boolean;
  /** Wrap text at this many columns (default 100). */
  width?: number;
}

export const STATUS_MARKER: Record<CardStatus, string> = {
  info: 'INFO',
  running: 'RUNNING',
  ok: 'OK',
  warning: 'WARNING',
  problem: 'PROBLEM',
  unknown: 'UNKNOWN',
  pending: 'PENDING',
  done: 'DONE',
  refused: 'REFUSED',
};

const INDENT = '  ';

function renderSection(s: CardSection, width: number, color: boolean): string[] {
  if (s.kind === 'text') return wrap(s.text, width, INDENT);
  if (s.kind === 'code') return ['', ...s.text.split('\n').map((l) => `${INDENT}    ${l}`.trimEnd()), ''];
  const pad = Math.max(0, ...s.fields.map((f) => f.label.length)) + 1;
  const fields = s.fields.flatMap((f) => {
    const [first = '', ...rest] = wrap(f.value, width, ' '.repeat(INDENT.length + pad + 1));
    return [`${INDENT}${paint(`${f.label}:`.padEnd(pad), 'bold', color)} ${first.trimStart()}`, ...rest];
  });
  // Fields stand apart from the prose around them, like a table.
  return ['', ...fields, ''];
}

function renderAction(a: CardAction, n: number, color: boolean): string {
  const label = a.style === 'danger' ? paint(a.label, 'red', color) : a.style === 'primary' ? paint(a.label, 'bold', color) : a.label;
  return `${INDENT}[${n}] ${label}${a.confirm ? ' (asks to confirm)' : ''}`;
}

export function renderCard(tagged: Card, opts: RenderOptions): string {
  const card = renderCardMentions(tagged, 'console');
  const width = opts.width ?? 100;
  const color = opts.color ?? false;
  const marker = paint(`[${STATUS_MARKER[card.status]}]`, STATUS_PAINT[card.status], color);
  const lines = [`${marker} ${paint(card.title, 'bold', color)}`, ...card.sections.flatMap((s) => renderSection(s, width, color))];
  const actions = card.actions.map((a) => renderAction(a, opts.numbering.number(a.id, opts.messageId), color));
  if (actions.length) lines.push(...(lines.at(-1) === '' ? [] : ['']), ...actions);
  if (card.footer) lines.push(paint(`${INDENT}-- ${card.footer}`, 'gray', color));
  // Collapse the blank lines code blocks leave next to each other or at the end.
  return lines.filter((l, i) => !(l === '' && (i === lines.length - 1 || lines[i + 1] === ''))).join('\n');
}
